"""Model resolution order, download (from a loopback server), atomic write, integrity."""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path

import pytest

from hipvision.config import ModelSettings
from hipvision.errors import ModelError
from hipvision.models import PROJECT_DIR, check_bundle, resolve_model

SHARED_MODEL = Path(__file__).resolve().parents[2] / "shared" / "models" / "pose_landmarker_full.task"


def real_model() -> Path:
    env = os.environ.get("HIPVISION_MODEL")
    for p in (Path(env) if env else None, SHARED_MODEL):
        if p is not None and p.is_file():
            return p
    pytest.skip("no pose model (set HIPVISION_MODEL or provide ../shared/models)")


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No model anywhere: empty cache, no env var, a cwd without models/."""
    if any((PROJECT_DIR / "models").glob("*.task")):
        pytest.skip("a model lies in the project's models/ folder")
    monkeypatch.delenv("HIPVISION_MODEL", raising=False)
    monkeypatch.setenv("HIPVISION_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HIPVISION_MODEL_URL", "http://127.0.0.1:9/")  # nothing listens
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def server(tmp_path: Path):
    """A loopback HTTP server over a folder; yields (folder, base_url)."""
    root = tmp_path / "www"
    root.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        def log_message(self, *a):  # keep test output clean
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    th = threading.Thread(target=httpd.serve_forever, daemon=True)
    th.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_offline_without_model_says_what_to_put_where(isolated: Path) -> None:
    with pytest.raises(ModelError) as e:
        resolve_model(ModelSettings(variant="heavy"), progress=False)
    msg = str(e.value)
    assert "pose_landmarker_heavy.task" in msg
    assert str(isolated / "cache" / "models" / "pose_landmarker_heavy.task") in msg
    assert "HIPVISION_MODEL" in msg and "--model" in msg
    assert not (isolated / "cache" / "models").exists() or not any((isolated / "cache" / "models").iterdir())


def test_downloads_disabled(isolated: Path) -> None:
    with pytest.raises(ModelError, match="downloads are disabled"):
        resolve_model(ModelSettings(allow_download=False), progress=False)


def test_download_is_checked_written_atomically_and_cached(isolated: Path, server, monkeypatch) -> None:
    root, url = server
    (root / "pose_landmarker_full.task").write_bytes(real_model().read_bytes())
    monkeypatch.setenv("HIPVISION_MODEL_URL", url)
    path = resolve_model(ModelSettings(), progress=False)
    assert path == isolated / "cache" / "models" / "pose_landmarker_full.task"
    assert path.read_bytes() == real_model().read_bytes()
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left
    # second call finds the cached file without the server
    (root / "pose_landmarker_full.task").unlink()
    assert resolve_model(ModelSettings(), progress=False) == path


def test_corrupt_download_is_rejected_and_not_kept(isolated: Path, server, monkeypatch) -> None:
    root, url = server
    (root / "pose_landmarker_full.task").write_bytes(b"<html>captive portal</html>")
    monkeypatch.setenv("HIPVISION_MODEL_URL", url)
    with pytest.raises(ModelError, match="unusable.*not a MediaPipe model bundle"):
        resolve_model(ModelSettings(), progress=False)
    cache = isolated / "cache" / "models"
    assert not any(cache.iterdir())


def test_resolution_order(isolated: Path, monkeypatch) -> None:
    cached = isolated / "cache" / "models" / "pose_landmarker_full.task"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"x")
    assert resolve_model(ModelSettings(), progress=False) == cached
    local = isolated / "models" / "pose_landmarker_full.task"  # ./models beats the cache
    local.parent.mkdir()
    local.write_bytes(b"x")
    assert resolve_model(ModelSettings(), progress=False) == local
    env = isolated / "env.task"
    env.write_bytes(b"x")
    monkeypatch.setenv("HIPVISION_MODEL", str(env))
    assert resolve_model(ModelSettings(), progress=False) == env
    explicit = isolated / "explicit.task"
    explicit.write_bytes(b"x")
    assert resolve_model(ModelSettings(path=str(explicit)), progress=False) == explicit


def test_missing_explicit_and_env_paths_are_errors(isolated: Path, monkeypatch) -> None:
    with pytest.raises(ModelError, match="--model .*no such file"):
        resolve_model(ModelSettings(path=str(isolated / "nope.task")))
    monkeypatch.setenv("HIPVISION_MODEL", str(isolated / "gone.task"))
    with pytest.raises(ModelError, match="HIPVISION_MODEL=.*no such file"):
        resolve_model(ModelSettings())


def test_unknown_variant(isolated: Path) -> None:
    with pytest.raises(ModelError, match="unknown model variant 'huge'"):
        resolve_model(ModelSettings(variant="huge"))  # type: ignore[arg-type]


def test_check_bundle(tmp_path: Path) -> None:
    check_bundle(real_model())
    text = tmp_path / "x.task"
    text.write_text("not a model")
    with pytest.raises(ModelError, match="not a MediaPipe model bundle"):
        check_bundle(text)
    import zipfile

    wrong = tmp_path / "other.task"
    with zipfile.ZipFile(wrong, "w") as z:
        z.writestr("hand_detector.tflite", b"abc")
    with pytest.raises(ModelError, match="not a pose landmarker model"):
        check_bundle(wrong)


def test_bundle_with_the_right_names_but_garbage_inside_fails_the_load_check(tmp_path: Path) -> None:
    import zipfile

    fake = tmp_path / "fake.task"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("pose_detector.tflite", b"abc" * 100)
        z.writestr("pose_landmarks_detector.tflite", b"abc" * 100)
    with pytest.raises(ModelError, match="not a usable pose landmarker model"):
        check_bundle(fake)

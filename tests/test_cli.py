"""The ``hipvision`` command line as a user runs it: ``python -m hipvision ...`` in a
subprocess (exit codes, what lands on stdout / stderr, which files are left behind), plus
in-process ``hipvision.cli.main`` where that is faster.

No test downloads anything: every subprocess gets ``HIPVISION_MODEL_URL`` pointing at a
closed loopback port and an empty ``HIPVISION_CACHE``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import cv2
import numpy as np
import pytest

import hipvision
from hipvision.cli import build_parser, main
from hipvision.landmarks import LANDMARK_INDEX, N_LANDMARKS
from hipvision.models import PROJECT_DIR
from hipvision.posecsv import read_pose_csv, write_pose_csv
from hipvision.sequence import PoseSequence

# --------------------------------------------------------------------------- skip helpers

from shared_paths import MEDIA, find_model  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
MODEL = find_model()

needs_model = [
    pytest.mark.model,
    pytest.mark.skipif(
        MODEL is None,
        reason="no pose model: set HIPVISION_MODEL or provide ../shared/models/pose_landmarker_full.task",
    ),
]
needs_media = [
    pytest.mark.media,
    pytest.mark.skipif(not MEDIA.is_dir(), reason=f"real clips not available ({MEDIA} is absent)"),
]


def with_model_and_media(test):
    for mark in needs_model + needs_media:
        test = mark(test)
    return test


def clip(name: str) -> Path:
    """Path of a shared clip; skips the test when it is missing."""
    p = MEDIA / name
    if not p.is_file():
        pytest.skip(f"clip {name} not in {MEDIA}")
    return p


# --------------------------------------------------------------------------- helpers

CLIP = "squat_front_webcam_burnedin_overlay.mp4"  # 640x480, 238 frames, moov before mdat
CLIP_MOOV_AT_END = "squat_front_oblique_bodyweight_tfjs_refkp.mp4"  # moov after mdat
STILL = "generic_tfjs_pose.jpg"
OFFLINE_URL = "http://127.0.0.1:9/"  # discard port: nothing listens, any download fails fast


def cli_env(tmp_path: Path, *, model: Path | str | None = MODEL, **extra: str) -> dict[str, str]:
    """Environment for a CLI subprocess: this checkout importable, no network, empty cache,
    the test model (or none when ``model`` is None)."""
    env = dict(os.environ)
    env.pop("HIPVISION_MODEL", None)
    env.pop("XDG_CACHE_HOME", None)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["HIPVISION_MODEL_URL"] = OFFLINE_URL
    cache = tmp_path / "cache"
    cache.mkdir(exist_ok=True)
    env["HIPVISION_CACHE"] = str(cache)
    if model is not None:
        env["HIPVISION_MODEL"] = str(model)
    env.update(extra)
    return env


def run_cli(
    *args: str | Path, env: dict[str, str], cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hipvision", *map(str, args)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def error_line(stderr: str) -> str:
    """The one line an expected error prints; fails unless stderr is exactly that line."""
    lines = stderr.strip("\n").split("\n")
    assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
    assert lines[0].startswith("hipvision: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def write_image(path: Path, size: tuple[int, int] = (64, 48)) -> Path:
    w, h = size
    img = np.zeros((h, w, 3), np.uint8)
    cv2.circle(img, (w // 2, h // 2), min(w, h) // 4, (200, 120, 40), -1)
    assert cv2.imwrite(str(path), img)
    return path


def synthetic_sequence(n: int = 10, size: tuple[int, int] = (640, 480)) -> PoseSequence:
    """A person standing in the middle of the frame, swaying a little (no model needed)."""
    w, h = size
    rng = np.random.default_rng(0)
    base = np.column_stack(
        [np.linspace(0.4 * w, 0.6 * w, N_LANDMARKS), np.linspace(0.1 * h, 0.9 * h, N_LANDMARKS)]
    )
    xy = base[None] + rng.normal(0, 2.0, (n, N_LANDMARKS, 2))
    vis = np.full((n, N_LANDMARKS), 0.9)
    vis[:, LANDMARK_INDEX["left_ankle"]] = 0.2  # never visible enough
    return PoseSequence(
        frame=np.arange(n, dtype=np.int64),
        time_s=np.arange(n) / 25.0,
        xy=xy,
        z=np.zeros((n, N_LANDMARKS)),
        visibility=vis,
        presence=np.full((n, N_LANDMARKS), 0.95),
        world=np.zeros((n, N_LANDMARKS, 3)),
        image_size=size,
        num_people=np.ones(n, dtype=np.int64),
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _subcommands() -> tuple[str, ...]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return tuple(sub.choices)


#: every subcommand the parser offers (new ones get their --help checked automatically)
SUBCOMMANDS = _subcommands()
#: the commands the README documents; they must never disappear
CORE_SUBCOMMANDS = ("extract", "analyze", "inspect", "model")
#: commands that work on the history database, not on an input (no pose options)
HISTORY_SUBCOMMANDS = ("history",)


# --------------------------------------------------------------------------- help, version


def test_top_level_help_lists_every_command(tmp_path: Path) -> None:
    r = run_cli("--help", env=cli_env(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("usage: hipvision")
    for cmd in SUBCOMMANDS:
        assert cmd in r.stdout
    assert r.stderr == ""


def test_the_documented_commands_exist() -> None:
    assert set(CORE_SUBCOMMANDS) <= set(SUBCOMMANDS)


@pytest.mark.parametrize("cmd", SUBCOMMANDS)
def test_subcommand_help_exits_0(cmd: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main([cmd, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: hipvision {cmd}")
    if cmd in HISTORY_SUBCOMMANDS:
        assert "ACTION" in out and "people" in out and "delete-person" in out
        return
    if cmd == "stickers":  # writes a printable sheet: no input, no pose model
        assert "--diameter" in out and "--marker-color" in out
        return
    if cmd != "model":
        assert "INPUT" in out
    assert "--model" in out and "--max-frames" in out


def test_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli("--version", env=cli_env(tmp_path))
    assert r.returncode == 0
    assert r.stdout.strip() == f"hipvision {hipvision.__version__}"
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"hipvision {hipvision.__version__}"


@pytest.mark.parametrize("argv", [[], ["extract"], ["frobnicate", "x.mp4"], ["extract", "x.mp4", "--max-frames", "many"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    assert "usage: hipvision" in capsys.readouterr().err


# --------------------------------------------------------------------------- extract


@with_model_and_media
def test_extract_writes_a_valid_pose_csv(tmp_path: Path) -> None:
    out = tmp_path / "out" / "pose.csv"
    r = run_cli("extract", clip(CLIP), "-o", out, "--max-frames", "30", env=cli_env(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "", "without --json nothing goes to stdout"
    assert "30 frames" in r.stderr and str(out) in r.stderr
    seq = read_pose_csv(out)
    assert seq.image_size == (640, 480)
    assert 25 <= len(seq) <= 30
    assert seq.frame.min() >= 0 and seq.frame.max() <= 29
    assert np.all(np.diff(seq.time_s) > 0)
    assert abs(seq.median_fps() - 20.0) < 0.5
    assert leftovers(out.parent) == ["pose.csv"], "only the CSV is left in the output folder"


@with_model_and_media
def test_extract_json_puts_only_json_on_stdout(tmp_path: Path) -> None:
    import av

    out = tmp_path / "out.csv"
    video = tmp_path / "annotated.mp4"
    r = run_cli(
        "extract", clip(CLIP), "-o", out, "--max-frames", "30", "--json", "--save-video", video,
        env=cli_env(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)  # nothing but the JSON document
    assert doc["frames"] == 30
    assert doc["frame_size"] == [640, 480]
    assert doc["kind"] == "video"
    assert doc["pose_csv"] == str(out) and doc["annotated_video"] == str(video)
    assert 0.9 <= doc["detection_rate"] <= 1.0
    assert doc["frames_with_person"] == len(read_pose_csv(out))
    with av.open(str(video)) as c:
        assert c.streams.video[0].codec_context.name == "h264"
        assert sum(1 for _ in c.decode(video=0)) == 30


@with_model_and_media
def test_extract_default_output_name_in_the_current_folder(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    r = run_cli("extract", clip(STILL), "-q", env=cli_env(tmp_path), cwd=work)
    assert r.returncode == 0, r.stderr
    assert leftovers(work) == ["generic_tfjs_pose.pose.csv"]
    seq = read_pose_csv(work / "generic_tfjs_pose.pose.csv")
    assert len(seq) == 1 and seq.image_size == (1000, 667)


# --------------------------------------------------------------------------- bad input

# Each builder makes the bad input inside ``tmp`` and returns (CLI arguments before the
# options, words the error message must contain).
Builder = Callable[[Path], tuple[list[str], list[str]]]


def _missing(tmp: Path):
    p = tmp / "no_such_clip.mp4"
    return [str(p)], [p.name, "no such file"]


def _text_as_mp4(tmp: Path):
    p = tmp / "notes.mp4"
    p.write_text("this is not a video\n" * 50)
    return [str(p)], [p.name, "not a readable video"]


def _truncated(name: str) -> Builder:
    def build(tmp: Path):
        data = clip(name).read_bytes()
        p = tmp / f"truncated_{name}"
        p.write_bytes(data[: int(len(data) * 0.3)])
        return [str(p)], [p.name, ("truncated", "corrupt", "not a readable video")]

    return build


def _zero_bytes(tmp: Path):
    p = tmp / "empty.mp4"
    p.touch()
    return [str(p)], [p.name, "empty"]


def _garbage_jpg(tmp: Path):
    p = tmp / "photo.jpg"
    p.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    return [str(p)], [p.name, "not a readable image"]


def _mixed_folder(tmp: Path):
    d = tmp / "frames"
    d.mkdir()
    for i in range(3):
        write_image(d / f"frame{i}.png")
    (d / "readme.txt").write_text("frames of my squat\n")
    return [str(d)], [d.name, "readme.txt"]


def _empty_folder(tmp: Path):
    d = tmp / "no_frames"
    d.mkdir()
    return [str(d)], [d.name, "empty"]


def _sizes_change(tmp: Path):
    d = tmp / "frames"
    d.mkdir()
    write_image(d / "frame1.png", (64, 48))
    write_image(d / "frame2.png", (64, 48))
    write_image(d / "frame3.png", (80, 48))  # found only after two frames went to the sinks
    return [str(d)], ["frame3.png", "differs from the first frame"]


def _not_a_model(tmp: Path):
    img = write_image(tmp / "person.png")
    m = tmp / "x.task"
    m.write_text("definitely not a model\n")
    return [str(img), "--model", str(m)], ["x.task", "not a", "model"]


def _unknown_extension(tmp: Path):
    p = tmp / "clip.xyz"
    p.write_text("what is this\n")
    return [str(p)], [p.name, "unsupported input type '.xyz'"]


BAD_INPUTS = [
    pytest.param(_missing, id="missing-path"),
    pytest.param(_text_as_mp4, id="text-renamed-mp4"),
    pytest.param(_truncated(CLIP_MOOV_AT_END), id="truncated-mp4-moov-at-end", marks=needs_media),
    pytest.param(
        _truncated(CLIP),
        id="truncated-mp4-moov-first",
        marks=needs_media + needs_model,
    ),
    pytest.param(_zero_bytes, id="zero-byte-mp4"),
    pytest.param(_garbage_jpg, id="garbage-jpg"),
    pytest.param(_mixed_folder, id="folder-with-txt"),
    pytest.param(_empty_folder, id="empty-folder"),
    pytest.param(_sizes_change, id="folder-frame-size-changes", marks=needs_model),
    pytest.param(_not_a_model, id="model-not-a-model"),
    pytest.param(_unknown_extension, id="unknown-extension"),
]


@pytest.mark.parametrize("build", BAD_INPUTS)
def test_bad_input_fails_with_one_line_and_no_output(tmp_path: Path, build: Builder) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    args, words = build(inputs)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "pose.csv"
    video = out_dir / "annotated.mp4"
    r = run_cli("extract", *args, "-o", out, "--save-video", video, "-q", env=cli_env(tmp_path))
    assert r.returncode == 1, f"exit {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}"
    line = error_line(r.stderr)
    for w in words:
        alternatives = (w,) if isinstance(w, str) else w
        assert any(a in line for a in alternatives), f"{alternatives} not in: {line}"
    assert r.stdout == ""
    assert leftovers(out_dir) == [], "no output and no temporary (*.part) file may be left"


NATIVE_NOISE = ("INFO:", "WARNING: All log messages", "W0000", "I0000", "E0000", "[accelerator_registry")


@pytest.mark.model
@pytest.mark.skipif(MODEL is None, reason="no pose model: set HIPVISION_MODEL or provide ../shared/models")
def test_successful_video_commands_print_only_their_own_lines(tmp_path: Path) -> None:
    """mediapipe prints INFO/glog lines to fd 2 when landmarkers are torn down at exit (1.2.3:
    ``DestroyAccelerator``); the command must not let them through, while HIPVISION_DEBUG=1
    keeps them visible."""
    from hipvision.videowriter import H264Writer

    video = tmp_path / "empty_room.mp4"
    with H264Writer(video, 160, 120, 10.0, 23) as w:
        for i in range(12):
            w.write(np.full((120, 160, 3), 40 + 10 * i, np.uint8), i / 10.0)
    r = run_cli("extract", video, "-o", tmp_path / "o.pose.csv", "-q", env=cli_env(tmp_path))
    assert r.returncode == 0, r.stderr
    lines = r.stderr.strip("\n").split("\n")
    assert len(lines) == 2, f"stderr:\n{r.stderr}"
    assert lines[0] == "hipvision: warning: no person found in 12 frames"
    assert lines[1].startswith("12 frames, person found in 0 ")
    assert not any(n in r.stderr for n in NATIVE_NOISE)
    # with the debug switch the native output is shown again (whatever it is in this release)
    d = run_cli("extract", video, "-o", tmp_path / "o2.pose.csv", "-q", env=cli_env(tmp_path, HIPVISION_DEBUG="1"))
    assert d.returncode == 0 and "12 frames, person found in 0 " in d.stderr
    assert any(n in d.stderr for n in NATIVE_NOISE), "the debug run shows what was silenced"


def test_output_path_that_is_a_folder_is_an_error(tmp_path: Path) -> None:
    img = write_image(tmp_path / "person.png")
    out_dir = tmp_path / "results"
    out_dir.mkdir()
    r = run_cli("extract", img, "-o", out_dir, "-q", env=cli_env(tmp_path), cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    line = error_line(r.stderr)
    assert "results" in line
    assert not [p.name for p in tmp_path.iterdir() if ".part" in p.name], "temporary file left behind"


@pytest.mark.parametrize("n", ["0", "-3"])
def test_non_positive_max_frames_is_a_usage_error(
    tmp_path: Path, n: str, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "frames"
    d.mkdir()
    for i in range(3):
        write_image(d / f"frame{i}.png")
    with pytest.raises(SystemExit) as e:
        main(["extract", str(d), "-o", str(tmp_path / "o.csv"), "--max-frames", n, "-q"])
    assert e.value.code == 2
    assert "--max-frames" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


# --------------------------------------------------------------------------- no model


def test_inspect_a_pose_csv_needs_no_model(tmp_path: Path) -> None:
    csv_path = write_pose_csv(synthetic_sequence(12), tmp_path / "walk.pose.csv")
    env = cli_env(tmp_path, model=tmp_path / "nowhere" / "pose.task")
    r = run_cli("inspect", csv_path, "--json", env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["frames"] == 12 and doc["frames_with_person"] == 12
    assert doc["frame_size"] == [640, 480]
    assert doc["median_fps"] == pytest.approx(25.0, abs=0.01)
    assert doc["lower_limb_visible"]["left_ankle"] == 0.0
    assert doc["lower_limb_visible"]["right_knee"] == 1.0
    assert leftovers(tmp_path / "cache") == [], "nothing may be downloaded or cached"
    # the plain-text form works too
    r = run_cli("inspect", csv_path, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "frames: 12" in r.stdout


def test_offline_without_a_model_says_where_to_put_one(tmp_path: Path) -> None:
    variant_file = "pose_landmarker_full.task"
    local = [p for p in (PROJECT_DIR / "models", tmp_path / "models") if (p / variant_file).is_file()]
    if local:
        pytest.skip(f"a local model exists in {local[0]} and would be used")
    img = write_image(tmp_path / "person.png")
    env = cli_env(tmp_path, model=None)
    cache = Path(env["HIPVISION_CACHE"])
    out = tmp_path / "out" / "pose.csv"
    r = run_cli("extract", img, "-o", out, "-q", env=env, cwd=tmp_path, timeout=120)
    assert r.returncode == 1, r.stderr
    line = error_line(r.stderr)
    assert "HIPVISION_MODEL" in line
    assert str(cache / "models" / variant_file) in line
    assert "--model" in line
    assert leftovers(cache) == [], "a failed download leaves nothing in the cache"
    assert leftovers(out.parent) == []


# --------------------------------------------------------------------------- pose CSV input


def test_malformed_pose_csv_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIPVISION_MODEL", str(tmp_path / "nowhere.task"))
    monkeypatch.setenv("HIPVISION_MODEL_URL", OFFLINE_URL)
    monkeypatch.setenv("HIPVISION_CACHE", str(tmp_path / "cache"))
    p = tmp_path / "bad.pose.csv"
    p.write_text(
        "frame,time_s,landmark,x_px,y_px,z,visibility,image_width,image_height\n"
        "0,0.0,left_hip,100.0,200.0,,0.9,640,480\n"
        "0,0.0,right_hip,1O0.5,200.0,,0.9,640,480\n"  # letter O in a number, line 3
        "0,0.0,left_knee,100.0,300.0,,0.9,640,480\n"
    )
    assert main(["inspect", str(p)]) == 1
    captured = capsys.readouterr()
    line = error_line(captured.err)
    assert "line 3" in line and "x_px" in line and "1O0.5" in line
    assert captured.out == ""


def test_analyze_unknown_test_on_a_pose_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HIPVISION_MODEL", str(tmp_path / "nowhere.task"))
    monkeypatch.setenv("HIPVISION_MODEL_URL", OFFLINE_URL)
    csv_path = write_pose_csv(synthetic_sequence(5), tmp_path / "s.pose.csv")
    assert main(["analyze", str(csv_path), "--test", "no-such-test"]) == 1
    line = error_line(capsys.readouterr().err)
    assert "unknown test 'no-such-test'" in line

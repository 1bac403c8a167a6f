"""`hipvision analyze --person/--report/--blur-faces` and `hipvision history ...` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from hipvision.cli import main
from hipvision.history import History
from shared_paths import MEDIA, find_model

ROOT = Path(__file__).resolve().parents[1]
SEATED = str(ROOT / "samples" / "seated_rotation.pose.csv")
SQUAT = str(ROOT / "samples" / "demo_squat_front.pose.csv")


def cli(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_analyze_saves_to_history_and_history_commands(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "h.sqlite3")
    rc, out, err = cli(capsys, "analyze", SEATED, "--test", "seated", "--person", "Ida", "--history", db, "--recorded-at", "2026-10-01T09:00Z", "--json")
    assert rc == 0, err
    report = json.loads(out)  # stdout stays pure JSON
    assert "saved as session 1 of Ida" in err
    rc, out, err = cli(capsys, "analyze", SEATED, "--test", "seated", "--person", "ida", "--history", db, "--recorded-at", "2026-09-01T09:00Z", "-q")
    assert rc == 0 and "saved as session 2 of Ida" in err

    rc, out, _ = cli(capsys, "history", "people", "--history", db)
    assert out.splitlines() == [f"Ida\t2 session(s)\tsince {out.split('since ')[1][:10]}"]
    rc, out, _ = cli(capsys, "history", "progress", "--person", "IDA", "--test", "seated", "--history", db, "--json")
    rows = json.loads(out)
    assert [(r["session_id"], r["side"]) for r in rows] == [(2, "left"), (2, "right"), (1, "left"), (1, "right")]  # by date
    assert rows[2]["value"] == report["sides"]["left"]["peak_ir_deg"] and rows[3]["value"] == report["sides"]["right"]["peak_ir_deg"]
    rc, out, _ = cli(capsys, "history", "progress", "--person", "Ida", "--test", "seated", "--metric", "total_arc_deg", "--history", db)
    assert f"total_arc_deg {report['sides']['left']['total_arc_deg']:g}" in out

    rc, out, _ = cli(capsys, "history", "show", "1", "--history", db, "--json")
    assert json.loads(out) == report
    rc, out, _ = cli(capsys, "history", "sessions", "--person", "Ida", "--history", db)
    assert [line.split("\t")[0] for line in out.splitlines()] == ["2", "1"]

    html = tmp_path / "s1.html"
    rc, _, err = cli(capsys, "history", "report", "1", "-o", str(html), "--history", db)
    assert rc == 0 and "Ida" in html.read_text() and "<svg" in html.read_text()  # plot from the stored series

    rc, out, _ = cli(capsys, "history", "export", "--person", "Ida", "--history", db)
    rec = list(csv.DictReader(io.StringIO(out)))
    assert {r["session_id"] for r in rec} == {"1", "2"} and all(r["person"] == "Ida" for r in rec)
    out_csv = tmp_path / "all.csv"
    assert cli(capsys, "history", "export", "-o", str(out_csv), "--history", db)[0] == 0
    assert out_csv.read_text() == out

    rc, _, err = cli(capsys, "history", "delete-session", "2", "--history", db)
    assert rc == 0 and [s.id for s in History(db).sessions()] == [1]
    rc, _, err = cli(capsys, "history", "delete-person", "Ida", "--history", db)
    assert rc == 1 and "repeat with --yes" in err and len(History(db).sessions()) == 1
    rc, _, err = cli(capsys, "history", "delete-person", "Ida", "--yes", "--history", db)
    assert rc == 0 and History(db).people() == [] and History(db).sessions() == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["history", "progress", "--person", "Nobody", "--test", "seated"], "no person named 'Nobody'"),
        (["history", "show", "7"], "no session with id 7"),
        (["history", "delete-session", "7"], "no session with id 7"),
        (["analyze", SEATED, "--test", "seated", "--person", "X", "--recorded-at", "yesterday"], "'yesterday' is not a date/time"),
        (["analyze", SEATED, "--test", "seated", "--recorded-at", "2026-01-01"], "--recorded-at needs --person"),
    ],
)
def test_history_errors_are_one_line(tmp_path: Path, capsys, args: list[str], message: str) -> None:
    rc, out, err = cli(capsys, *args, "--history", str(tmp_path / "h.sqlite3"))
    assert rc == 1 and out == ""
    assert err.startswith("hipvision: error: ") and message in err and err.count("\n") == 1


def test_a_broken_database_fails_before_the_analysis(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_text("not a database at all " * 50)
    rc, out, err = cli(capsys, "analyze", SEATED, "--test", "seated", "--person", "X", "--history", str(bad))
    assert rc == 1 and out == "" and "not a usable hipvision history database" in err


def test_analyze_report_html(tmp_path: Path, capsys) -> None:
    out = tmp_path / "squat.html"
    rc, text, err = cli(capsys, "analyze", SQUAT, "--test", "squat", "--report", str(out))
    assert rc == 0 and "report written to" in err
    html = out.read_text()
    assert "Squat screening" in html and html.count("<svg") == 2 and "data:image/png;base64," in html
    assert not re.search(r"(src|href)=\"https?:", html)


def test_history_uses_hipvision_data_by_default(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIPVISION_DATA", str(tmp_path / "data"))
    assert cli(capsys, "analyze", SQUAT, "--test", "squat", "--person", "Jo", "-q")[0] == 0
    assert (tmp_path / "data" / "history.sqlite3").is_file()
    rc, out, _ = cli(capsys, "history", "people", "--json")
    assert [p["name"] for p in json.loads(out)] == ["Jo"]


def test_history_deletions_remove_the_saved_videos_and_say_so(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIPVISION_DATA", str(tmp_path / "data"))
    videos = tmp_path / "data" / "videos"
    videos.mkdir(parents=True)
    v1, v2, v3 = (videos / f"v{i}.mp4" for i in (1, 2, 3))
    mine = tmp_path / "my-own-copy.mp4"  # e.g. analyze --save-video: the user's file
    for p in (v1, v2, v3, mine):
        p.write_bytes(b"video")
    report = json.loads(cli(capsys, "analyze", SQUAT, "--test", "squat", "--json", "-q")[1])
    with History() as h:
        ida, jo = h.add_person("Ida"), h.add_person("Jo")
        s1 = h.add_session(ida, report, video_path=v1)
        h.add_session(ida, report, video_path=v2)
        h.add_session(ida, report, video_path=mine)
        h.add_session(jo, report, video_path=v3)
    rc, _, err = cli(capsys, "history", "delete-session", str(s1))
    assert rc == 0 and f"deleted video {v1}" in err
    assert not v1.exists() and v2.exists() and v3.exists()
    rc, _, err = cli(capsys, "history", "delete-person", "Ida", "--yes")
    assert rc == 0 and "deleted Ida and 2 session(s)" in err and f"deleted video {v2}" in err
    assert f"kept {mine}" in err and mine.exists() and not v2.exists() and v3.exists()
    rc, out, _ = cli(capsys, "history", "sessions")
    assert [line.split("\t")[2] for line in out.splitlines()] == ["Jo"]


CLIP = MEDIA / "squat_front_bodyweight_wide_goodform_01.mp4"


@pytest.mark.model
@pytest.mark.media
@pytest.mark.skipif(find_model() is None or not CLIP.is_file(), reason="needs the shared model and clips")
def test_extract_blur_faces_on_a_real_clip(tmp_path: Path, capsys) -> None:
    """The saved video's face region loses its detail with --blur-faces; the rest stays."""
    import cv2

    from hipvision.posecsv import read_pose_csv
    from hipvision.privacy import face_region
    from hipvision.render import draw_pose
    from hipvision.config import DEFAULT_SETTINGS
    from hipvision.sources import open_source

    outs = {}
    for blur in (False, True):
        video, pose = tmp_path / f"v{blur}.mp4", tmp_path / f"p{blur}.csv"
        args = ["extract", str(CLIP), "-o", str(pose), "--save-video", str(video), "--max-frames", "6", "-q"]
        assert cli(capsys, *args, *(["--blur-faces"] if blur else []))[0] == 0
        outs[blur] = [fr.image.astype(float) for fr in open_source(str(video))]
    seq = read_pose_csv(tmp_path / "pTrue.csv")
    checked = 0
    for k in range(len(seq)):
        region = face_region(seq.frame_at(k), DEFAULT_SETTINGS.render, seq.image_size)
        if region is None:
            continue
        a, b = outs[False][int(seq.frame[k])], outs[True][int(seq.frame[k])]
        yy, xx = np.mgrid[0 : a.shape[0], 0 : a.shape[1]]
        inside = ((xx - region.cx) / (0.8 * region.rx)) ** 2 + ((yy - region.cy) / (0.8 * region.ry)) ** 2 <= 1
        # leave out the skeleton drawn over the face (the same in both videos)
        blank = np.zeros(a.shape, np.uint8)
        drawn = draw_pose(blank, seq.frame_at(k), DEFAULT_SETTINGS.render).any(axis=2)
        inside &= ~cv2.dilate(drawn.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
        detail = lambda img: np.abs(np.diff(img, axis=1)).mean(axis=2)[inside[:, 1:]].mean()  # noqa: E731
        assert detail(b) < 0.5 * detail(a), (detail(b), detail(a))
        far = (yy > region.cy + 4 * region.ry)  # well below the face: the same picture
        assert np.abs(a[far] - b[far]).mean() < 2.0
        checked += 1
    assert checked >= 3


# --------------------------------------------------------------------------- read-only history
# chmod does not stop root: as root the command runs without the capabilities that let root
# ignore file permissions (setpriv), so the folder is genuinely read-only for it.

def _as_reader() -> list[str]:
    """Command prefix under which a folder of mode 555 and a file of mode 444 are read-only."""
    import os
    import shutil

    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a folder read-only for the command")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner,-linux_immutable"]


def _run_reader(tmp_path: Path, *args: str):
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(ROOT), HIPVISION_DATA=str(tmp_path / "data"), HIPVISION_MODEL_URL="http://127.0.0.1:9/")
    return subprocess.run([*_as_reader(), sys.executable, "-m", "hipvision", *args], capture_output=True, text=True, env=env, timeout=120)


def _one_line(stderr: str) -> str:
    lines = stderr.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("hipvision: error: "), stderr
    return lines[0]


@pytest.fixture
def ro_history(tmp_path: Path):
    """A history with one session in a folder of mode 555 (made writable again afterwards)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "history.sqlite3"
    with History(db) as h:
        h.add_session(h.get_or_create_person("Ida"), {"test": "seated", "source": "a.mp4"}, recorded_at="2026-10-01")
    assert sorted(p.name for p in folder.iterdir()) == ["history.sqlite3"]  # WAL merged on close
    db.chmod(0o444)
    folder.chmod(0o555)
    yield db
    folder.chmod(0o755)
    db.chmod(0o644)


def test_a_read_only_history_can_be_read_but_not_changed(tmp_path: Path, ro_history: Path) -> None:
    db = str(ro_history)
    r = _run_reader(tmp_path, "history", "people", "--history", db)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Ida\t1 session(s)") and r.stderr == ""
    r = _run_reader(tmp_path, "history", "show", "1", "--history", db, "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["test"] == "seated", r.stderr
    # a write names the folder, and loses nothing
    r = _run_reader(tmp_path, "history", "delete-session", "1", "--history", db)
    assert r.returncode == 1
    assert _one_line(r.stderr) == f"hipvision: error: {db}: cannot change the history: the folder {ro_history.parent} is not writable"
    # saving fails before the analysis, with the same line
    r = _run_reader(tmp_path, "analyze", SEATED, "--test", "seated", "--person", "Ida", "--history", db, "--json")
    assert r.returncode == 1 and r.stdout == ""
    assert "cannot change the history: the folder" in _one_line(r.stderr)
    assert sorted(p.name for p in ro_history.parent.iterdir()) == ["history.sqlite3"]  # nothing created
    assert [s.id for s in History(db).sessions()] == [1]


def test_a_read_only_history_file_in_a_writable_folder_names_the_file(tmp_path: Path, ro_history: Path) -> None:
    ro_history.parent.chmod(0o755)
    r = _run_reader(tmp_path, "history", "sessions", "--history", str(ro_history))
    assert r.returncode == 0 and r.stdout.startswith("1\t2026-"), r.stderr
    r = _run_reader(tmp_path, "history", "delete-session", "1", "--history", str(ro_history))
    assert r.returncode == 1
    assert _one_line(r.stderr).endswith(f"cannot change the history: the file {ro_history} is not writable")


def test_no_history_in_a_read_only_folder_is_one_line(tmp_path: Path, ro_history: Path) -> None:
    missing = ro_history.parent / "other.sqlite3"
    r = _run_reader(tmp_path, "history", "people", "--history", str(missing))
    assert r.returncode == 1
    line = _one_line(r.stderr)
    assert "no history database there" in line and f"the folder {ro_history.parent} is not writable" in line


def _wal_copy(tmp_path: Path, with_index: bool) -> tuple[Path, "sqlite3.Connection"]:
    """A history whose second session is only in its -wal file (an open writer that has not
    merged it yet), copied into a folder of its own; the writer connection is returned open."""
    import shutil
    import sqlite3

    src = tmp_path / "src" / "history.sqlite3"
    src.parent.mkdir()
    with History(src) as h:
        h.add_session(h.get_or_create_person("Ida"), {"test": "seated"}, recorded_at="2026-10-01")
    writer = sqlite3.connect(src, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    pid = writer.execute("SELECT id FROM people").fetchone()[0]
    writer.execute("INSERT INTO sessions(person_id, test, recorded_at, created, report_json) VALUES (?, 'prone', '2026-10-02', '', '{}')", (pid,))
    folder = tmp_path / "ro"
    folder.mkdir()
    for suffix in ("", "-wal") + (("-shm",) if with_index else ()):
        shutil.copyfile(f"{src}{suffix}", folder / f"history.sqlite3{suffix}")
        (folder / f"history.sqlite3{suffix}").chmod(0o444)
    folder.chmod(0o555)
    return folder / "history.sqlite3", writer


@pytest.mark.parametrize("with_index", [True, False])
def test_a_read_only_history_with_unmerged_changes_is_read_fully_or_refused(tmp_path: Path, with_index: bool) -> None:
    db, writer = _wal_copy(tmp_path, with_index)
    try:
        r = _run_reader(tmp_path, "history", "sessions", "--history", str(db))
        if with_index:  # SQLite reads the -wal through its index: both sessions
            assert r.returncode == 0, r.stderr
            assert [line.split("\t")[3] for line in r.stdout.splitlines()] == ["seated", "prone"]
        else:  # never the file alone, which would silently miss the second session
            assert r.returncode == 1 and r.stdout == ""
            assert "history.sqlite3-wal holds changes not yet written into it" in _one_line(r.stderr)
    finally:
        writer.close()
        db.parent.chmod(0o755)

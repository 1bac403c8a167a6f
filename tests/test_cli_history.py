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

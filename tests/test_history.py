"""The history database: round trip, cascades, migration, crash consistency, progress."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hipvision.api import analyze, run_analysis
from hipvision.errors import HistoryError
from hipvision.export import series_csv
from hipvision.flatten import flatten_report
from hipvision.history import SCHEMA_VERSION, History, normalize_time
from hipvision.synthetic import Move, Rep, rotation_clip, screening_clip

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="module")
def seated_report() -> dict:
    return analyze(SAMPLES / "seated_rotation.pose.csv", "seated")


@pytest.fixture(scope="module")
def squat_report() -> dict:
    return analyze(SAMPLES / "demo_squat_front.pose.csv", "squat")


def raw_count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_round_trip(tmp_path: Path, seated_report: dict, squat_report: dict) -> None:
    db = tmp_path / "sub" / "h.sqlite3"
    with History(db) as h:
        assert h.schema_version == SCHEMA_VERSION
        anna = h.add_person("  Anna   Berg ", notes="left ACL 2025")
        assert h.get_or_create_person("anna berg") == anna  # names ignore case and spacing
        with pytest.raises(HistoryError, match="already a person named 'ANNA BERG'"):
            h.add_person("ANNA BERG")
        ben = h.get_or_create_person("Ben")
        s1 = h.add_session(anna, seated_report, recorded_at="2026-03-01T10:00", series_csv="time_s,left_deg,right_deg\n0.0,1.5,\n")
        s2 = h.add_session(ben, squat_report, source="phone.mov", recorded_at="2026-02-01", video_path=tmp_path / "v.mp4")
    with History(db) as h:  # reopened: everything is there
        got = h.session(s1)
        assert got.report == seated_report and got.person == "Anna Berg" and got.test == "seated"
        assert got.series_csv == "time_s,left_deg,right_deg\n0.0,1.5,\n" and got.has_series_csv
        assert sorted(got.results, key=repr) == sorted(flatten_report(seated_report), key=repr)
        assert {(r.metric, r.side): r.value for r in got.results}[("ir_peak_deg", "right")] == seated_report["sides"]["right"]["peak_ir_deg"]
        other = h.session(s2)
        assert other.source == "phone.mov" and other.video_path == str(tmp_path / "v.mp4") and other.series_csv is None
        assert [s.id for s in h.sessions()] == [s2, s1]  # by recorded time
        assert [s.id for s in h.sessions(person_id=anna)] == [s1]
        assert [s.id for s in h.sessions(test="squat")] == [s2]
        people = h.people()
        assert [(p.name, p.notes, p.sessions) for p in people] == [("Anna Berg", "left ACL 2025", 1), ("Ben", "", 1)]
        h.rename_person(ben, "Benjamin")
        with pytest.raises(HistoryError, match="already a person"):
            h.rename_person(ben, "anna berg")
        assert h.find_person("BENJAMIN").id == ben and h.find_person("Ben") is None
        assert "fppa_deg" in h.metrics(ben) and "fppa_deg" not in h.metrics(anna)
        assert h.integrity_ok()


def test_cascade_deletes(tmp_path: Path, seated_report: dict, squat_report: dict) -> None:
    db = tmp_path / "h.sqlite3"
    with History(db) as h:
        a, b = h.add_person("A"), h.add_person("B")
        sa1 = h.add_session(a, seated_report)
        h.add_session(a, squat_report)
        sb = h.add_session(b, seated_report)
        n_seated = len(flatten_report(seated_report))
        n_squat = len(flatten_report(squat_report))
        assert raw_count(db, "results") == 2 * n_seated + n_squat
        h.delete_session(sa1)
        assert raw_count(db, "sessions") == 2 and raw_count(db, "results") == n_seated + n_squat
        h.delete_person(a)
        assert raw_count(db, "sessions") == 1 and raw_count(db, "results") == n_seated
        assert [s.id for s in h.sessions()] == [sb]
        for call in (lambda: h.delete_session(sa1), lambda: h.delete_person(a), lambda: h.session(sa1)):
            with pytest.raises(HistoryError, match="no (session|person) with id"):
                call()
        with pytest.raises(HistoryError, match="no person with id"):
            h.add_session(a, seated_report)
        assert h.integrity_ok()


V1_SQL = """
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                     notes TEXT NOT NULL DEFAULT '', created TEXT NOT NULL);
CREATE TABLE sessions (id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    test TEXT NOT NULL, recorded_at TEXT NOT NULL, created TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '', hipvision_version TEXT NOT NULL DEFAULT '',
    report_json TEXT NOT NULL, series_csv TEXT, video_path TEXT);
CREATE INDEX sessions_by_person ON sessions(person_id, test, recorded_at);
PRAGMA user_version = 1;
"""


def test_migration_from_version_1_fills_results(tmp_path: Path, seated_report: dict, squat_report: dict) -> None:
    db = tmp_path / "old.sqlite3"
    con = sqlite3.connect(db)
    con.executescript(V1_SQL)
    con.execute("INSERT INTO people VALUES (1, 'Cleo', '', '2025-01-01T00:00:00+00:00')")
    for sid, rep, when in ((1, seated_report, "2025-02-01T00:00:00+00:00"), (2, squat_report, "2025-01-01T00:00:00+00:00")):
        con.execute(
            "INSERT INTO sessions(id, person_id, test, recorded_at, created, report_json) VALUES (?, 1, ?, ?, ?, ?)",
            (sid, rep["test"], when, when, json.dumps(rep)),
        )
    con.execute("INSERT INTO sessions(id, person_id, test, recorded_at, created, report_json) VALUES (3, 1, 'seated', '2025-03-01', '2025-03-01', 'not json')")
    con.commit()
    con.close()
    with History(db) as h:
        assert h.schema_version == SCHEMA_VERSION
        rows = h.progress(1, "seated", "ir_peak_deg")
        assert [(r.session_id, r.side, r.value) for r in rows] == [
            (1, "left", seated_report["sides"]["left"]["peak_ir_deg"]),
            (1, "right", seated_report["sides"]["right"]["peak_ir_deg"]),
        ]
        assert len(h.session(2).results) == len(flatten_report(squat_report))
        assert h.session(3).results == []  # an unreadable old report keeps its session
        assert h.session(1).series_path is None
        assert h.integrity_ok()


def test_refuses_newer_foreign_and_non_databases(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite3"
    con = sqlite3.connect(newer)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(HistoryError, match="newer hipvision"):
        History(newer)
    foreign = tmp_path / "other.sqlite3"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(HistoryError, match="another program"):
        History(foreign)
    assert raw_count(foreign, "invoices") == 0  # untouched
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is no database" * 100)
    with pytest.raises(HistoryError, match="not a usable hipvision history database"):
        History(junk)
    assert junk.read_bytes() == b"this is no database" * 100
    with pytest.raises(HistoryError, match="is a folder"):
        History(tmp_path)


def test_default_path_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIPVISION_DATA", str(tmp_path / "data"))
    with History() as h:
        assert h.path == tmp_path / "data" / "history.sqlite3"
    assert (tmp_path / "data" / "history.sqlite3").is_file()
    monkeypatch.delenv("HIPVISION_DATA")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    with History() as h:
        assert h.path == tmp_path / "xdg" / "hipvision" / "history.sqlite3"


def test_times_are_normalized_to_utc() -> None:
    assert normalize_time("2026-11-21T09:30:00+02:00") == "2026-11-21T07:30:00+00:00"
    assert normalize_time("2026-11-21T09:30:00Z") == "2026-11-21T09:30:00+00:00"
    with pytest.raises(HistoryError, match="not a date/time"):
        normalize_time("last tuesday")


CRASH_WRITER = textwrap.dedent(
    """
    import json, sys
    from hipvision.history import History
    report = json.loads(open(sys.argv[2]).read())
    series = "time_s,left_deg,right_deg\\n" + "0.0,1.0,2.0\\n" * 200_000   # ~2.4 MB per session
    with History(sys.argv[1]) as h:
        pid = h.get_or_create_person("Crash Test")
        for k in range(1000):
            print("writing", k, flush=True)
            sys.stdin.readline()  # the test says when: a slow kill can never let two more through
            h.add_session(pid, report, series_csv=series)
    """
)


def test_killed_mid_write_leaves_a_consistent_database(tmp_path: Path, squat_report: dict) -> None:
    db = tmp_path / "crash.sqlite3"
    rep = dict(squat_report, reps=squat_report["reps"] * 40)  # many result rows per session
    for i, r in enumerate(rep["reps"], start=1):
        rep["reps"][i - 1] = dict(r, index=i)
    rep_file = tmp_path / "report.json"
    rep_file.write_text(json.dumps(rep))
    script = tmp_path / "writer.py"
    script.write_text(CRASH_WRITER)
    expected_rows = len(flatten_report(rep))
    committed_before = 0
    for kill_after in (1, 3):
        p = subprocess.Popen([sys.executable, str(script), str(db), str(rep_file)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
        assert p.stdout is not None and p.stdin is not None
        started = 0
        for line in p.stdout:  # kill while the next session is being written
            started += 1
            p.stdin.write("go\n")
            p.stdin.flush()
            if started > kill_after:
                break
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=30)
        assert p.returncode == -signal.SIGKILL
        with History(db) as h:
            assert h.integrity_ok()
            sessions = h.sessions()
            for s in sessions:  # every session that exists is complete
                full = h.session(s.id)
                assert len(full.results) == expected_rows and full.series_csv.count("\n") == 200_001
            # "writing k" is printed after session k-1 was committed: those are all kept; the
            # session being written when the kill came is either complete or absent
            assert committed_before + kill_after <= len(sessions) <= committed_before + kill_after + 1
            committed_before = len(sessions)
            h.delete_session(h.add_session(h.find_person("Crash Test").id, squat_report))  # still writable


def test_progress_values_equal_the_reports_of_known_clips(tmp_path: Path) -> None:
    """Synthetic clips with known peaks, saved out of order: progress comes back in time
    order with exactly the reported values, which match the truth."""
    weeks = {  # recorded_at -> left IR truth; right IR fixed
        "2026-01-15": 28.0,
        "2026-01-01": 24.0,
        "2026-01-29": 33.0,
    }
    with History(tmp_path / "h.sqlite3") as h:
        pid = h.add_person("Dana")
        reports = {}
        for day, ir in weeks.items():
            seq, truth = rotation_clip("seated", [Move("left", ir), Move("left", -40), Move("right", 30), Move("right", -45)], noise_px=1.0, seed=3)
            run = run_analysis(seq, "seated")
            reports[day] = run.report
            h.add_session(pid, run.report, recorded_at=day, series_csv=series_csv(("time_s", "left_deg", "right_deg"), run.series_rows()))
        rows = h.progress(pid, "seated", "ir_peak_deg")
        days = sorted(weeks)
        assert [r.recorded_at[:10] for r in rows] == [d for d in days for _ in ("left", "right")]
        assert [r.side for r in rows] == ["left", "right"] * 3
        for d, (left, right) in zip(days, zip(rows[::2], rows[1::2])):
            assert left.value == reports[d]["sides"]["left"]["peak_ir_deg"]
            assert right.value == reports[d]["sides"]["right"]["peak_ir_deg"]
            assert left.value == pytest.approx(weeks[d], abs=2.0) and right.value == pytest.approx(30.0, abs=2.0)
        assert [round(r.value) for r in rows[::2]] == sorted(round(r.value) for r in rows[::2])  # improving

        seq, truth = screening_clip("squat", [Rep(valgus_left_m=0.07), Rep(), Rep(valgus_right_m=0.06)], noise_px=1.0, seed=6)
        rep = analyze(seq, "squat")
        h.add_session(pid, rep, recorded_at="2026-02-01")
        fppa = h.progress(pid, "squat", "fppa_deg")
        assert [(r.side, r.rep) for r in fppa] == [("left", 1), ("left", 2), ("left", 3), ("right", 1), ("right", 2), ("right", 3)]
        for r in fppa:
            assert r.value == rep["reps"][r.rep - 1][r.side]["fppa_deg"]
            assert r.value == pytest.approx(truth.fppa[r.rep - 1][r.side], abs=4.0)
        counts = {r.side: r.value for r in h.progress(pid, "squat", "valgus_reps")}
        assert counts == {s: float(rep["summary"]["valgus_reps"][s]) for s in ("left", "right")}
        borderline = {r.side: r.value for r in h.progress(pid, "squat", "valgus_borderline_reps")}
        assert borderline == {s: float(rep["summary"]["valgus_borderline_reps"][s]) for s in ("left", "right")}
        # one caving knee per side: flagged, or borderline where it is within its band of the threshold
        assert {s: counts[s] + borderline[s] for s in ("left", "right")} == {"left": 1.0, "right": 1.0}
        worst = {r.side: r.value for r in h.progress(pid, "squat", "fppa_max_deg")}
        from hipvision.analyzers.screening.schema import Knee

        assert worst["left"] == max(Knee.from_dict(r["left"]).judged_deg for r in rep["reps"])  # the highest peak


# --------------------------------------------------------------------------- video files of deleted sessions


def _video(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(b"not really a video, " + name.encode())
    return p


def test_deleting_a_session_removes_its_video_and_only_its_video(tmp_path: Path, seated_report: dict) -> None:
    videos = tmp_path / "data" / "videos"
    mine, other, shared = _video(videos, "mine.mp4"), _video(videos, "other.mp4"), _video(videos, "shared.mp4")
    elsewhere = _video(tmp_path / "Desktop", "saved-by-cli.mp4")  # analyze --save-video
    with History(tmp_path / "h.sqlite3", videos_dir=videos) as h:
        a, b = h.add_person("A"), h.add_person("B")
        s_mine = h.add_session(a, seated_report, video_path=mine)
        s_other = h.add_session(b, seated_report, video_path=other)
        s_shared1 = h.add_session(a, seated_report, video_path=shared)
        s_shared2 = h.add_session(b, seated_report, video_path=shared)
        s_cli = h.add_session(a, seated_report, video_path=elsewhere)

        done = h.delete_session(s_mine)
        assert done.sessions == 1 and done.removed == (mine,) and done.kept == ()
        assert not mine.exists() and other.exists() and shared.exists() and elsewhere.exists()
        assert h.delete_session(s_shared1).removed == ()  # session 2 still shows it
        assert shared.exists()
        assert h.delete_session(s_shared2).removed == (shared,) and not shared.exists()
        done = h.delete_session(s_cli)
        assert done.removed == () and done.kept == (elsewhere,) and elsewhere.exists()  # the user's file
        assert other.exists() and [s.id for s in h.sessions()] == [s_other]
        # a session whose file is already gone is deleted all the same
        other.unlink()
        assert h.delete_session(s_other) == type(done)(1, (), ())
        assert h.integrity_ok()


def test_deleting_a_person_removes_all_their_videos(tmp_path: Path, seated_report: dict, squat_report: dict) -> None:
    videos = tmp_path / "videos"
    theirs = [_video(videos, f"a{i}.mp4") for i in range(3)]
    kept = _video(videos, "b.mp4")
    stray = _video(videos, "not-in-history.mp4")
    with History(tmp_path / "h.sqlite3", videos_dir=videos) as h:
        a, b = h.add_person("A"), h.add_person("B")
        for v, rep in zip(theirs, (seated_report, squat_report, seated_report)):
            h.add_session(a, rep, video_path=v)
        h.add_session(a, squat_report)  # no video
        h.add_session(b, squat_report, video_path=kept)
        done = h.delete_person(a)
        assert done.sessions == 4 and sorted(done.removed) == sorted(theirs)
        assert not any(v.exists() for v in theirs) and kept.exists() and stray.exists()
        assert [p.name for p in h.people()] == ["B"]


def test_deletion_never_removes_anything_outside_the_videos_folder(tmp_path: Path, seated_report: dict) -> None:
    videos = tmp_path / "videos"
    videos.mkdir()
    outside = _video(tmp_path / "docs", "thesis.mp4")
    escape = videos / ".." / "docs" / "thesis.mp4"  # textually inside, really outside
    (videos / "link").symlink_to(tmp_path / "docs")  # a folder link leading outside
    through_link = videos / "link" / "thesis.mp4"
    sub = _video(videos / "2026", "inside-subfolder.mp4")
    folder = videos / "a-folder.mp4"
    folder.mkdir()
    with History(tmp_path / "h.sqlite3", videos_dir=videos) as h:
        pid = h.add_person("A")
        for p in (escape, through_link, "relative/thesis.mp4", folder, sub):
            h.add_session(pid, seated_report, video_path=p)
        done = h.delete_person(pid)
    assert outside.exists() and folder.is_dir()
    assert done.removed == (sub,) and not sub.exists()
    assert set(done.kept) == {escape, through_link, folder}


def test_a_failed_deletion_removes_no_file(tmp_path: Path, seated_report: dict) -> None:
    videos = tmp_path / "videos"
    v = _video(videos, "v.mp4")
    with History(tmp_path / "h.sqlite3", videos_dir=videos) as h:
        sid = h.add_session(h.add_person("A"), seated_report, video_path=v)
        with pytest.raises(HistoryError, match="no session with id"):
            h.delete_session(sid + 1)
        with pytest.raises(HistoryError, match="no person with id"):
            h.delete_person(99)
        assert v.exists() and h.session(sid).video_path == str(v)


def test_the_default_videos_folder_is_in_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIPVISION_DATA", str(tmp_path / "d"))
    with History(tmp_path / "elsewhere.sqlite3") as h:
        assert h.videos_dir == tmp_path / "d" / "videos"

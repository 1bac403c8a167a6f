"""The Streamlit app as a user drives it (AppTest: no browser)."""

from __future__ import annotations

import datetime
import re
import tomllib
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from hipvision.api import analyze
from hipvision.posecsv import write_pose_csv
from hipvision.synthetic import Rep, screening_clip

from synthetic import make_sequence, standing_pose

APP = str(Path(__file__).resolve().parents[1] / "app.py")
STREAMLIT_CONFIG = Path(APP).parent / ".streamlit" / "config.toml"


@pytest.fixture(autouse=True)
def _server_address_as_configured() -> Iterator[None]:
    """AppTest reads .streamlit/config.toml only when run from the checkout; the app sees the
    server address `streamlit run app.py` would use (loopback: no password asked)."""
    address = tomllib.loads(STREAMLIT_CONFIG.read_text())["server"]["address"]
    with patch_config_options({"server.address": address}):
        yield


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def _upload(at: AppTest, name: str, data: bytes, test: str | None = None) -> AppTest:
    at.radio[0].set_value("Upload a pose CSV").run()
    at.file_uploader[0].set_value((name, data, "text/csv"))
    if test:
        at.selectbox[0].set_value(test)
    return at.run()


def _deg(value: str) -> float:
    """A dashboard metric "36.1 ± 4.8°" (or "36.1°") as its number."""
    return float(value.split(" ± ")[0].rstrip("°"))


def test_app_shows_the_seated_sample_result() -> None:
    at = _app()
    assert not at.exception
    assert "hipvision" in at.title[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Frames"] == "645"
    # per-side cards with the sample's known answers (left IR 36, right IR 24)
    irs = [m.value for m in at.metric if m.label == "IR"]
    # the sample was generated with left IR 36, right IR 24 (samples/make_samples.py)
    assert [_deg(v) for v in irs] == pytest.approx([36.0, 24.0], abs=1.0)
    assert all(" ± " in v for v in irs)  # every number with its error band
    # left IR 36 vs right 24: 12 deg apart, within the difference's error band of "equal"
    assert any("**IR**: left and right differ by 12" in m.value and "(borderline)" in m.value for m in at.markdown)
    assert any(el.type == "arrow_vega_lite_chart" or "vega" in el.type for el in at.main)


def test_app_squat_sample_shows_a_rep_table() -> None:
    at = _app()
    at.radio[0].set_value("Squat (sample)").run()
    assert not at.exception
    assert at.selectbox[0].value == "squat"
    assert len(at.table) == 1
    assert len(at.table[0].value) == 3  # three reps in the demo


def test_uploaded_screening_csv_is_analysed(tmp_path: Path) -> None:
    seq, _ = screening_clip("squat", [Rep(valgus_left_m=0.07), Rep()], seed=1)
    csv = write_pose_csv(seq, tmp_path / "s.csv")
    at = _upload(_app(), "s.csv", csv.read_bytes(), "squat")
    assert not at.exception
    table = at.table[0].value
    # rep 1's left knee caves in (about 19 deg against 10): flagged, or borderline within its band
    assert [bool(a) or bool(b) for a, b in zip(table["valgus left"], table["borderline left"])] == [True, False]


def test_uploaded_deep_squat_says_where_fppa_was_read(tmp_path: Path) -> None:
    """Deep squats (thigh foreshortened at the bottom): the rep table's FPPA says where it was
    read, with the legend beside the table; the shallow rep's does not."""
    from hipvision.wording import FPPA_CAVEAT_LEGEND

    seq, _ = screening_clip("squat", [Rep(depth=1.4), Rep(depth=0.6)], noise_px=1.0, seed=3)
    csv = write_pose_csv(seq, tmp_path / "deep.csv")
    at = _upload(_app(), "deep.csv", csv.read_bytes(), "squat")
    assert not at.exception
    table = at.table[0].value
    num = r"-?\d+\.\d ± \d+\.\d°"  # every number with its error band
    peak = rf"; peak {num} on the way (?:down|up) at \d+\.\d\d s \(\d+ % depth\)|; peak {num} at the bottom at \d+\.\d\d s \(\d+ % depth\)"
    assert all(re.fullmatch(rf"bottom {num} \(read at \d+ % depth: thigh foreshortened below\)(?:{peak})", c) for c in table.iloc[0][["FPPA left", "FPPA right"]])
    assert all(re.fullmatch(rf"bottom {num}(?:{peak})", c) for c in table.iloc[1][["FPPA left", "FPPA right"]])
    assert any(c.value == FPPA_CAVEAT_LEGEND for c in at.caption)


def test_uploaded_csv_with_a_hidden_knee_gets_a_plain_warning(tmp_path: Path) -> None:
    n = 60
    vis = np.full((n, 33), 0.95)
    vis[:40, 26] = 0.1  # right knee hidden two thirds of the time
    csv = write_pose_csv(make_sequence(np.stack([standing_pose()] * n), visibility=vis), tmp_path / "p.csv")
    at = _upload(_app(), "p.csv", csv.read_bytes())
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Frames"] == "60"
    assert any("right knee 33 %" in w.value for w in at.warning)
    # a standing person is no seated rotation test: a message, not a traceback
    assert any("no seated rotation test found" in e.value for e in at.error)


def test_bad_upload_is_a_message_not_a_traceback() -> None:
    at = _upload(_app(), "x.csv", b"hello,world\n1,2\n")
    assert not at.exception
    assert any("missing required column" in e.value for e in at.error)


def test_a_new_upload_or_a_sample_replaces_the_last_upload(tmp_path: Path) -> None:
    from hipvision.dashboard import workdirs

    seq, _ = screening_clip("squat", [Rep(), Rep()], seed=2)
    first = write_pose_csv(seq, tmp_path / "first.csv").read_bytes()
    at = _upload(_app(), "first.csv", first, "squat")
    assert not at.exception and len(at.table) == 1
    work = Path(at.session_state["workdir"])
    assert workdirs.is_ours(work)
    (old,) = work.glob("uploads/*/first.csv")
    at.file_uploader[0].set_value(("second.csv", first + b"", "text/csv"))
    at.run()
    assert not at.exception and len(at.table) == 1
    (new,) = work.glob("uploads/*/second.csv")
    assert not old.exists() and not old.parent.exists()  # replaced, folder and all
    assert [k[0] for k in at.session_state["poses"]] == [str(new)]  # the old result is forgotten
    at.radio[0].set_value("Squat (sample)").run()
    assert not at.exception and len(at.table) == 1
    assert not new.exists() and list(work.glob("uploads/*")) == []
    assert (Path(APP).parent / "samples" / "demo_squat_front.pose.csv").is_file()  # samples are never removed


def test_starting_the_app_sweeps_stale_session_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import tempfile
    import time

    from hipvision.config import DASHBOARD
    from hipvision.dashboard import workdirs

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the app's temporary folder
    monkeypatch.setattr(workdirs, "_last_sweep", [])  # a freshly started app
    stale, fresh = workdirs.create(), workdirs.create()
    old = time.time() - DASHBOARD.stale_workdir_hours * 3600 - 60
    os.utime(stale / DASHBOARD.workdir_marker, (old, old))
    unmarked = tmp_path / f"{DASHBOARD.workdir_prefix}unmarked"
    unmarked.mkdir()
    os.utime(unmarked, (old, old))
    at = _app()
    assert not at.exception
    assert not stale.exists() and fresh.exists() and unmarked.exists()
    assert Path(at.session_state["workdir"]).parent == tmp_path  # this session's own folder


def _prone_upload_with_stickers(tmp_path: Path):
    """The app with a rendered prone video (left leg turned 30 deg) uploaded, stickers chosen."""
    from hipvision.synthetic import Move
    from hipvision.tracking.synthetic_frames import write_rotation_video

    video = tmp_path / "prone.mp4"
    write_rotation_video(video, "prone", [Move("left", 30.0)], width=480)
    at = _app()
    at.radio[0].set_value("Upload a video").run()
    at.selectbox(key="test").set_value("prone").run()
    at.file_uploader[0].set_value((video.name, video.read_bytes(), "video/mp4")).run()
    at.selectbox(key="track_prone_Upload a video").set_value("stickers").run()
    return at


def test_leaving_an_uploaded_video_deletes_it_and_its_annotated_video(tmp_path: Path) -> None:
    at = _prone_upload_with_stickers(tmp_path)
    next(b for b in at.button if b.label == "Analyse video").click().run(timeout=120)
    assert not at.exception and not at.error
    work = Path(at.session_state["workdir"])
    (upload,) = work.glob("uploads/*/prone.mp4")
    (annotated,) = work.glob("result-*/prone.prone.annotated.mp4")
    assert any(el.type == "video" for el in at.main)
    at.radio[0].set_value("Upload a pose CSV").run()
    assert not at.exception
    assert not upload.exists() and not annotated.parent.exists()
    assert sorted(p.name for p in work.iterdir()) == [".hipvision-app-session", "uploads"]
    assert not at.session_state["outcomes"] and not at.session_state["poses"]


def test_an_uploaded_video_is_analysed_in_one_pass_and_redrawn_for_another_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Analyse video: tracking, report and annotated video in one decode; the mirrored
    option afterwards re-analyses the kept tracks and redraws the video (one decode, no
    tracking again)."""
    from passes import count_passes

    at = _prone_upload_with_stickers(tmp_path)
    passes = count_passes(monkeypatch)
    next(b for b in at.button if b.label == "Analyse video").click().run(timeout=120)
    assert not at.exception and not at.error
    assert len(passes.decodes) == 1
    work = Path(at.session_state["workdir"])
    assert len(list(work.glob("result-*/prone.prone.annotated.mp4"))) == 1
    assert any("Knees and ankles by **markers**" in c.value for c in at.caption)
    assert [m.value for m in at.metric if m.label == "IR"][1] == "-"  # the person's left leg turned
    assert _deg([m.value for m in at.metric if m.label == "IR"][0]) == pytest.approx(30.0, abs=2.0)
    at.checkbox(key="opt_mirrored").check().run(timeout=120)
    assert not at.exception and not at.error
    assert len(passes.decodes) == 2  # the redraw only
    assert len(list(work.glob("result-*/prone.prone.annotated.mp4"))) == 2
    assert [m.value for m in at.metric if m.label == "IR"][0] == "-"  # sides swapped
    assert _deg([m.value for m in at.metric if m.label == "IR"][1]) == pytest.approx(30.0, abs=2.0)


# --------------------------------------------------------------------------- video uploads

from shared_paths import MEDIA, find_model  # noqa: E402

CLIP = MEDIA / "squat_front_oblique_bodyweight_tfjs_refkp.mp4"


def _upload_video(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio[0].set_value("Upload a video").run()
    at.file_uploader[0].set_value((name, data, "video/mp4"))
    return at.run()


@pytest.mark.model
@pytest.mark.skipif(find_model() is None or not CLIP.is_file(), reason="needs the pose model and ../shared/media")
def test_uploaded_video_is_analysed_with_an_annotated_video_and_exports() -> None:
    at = _upload_video(_app(), CLIP.name, CLIP.read_bytes())
    assert not at.exception
    assert any("Press **Analyse video**" in i.value for i in at.info)  # nothing runs before the click
    at.selectbox[0].set_value("squat")
    at.button[0].click()
    at.run(timeout=180)
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Frames"] == "65"
    assert len(at.table) == 1  # the rep table
    # the clip is filmed obliquely: the page says valgus is not judged rather than guessing
    assert any("not judged" in w.value for w in at.warning)
    assert any(el.type == "video" for el in at.main)
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Report (JSON)", "Per-frame series (CSV)", "Annotated video (MP4)"} <= set(labels)
    # changing the test re-analyses the stored pose: no new model run, and a wrong test
    # gets a message with the suggested test
    at.selectbox[0].set_value("seated").run()
    assert not at.exception
    assert any("no seated rotation test found" in e.value for e in at.error)


def test_a_text_file_named_mp4_is_a_message() -> None:
    at = _upload_video(_app(), "notes.mp4", b"this is not a video\n" * 100)
    at.button[0].click()
    at.run()
    assert not at.exception
    assert at.error and at.error[0].value.startswith("notes.mp4: not a readable video")
    assert "/tmp" not in at.error[0].value  # no server-side paths in the page


def test_an_upload_over_the_limit_is_refused_with_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIPVISION_MAX_UPLOAD_MB", "0.001")
    at = _upload_video(_app(), "big.mp4", b"\0" * 5000)
    assert not at.exception
    assert any("the limit is 0.001 MB" in e.value and "Trim" in e.value for e in at.error)
    assert not at.button  # nothing to analyse


def test_the_upload_limit_is_streamlits_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """The uploader tells the browser hipvision's limit (the browser and Streamlit's server
    refuse larger files before the app sees them: tests/test_privacy_server.py)."""
    monkeypatch.setenv("HIPVISION_MAX_UPLOAD_MB", "5")
    at = _app()
    at.radio[0].set_value("Upload a video").run()
    assert at.file_uploader[0].proto.max_upload_size_mb == 5
    monkeypatch.setenv("HIPVISION_MAX_UPLOAD_MB", "2.5")  # whole MB, rounded up
    at.run()
    assert at.file_uploader[0].proto.max_upload_size_mb == 3


# --------------------------------------------------------------------------- history and exports


def _history_page() -> None:
    from hipvision.dashboard import page_history

    page_history.render()


def _save(at: AppTest, name: str, when: datetime.date, new: bool = True) -> AppTest:
    at.run()  # the person list as it is now
    at.selectbox(key="hist_pick").set_value("(new person)" if new else name)
    at.run()
    if new:
        at.text_input(key="hist_new_name").set_value(name)
    at.date_input(key="hist_date").set_value(when)
    at.button(key="hist_save").click()
    return at.run()


def test_saved_results_show_up_in_history_with_progress_and_can_be_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hipvision.history import History

    monkeypatch.setenv("HIPVISION_DATA", str(tmp_path))
    at = _app()  # the seated sample: left IR 36
    at = _save(at, "Ana Example", datetime.date(2026, 10, 1))
    assert not at.exception
    assert any("Saved as session 1 for Ana Example" in s.value for s in at.success)
    at = _save(at, "Ana Example", datetime.date(2026, 11, 1), new=False)
    assert any("Saved as session 2" in s.value for s in at.success)

    with History(tmp_path / "history.sqlite3") as h:
        (person,) = h.people()
        prog = h.progress(person.id, "seated", "ir_peak_deg")
    assert [(r.recorded_at[:10], r.side) for r in prog] == [
        ("2026-10-01", "left"), ("2026-10-01", "right"), ("2026-11-01", "left"), ("2026-11-01", "right")
    ]
    sample_report = analyze(Path(APP).parent / "samples" / "seated_rotation.pose.csv", "seated")
    assert prog[0].value == sample_report["sides"]["left"]["peak_ir_deg"]
    assert prog[0].value == pytest.approx(36.0, abs=1.0)  # the sample was made with left IR 36

    page = AppTest.from_function(_history_page, default_timeout=60).run()
    assert not page.exception
    assert page.selectbox(key="history_person").value.startswith("Ana Example (2 sessions)")
    assert page.selectbox(key="history_metric").value == "ir_peak_deg"
    chart = [el for el in page.main if "vega" in el.type]
    assert chart, "a progress chart"
    assert len(page.table[0].value) == 2
    labels = {b.proto.label for b in page.get("download_button")}
    assert {"Printable report (HTML)", "Report (JSON)", "All of Ana Example's results (CSV)"} <= labels

    page.checkbox(key="sure_session_2").check().run()
    page.button(key="del_session_2").click().run()
    assert not page.exception
    with History(tmp_path / "history.sqlite3") as h:
        assert [s.id for s in h.sessions()] == [1]


def test_history_page_copes_with_a_missing_video_and_deletes_saved_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hipvision.api import analyze
    from hipvision.history import History

    monkeypatch.setenv("HIPVISION_DATA", str(tmp_path))
    report = analyze(Path(APP).parent / "samples" / "seated_rotation.pose.csv", "seated")
    videos = tmp_path / "videos"
    videos.mkdir()
    gone, there, other = videos / "gone.mp4", videos / "there.mp4", videos / "other.mp4"
    there.write_bytes(b"\0" * 100)
    other.write_bytes(b"\0" * 100)
    with History() as h:
        pid = h.add_person("Mo")
        s_gone = h.add_session(pid, report, recorded_at="2026-10-01", video_path=gone)
        s_there = h.add_session(pid, report, recorded_at="2026-11-01", video_path=there)
        h.add_session(h.add_person("Zed"), report, video_path=other)

    page = AppTest.from_function(_history_page, default_timeout=60).run()
    assert not page.exception and page.selectbox(key="history_person").value.startswith("Mo (2 sessions)")
    assert page.selectbox(key="history_session").value == s_there  # newest first
    assert not any("no longer on this computer" in i.value for i in page.info)
    page.toggle(key=f"show_video_{s_there}").set_value(True).run()
    assert any(el.type == "video" for el in page.main)

    page.selectbox(key="history_session").set_value(s_gone).run()
    assert not page.exception and not page.error
    assert any("no longer on this computer (gone.mp4" in i.value for i in page.info)
    assert {"Printable report (HTML)", "Report (JSON)"} <= {b.proto.label for b in page.get("download_button")}

    page.selectbox(key="history_session").set_value(s_there).run()
    page.checkbox(key=f"sure_session_{s_there}").check().run()
    page.button(key=f"del_session_{s_there}").click().run()
    assert not page.exception
    assert any(f"Deleted session {s_there} with 1 annotated video." == s.value for s in page.success)
    assert not there.exists() and other.exists()

    page.checkbox(key="sure_person_1").check().run()
    page.button(key="del_person_1").click().run()
    assert not page.exception and any(s.value == "Deleted Mo." for s in page.success)
    assert other.exists()
    with History() as h:
        assert [p.name for p in h.people()] == ["Zed"]


def test_exports_of_a_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import xml.etree.ElementTree as ET

    monkeypatch.setenv("HIPVISION_DATA", str(tmp_path))
    at = _app()
    buttons = {b.proto.label: b for b in at.get("download_button")}
    assert {"Report (JSON)", "Results (CSV)", "Per-frame series (CSV)"} <= set(buttons)
    make = [b for b in at.button if b.label == "Make a printable report"]
    make[0].click()
    at.run()
    assert not at.exception
    labels = {b.proto.label for b in at.get("download_button")}
    assert "Printable report (HTML)" in labels
    from hipvision.dashboard.page_analyse import printable_report
    from hipvision.dashboard import jobs
    from hipvision.config import DEFAULT_SETTINGS

    sample = Path(APP).parent / "samples" / "seated_rotation.pose.csv"
    out = jobs.analyse(sample, jobs.find_pose(sample), "seated")
    html = printable_report(out, sample, DEFAULT_SETTINGS, person="Ana")
    left_ir = out.report["sides"]["left"]["peak_ir_deg"]
    assert left_ir == pytest.approx(36.0, abs=1.0)  # the sample was made with left IR 36
    assert f"{left_ir:.1f}" in html and "Ana" in html and "http://" not in html and "https://" not in html
    svg = html[html.index("<svg"): html.index("</svg>") + 6]
    ET.fromstring(svg)  # valid inline SVG
    assert json.loads(json.dumps(out.report))["sides"]["left"]["peak_ir_deg"] == left_ir


# --------------------------------------------------------------------------- prone tracking


def test_the_generated_prone_sample_video_is_tracked_by_its_stickers() -> None:
    from hipvision.dashboard.page_analyse import SAMPLE_VIDEO, SAMPLE_VIDEO_MOVES

    at = _app()
    at.radio[0].set_value(SAMPLE_VIDEO)
    at.run(timeout=300)
    assert not at.exception
    assert at.selectbox[0].value == "prone"
    assert any("Knees and ankles by **markers**" in c.value for c in at.caption)
    metrics = [(m.label, m.value) for m in at.metric if m.label in ("IR", "ER")]
    got = [_deg(v) for _, v in metrics]  # left IR, ER, right IR, ER
    truth = [38.0, 32.0, 30.0, 40.0]
    assert SAMPLE_VIDEO_MOVES == (("left", 38.0), ("left", -32.0), ("right", 30.0), ("right", -40.0))
    assert got == pytest.approx(truth, abs=2.0)  # the marker-mode target
    assert any(el.type == "video" for el in at.main)


def test_assisted_tracking_waits_for_four_marks_then_tracks(tmp_path: Path) -> None:
    from hipvision.synthetic import Move
    from hipvision.tracking.synthetic_frames import write_rotation_video

    # bare shins (no stickers), both legs turning together: IR 35, then ER 10 (further, bent
    # shins cross in this view)
    video = tmp_path / "bare_prone.mp4"
    clip = write_rotation_video(video, "prone", [Move("both", 35.0), Move("both", -10.0)], width=640, color=None, noise_sd=2.0)
    at = _upload_video(_app(), video.name, video.read_bytes())
    at.selectbox[0].set_value("prone").run()
    at.selectbox(key="track_prone_Upload a video").set_value("points I mark on the first frame").run()
    assert not at.exception
    assert any("Place left knee, left ankle, right knee, right ankle" in i.value for i in at.info)
    # the points a user would click on the first frame
    (saved,) = Path(at.session_state["workdir"]).glob(f"uploads/*/{video.name}")
    at.session_state["marks"] = {str(saved): {p: (float(xy[0][0]), float(xy[0][1])) for p, xy in clip.points.items()}}
    at.run()
    [b for b in at.button if b.label == "Analyse video"][0].click()
    at.run(timeout=300)
    assert not at.exception
    assert any("Knees and ankles by **assisted**" in c.value for c in at.caption)
    ir = [_deg(m.value) for m in at.metric if m.label == "IR"]
    er = [_deg(m.value) for m in at.metric if m.label == "ER"]
    assert ir == pytest.approx([35.0, 35.0], abs=3.0)  # the assisted-mode target
    assert er == pytest.approx([10.0, 10.0], abs=3.0)

"""The Streamlit app as a user drives it (AppTest: no browser)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from hipvision.posecsv import write_pose_csv
from hipvision.synthetic import Rep, screening_clip

from synthetic import make_sequence, standing_pose

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


def _upload(at: AppTest, name: str, data: bytes, test: str | None = None) -> AppTest:
    at.radio[0].set_value("Upload a pose CSV").run()
    at.file_uploader[0].set_value((name, data, "text/csv"))
    if test:
        at.selectbox[0].set_value(test)
    return at.run()


def test_app_shows_the_seated_sample_result() -> None:
    at = _app()
    assert not at.exception
    assert "hipvision" in at.title[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Frames"] == "645"
    # per-side cards with the sample's known answers (left IR 36, right IR 24)
    irs = [m.value for m in at.metric if m.label == "IR"]
    assert irs[0].startswith("36") and irs[1].startswith("2")
    assert any("borderline" in m.value or "not equal" in m.value for m in at.markdown)
    assert any(el.type == "arrow_vega_lite_chart" or "vega" in el.type for el in at.main)


def test_app_squat_sample_shows_a_rep_table() -> None:
    at = _app()
    at.radio[0].set_value("Squat (sample)").run()
    assert not at.exception
    assert at.selectbox[0].value == "squat"
    assert len(at.dataframe) == 1
    assert len(at.dataframe[0].value) == 3  # three reps in the demo


def test_uploaded_screening_csv_is_analysed(tmp_path: Path) -> None:
    seq, _ = screening_clip("squat", [Rep(valgus_left_m=0.07), Rep()], seed=1)
    csv = write_pose_csv(seq, tmp_path / "s.csv")
    at = _upload(_app(), "s.csv", csv.read_bytes(), "squat")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["valgus left"]) == [True, False]


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

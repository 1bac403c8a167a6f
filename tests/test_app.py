"""The Streamlit app as a user drives it (AppTest: no browser)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from hipvision.posecsv import write_pose_csv

from synthetic import make_sequence, standing_pose

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio[0].set_value("Upload a pose CSV").run()
    at.file_uploader[0].set_value((name, data, "text/csv"))
    return at.run()


def test_app_starts_and_shows_the_sample() -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "hipvision" in at.title[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Frames"] == "360"
    assert metrics["Person found"] == "100 %"
    assert metrics["Frame rate"] == "30 fps"
    assert any(el.type == "arrow_vega_lite_chart" or "vega" in el.type for el in at.main)


def test_uploaded_csv_with_a_hidden_knee_gets_a_plain_warning(tmp_path: Path) -> None:
    n = 60
    vis = np.full((n, 33), 0.95)
    vis[:40, 26] = 0.1  # right knee hidden two thirds of the time
    csv = write_pose_csv(make_sequence(np.stack([standing_pose()] * n), visibility=vis), tmp_path / "p.csv")
    at = _upload(AppTest.from_file(APP, default_timeout=60).run(), "p.csv", csv.read_bytes())
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Frames"] == "60"
    assert any("right knee 33 %" in w.value for w in at.warning)


def test_bad_upload_is_a_message_not_a_traceback() -> None:
    at = _upload(AppTest.from_file(APP, default_timeout=60).run(), "x.csv", b"hello,world\n1,2\n")
    assert not at.exception
    assert any("missing required column" in e.value for e in at.error)

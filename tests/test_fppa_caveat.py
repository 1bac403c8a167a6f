"""Deep squats: where the thigh is foreshortened the per-frame FPPA (and the charts drawn from
it) has no value, as the 2-D angle has no meaning there. Synthetic clips with known geometry."""

from __future__ import annotations

import numpy as np
import pytest

from hipvision.analyzers import get
from hipvision.api import run_analysis
from hipvision.config import DEFAULT_SETTINGS
from hipvision.dashboard import charts
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.synthetic import Rep, screening_clip

DEEP, SHALLOW = 1.4, 0.6  # knee flexion 140 deg (thigh foreshortened) and 60 deg (not)
MIN_RATIO = DEFAULT_SETTINGS.screening.min_thigh_ratio


@pytest.fixture(scope="module")
def deep():
    seq, _ = screening_clip("squat", [Rep(depth=DEEP), Rep(depth=SHALLOW), Rep(depth=DEEP)], noise_px=1.0, seed=3)
    return seq, run_analysis(seq, "squat")


def _image_truth(seq) -> tuple[np.ndarray, np.ndarray]:
    """Per frame, from the landmarks as the camera sees them (the camera is level): how much
    of its standing downward length each thigh still shows (min of both), and the pelvis
    drop over the ankles in % of its standing height. Standing = the first second."""
    y = {n: seq.xy[:, LANDMARK_INDEX[n], 1] for n in LANDMARK_INDEX}
    stand = seq.time_s < 1.0
    thigh = np.minimum(*[(y[f"{s}_knee"] - y[f"{s}_hip"]) / np.median((y[f"{s}_knee"] - y[f"{s}_hip"])[stand]) for s in ("left", "right")])
    height = (y["left_ankle"] + y["right_ankle"]) / 2 - (y["left_hip"] + y["right_hip"]) / 2
    return thigh, 100 * (1 - height / np.median(height[stand]))


def test_fppa_series_has_no_value_where_the_thigh_is_foreshortened(deep) -> None:
    seq, run = deep
    thigh, _ = _image_truth(seq)
    rows = run.series_rows()
    assert len(rows) == len(seq)
    fppa = np.array([[np.nan if v is None else v for v in r[2:4]] for r in rows])
    foreshortened, clear = thigh < MIN_RATIO - 0.05, thigh > MIN_RATIO + 0.05
    assert foreshortened.sum() > 20 and clear.sum() > 100
    assert np.isnan(fppa[foreshortened]).all()
    assert np.isfinite(fppa[clear]).all()


def test_dashboard_fppa_chart_breaks_its_lines_where_fppa_is_missing(deep) -> None:
    seq, run = deep
    thigh, _ = _image_truth(seq)
    series = charts.series_frame(run.series_rows(), get("squat").series_columns)
    spec = charts.screening_time_chart(run.report, series).to_dict()
    data = spec["datasets"][spec["layer"][0]["data"]["name"]]
    times = {round(t, 6) for t in seq.time_s[thigh < MIN_RATIO - 0.05]}
    assert times and not any(round(d["time_s"], 6) in times for d in data)
    assert spec["layer"][0]["encoding"]["detail"]["field"] == "stretch"
    gap_times = np.array(sorted(times))
    for side in ("left", "right"):
        pts = sorted((d["time_s"], d["stretch"]) for d in data if d["side"] == side)
        assert len({st for _, st in pts}) == 3  # before, between and after the two deep bottoms
        for (t0, s0), (t1, s1) in zip(pts, pts[1:]):
            # two neighbouring points are joined only when no foreshortened frame lies between them
            assert (s0 == s1) == (not ((gap_times > t0) & (gap_times < t1)).any())

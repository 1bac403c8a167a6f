"""Valgus is judged over the whole rep: the knees of a squat that cave in only on the way up
(straight at the bottom) are flagged, with the peak, when it happened and in which phase;
the definition stands beside the numbers in every place a rep's FPPA is shown."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from hipvision import api
from hipvision.config import DEFAULT_SETTINGS
from hipvision.report_html import render_report
from hipvision.synthetic import Rep, screening_clip
from hipvision.wording import FPPA_DEFINITION

#: shallow enough that the thigh stays measurable through the rep (a deep squat's bottom is
#: not, which is a separate matter: tests/test_fppa_caveat.py)
DEPTH = 0.55


def _clip(**rep):
    reps = [Rep(depth=DEPTH, down_s=1.0, pause_s=0.2, up_s=1.6, **rep) for _ in range(3)]
    return screening_clip("squat", reps, noise_px=1.0, seed=7)


def test_a_collapse_on_the_way_up_is_flagged_with_its_peak_and_time() -> None:
    seq, truth = _clip(valgus_left_m=0.09, valgus_on_the_way_up=True)
    report = api.run_analysis(seq, "squat").report
    thr = report["thresholds"]["fppa_valgus_deg"]
    for r, (start, bottom, end), true_bottom, true_peak in zip(report["reps"], truth.rep_times, truth.fppa, truth.fppa_peak):
        left = r["left"]
        value, when = true_peak["left"]
        assert value > thr + 3 and true_bottom["left"] < thr - 3, "the clip must show the case"
        assert abs(left["fppa_peak_deg"] - value) <= 3.0, (left, value)
        assert abs(left["fppa_peak_s"] - when) <= 0.25 and bottom < left["fppa_peak_s"] < end
        assert left["fppa_peak_phase"] == "ascent"
        assert left["valgus"] is True  # flagged on the peak ...
        assert left["fppa_deg"] < thr  # ... though the bottom value alone would pass
        assert r["right"]["valgus"] is False
    assert report["summary"]["valgus_reps"] == {"left": 3, "right": 0}
    w = report["summary"]["worst_rep"]
    assert w["side"] == "left" and w["fppa_deg"] == max(r["left"]["fppa_peak_deg"] for r in report["reps"])


def test_valgus_at_the_bottom_peaks_at_the_bottom() -> None:
    seq, truth = _clip(valgus_right_m=0.08)
    report = api.run_analysis(seq, "squat").report
    for r, true_peak in zip(report["reps"], truth.fppa_peak):
        right = r["right"]
        assert right["fppa_peak_phase"] == "bottom"
        assert abs(right["fppa_peak_deg"] - true_peak["right"][0]) <= 3.0
        assert abs(right["fppa_peak_deg"] - right["fppa_deg"]) <= 2.0


def test_standing_frames_do_not_make_the_peak() -> None:
    """A knee in varus through the rep: its peak is the least varus of the loaded frames,
    never the near-0 of standing."""
    seq, truth = _clip(valgus_left_m=-0.08, valgus_right_m=-0.08)
    report = api.run_analysis(seq, "squat").report
    for r, true_bottom in zip(report["reps"], truth.fppa):
        for side in ("left", "right"):
            d = r[side]
            assert d["fppa_peak_depth_pct"] >= 0.5 * r["depth_pct"] - 2
            # in varus (the window's edge, where the knee is least bent out), far from standing's 0
            assert true_bottom[side] - 1 <= d["fppa_peak_deg"] < -5, (d, true_bottom)
            assert d["valgus"] is False


def test_the_definition_and_the_peak_are_shown_beside_the_numbers(tmp_path) -> None:
    seq, _ = _clip(valgus_left_m=0.09, valgus_on_the_way_up=True)
    run = api.run_analysis(seq, "squat")
    from hipvision import analyzers

    text = analyzers.get("squat").summary_text(run.report)
    assert FPPA_DEFINITION in text and "peak" in text and " up " in text
    html = render_report(run.report, settings=DEFAULT_SETTINGS)
    assert "on the way up" in html and "the valgus flag is raised on the peak" in html
    from hipvision.analyzers.screening.view import rep_table

    table = rep_table(run.report)
    assert all("on the way up" in v for v in table["FPPA left"])


@pytest.mark.parametrize("fps", [24.0, 60.0])
def test_one_glitchy_frame_is_no_peak(fps: float) -> None:
    seq, truth = screening_clip("squat", [Rep(depth=DEPTH, down_s=1.0, pause_s=0.2, up_s=1.6)] * 2, fps=fps, noise_px=0.5, seed=3)
    xy = seq.xy.copy()
    from hipvision.landmarks import LANDMARK_INDEX

    k = int(np.argmin(np.abs(seq.time_s - truth.rep_times[0][1]))) + int(0.3 * fps)  # on the way up
    xy[k, LANDMARK_INDEX["left_knee"], 0] += 25.0  # medial jump for one frame
    report = api.run_analysis(seq.with_xy(xy), "squat").report
    assert report["reps"][0]["left"]["valgus"] is False


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(40, 400), st.floats(0.05, 0.6))
def test_peak_valgus_smooths_only_the_reps_stretch_with_the_same_result(seed: int, n: int, median_s: float) -> None:
    """The running median is taken over the rep's stretch only (time linear in the clip's
    length over all reps): the peak and its frame are those of the median over the whole clip."""
    from dataclasses import replace

    from hipvision.analyzers.screening.analysis import peak_valgus, rolling_median

    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.uniform(0.02, 0.05, n))
    fppa = rng.normal(5, 8, n)
    fppa[rng.random(n) < 0.15] = np.nan
    frames = np.zeros(n, bool)
    a = int(rng.integers(0, n - 10))
    frames[a : a + int(rng.integers(10, n - a + 1))] = True
    frames &= rng.random(n) < 0.9  # a few frames of the rep not usable
    ss = replace(DEFAULT_SETTINGS.screening, peak_median_s=median_s)
    got = peak_valgus(t, fppa, frames, ss)
    idx = np.flatnonzero(frames & np.isfinite(fppa))
    if idx.size < ss.peak_min_frames:
        assert got is None
        return
    dt = float(np.median(np.diff(t)))
    whole = rolling_median(np.where(frames, fppa, np.nan), max(1, int(round(ss.peak_median_s / 2 / dt))))[idx]
    k = int(np.nanargmax(whole))
    assert got == (float(whole[k]), int(idx[k]))

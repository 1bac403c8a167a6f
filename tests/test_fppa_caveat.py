"""Deep squats: where the thigh is foreshortened at the bottom, every view of a rep's FPPA
says where it was read, and the per-frame FPPA (and the charts drawn from it) has no value
where the 2-D angle has no meaning. Synthetic clips with known geometry."""

from __future__ import annotations

import re
from html import escape

import numpy as np
import pytest

from hipvision.analyzers import get
from hipvision.api import run_analysis
from hipvision.config import DEFAULT_SETTINGS
from hipvision.dashboard import charts
from hipvision.analyzers.screening.view import rep_table
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.report_html import render_report
from hipvision.synthetic import Rep, screening_clip
from hipvision.analyzers.screening.schema import Knee
from hipvision.wording import fppa_peak, FPPA_CAVEAT_LEGEND, fppa_caveat, fppa_with_caveat, with_band

DEEP, SHALLOW = 1.4, 0.6  # knee flexion 140 deg (thigh foreshortened) and 60 deg (not)
MIN_RATIO = DEFAULT_SETTINGS.screening.min_thigh_ratio

K = Knee.from_dict  # the wording reads typed knees


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


def test_deep_reps_say_fppa_was_read_where_the_thigh_still_points_down(deep) -> None:
    seq, run = deep
    thigh, drop = _image_truth(seq)
    reps = run.report["reps"]
    assert [r["index"] for r in reps] == [1, 2, 3]
    # the deepest pelvis drop at which the thigh still shows half its standing length
    known = float(np.max(drop[thigh >= MIN_RATIO]))
    for r in (reps[0], reps[2]):
        assert thigh[np.argmin(np.abs(seq.time_s - r["bottom_s"]))] < 0.4  # truly foreshortened at the bottom
        for s in ("left", "right"):
            at = r[s]["fppa_at_depth_pct"]
            assert 0.85 * known <= at <= known + 1.0 < r["depth_pct"]
            assert fppa_caveat(K(r[s])) == f"read at {at:.0f} % depth: thigh foreshortened below"
    assert fppa_caveat(K(reps[1]["left"])) == fppa_caveat(K(reps[1]["right"])) == ""  # a shallow rep: read at the bottom


def test_text_summary_shows_the_caveat_beside_each_deep_reps_fppa(deep) -> None:
    _, run = deep
    text = get("squat").summary_text(run.report)
    rows = {int(m.group(1)): line for line in text.splitlines() if (m := re.match(r"\s+(\d+)[ *] ", line))}
    for r in run.report["reps"]:
        shown = re.findall(r"(-?\d+\.\d)(?:±\d+)?(?: \(read at (\d+) % depth\))?(?:, peak -?\d+\.\d(?:±\d+)? \w+ \d+\.\d\ds)?(?: VALG| border)?",
                           rows[r["index"]].split("frontal", 1)[1])
        want = [(f"{r[s]['fppa_deg']:.1f}", f"{r[s]['fppa_at_depth_pct']:.0f}" if "fppa_at_depth_pct" in r[s] else "") for s in ("left", "right")]
        assert shown[:2] == want
    assert FPPA_CAVEAT_LEGEND in text
    w = run.report["summary"]["worst_rep"]
    how = fppa_peak(K(run.report["reps"][w["index"] - 1][w["side"]]))  # the worst rep is judged on its peak
    assert how.startswith(f"peak {w['fppa_deg']:.1f} ± ")  # the number judged, with its band, said once
    assert f"  worst: rep {w['index']}, {w['side']} knee: FPPA {how}" in text.splitlines()


def test_text_summary_of_shallow_squats_has_no_caveat() -> None:
    seq, _ = screening_clip("squat", [Rep(), Rep()], noise_px=1.0, seed=3)
    text = get("squat").summary_text(run_analysis(seq, "squat").report)
    assert "read at" not in text and FPPA_CAVEAT_LEGEND not in text


def test_dashboard_rep_table_shows_the_caveat_beside_the_number(deep) -> None:
    _, run = deep
    table = rep_table(run.report)
    for r in run.report["reps"]:
        for s in ("left", "right"):
            cell = table.loc[r["index"], f"FPPA {s}"]
            assert cell == fppa_with_caveat(K(r[s]))
            assert ("(read at " in cell) == (r["index"] != 2)


def test_html_report_shows_the_caveat_and_its_legend(deep) -> None:
    _, run = deep
    html = render_report(run.report)
    for r in (run.report["reps"][0], run.report["reps"][2]):
        for s in ("left", "right"):
            flag = (' <span class="flag">valgus</span>' if r[s]["valgus"]
                    else ' <span class="borderline">borderline</span>' if r[s].get("valgus_borderline") else "")
            assert f"{with_band(r[s]['fppa_deg'], r[s]['fppa_band_deg'])}{flag}<br><span class=\"small\">bottom: {fppa_caveat(K(r[s]))}</span>" in html
    assert html.count("thigh foreshortened below") == 4  # two deep reps x two knees, not the shallow one
    assert escape(FPPA_CAVEAT_LEGEND) in html  # as the page shows it


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


def test_exported_rows_carry_where_each_fppa_was_read(deep) -> None:
    """The flat rows (results CSV, batch summary) say at what depth a deep rep's FPPA was
    read, and when/at what depth its peak happened; a shallow rep has no at-depth row."""
    from hipvision.flatten import flatten_report

    _, run = deep
    rows = {(r.metric, r.side, r.rep): r.value for r in flatten_report(run.report)}
    for r in run.report["reps"]:
        for s in ("left", "right"):
            at = rows.get(("fppa_at_depth_pct", s, r["index"]))
            assert at == pytest.approx(r[s]["fppa_at_depth_pct"]) if "fppa_at_depth_pct" in r[s] else at is None
            if r[s].get("fppa_peak_deg") is not None:
                assert rows[("fppa_peak_s", s, r["index"])] == pytest.approx(r[s]["fppa_peak_s"])
                assert rows[("fppa_peak_depth_pct", s, r["index"])] == pytest.approx(r[s]["fppa_peak_depth_pct"])
    assert ("fppa_at_depth_pct", "left", 2) not in rows  # the shallow rep: read at the bottom

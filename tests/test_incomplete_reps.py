"""Reps the clip cuts off (it starts or ends mid-rep): listed, marked incomplete with a reason,
and left out of the rep count, the flag counts and the summaries; the live counter never
counts them. Known answers from synthetic clips cut with ``time_window``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipvision import cli
from hipvision.api import analyze
from hipvision.analyzers.screening.analysis import ScreeningAnalyzer
from hipvision.flatten import flatten_report
from hipvision.analyzers.screening.live import LiveScreening
from hipvision.reps import segment_reps
from hipvision.report_html import render_report
from hipvision.synthetic import Rep, screening_clip, time_window

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
# rep 3 has a clear left valgus and hip shift: as a cut-off rep its flags must not count
SET = [Rep(), Rep(valgus_right_m=0.03), Rep(valgus_left_m=0.1, hip_shift_m=0.07)]


def _clip(test: str, reps: list[Rep] = SET, seed: int = 4):
    return screening_clip(test, reps, noise_px=2.0, low_visibility_fraction=0.03, drop_fraction=0.03, seed=seed)  # type: ignore[arg-type]


def _live_count(test: str, seq) -> int:
    live = LiveScreening(test)
    for k in range(len(seq)):
        live.update(seq.frame_at(k))
    return len(live.reps)


def codes(report: dict) -> set[str]:
    return {w["code"] for w in report["warnings"]}


# ----------------------------------------------------------------------- the analyzer


@pytest.mark.parametrize("test", ["squat", "single-leg-hinge"])
@pytest.mark.parametrize("into", ["descent", "bottom", "ascent"])
def test_a_clip_ending_mid_rep_marks_the_last_rep_and_does_not_count_it(test: str, into: str) -> None:
    seq, truth = _clip(test)
    full = analyze(seq, test)
    assert full["summary"]["valgus_reps"]["left"] == 1 and full["summary"]["hip_shift_reps"] == 1  # rep 3 flagged
    start, bottom, end = truth.rep_times[-1]
    cut = {"descent": start + 0.8, "bottom": bottom, "ascent": bottom + 0.3}[into]
    part = time_window(seq, None, cut)
    rep = analyze(part, test)
    assert [r["complete"] for r in rep["reps"]] == [True, True, False]
    last = rep["reps"][-1]
    assert "clip ends" in last["incomplete_reason"]
    assert last["left"]["valgus"] is True  # the rep itself still shows what was seen ...
    sm = rep["summary"]
    assert sm["reps"] == 2 and sm["reps_incomplete"] == 1
    assert sm["valgus_reps"] == {"left": 0, "right": 0} and sm["hip_shift_reps"] == 0  # ... but it is not counted
    assert sm["worst_rep"]["index"] != 3
    # the summaries are those of the two complete reps
    assert sm["left_fppa_mean_deg"] == pytest.approx(np.mean([r["left"]["fppa_deg"] for r in rep["reps"][:2]]), abs=0.051)
    assert sm["hip_shift_mean_pct"] == pytest.approx(np.mean([r["hip_shift_pct"] for r in rep["reps"][:2]]), abs=0.051)
    assert "incomplete_reps" in codes(rep) and "incomplete_reps" not in codes(full)
    assert _live_count(test, part) == 2


@pytest.mark.parametrize("test", ["squat", "hinge"])
@pytest.mark.parametrize("into", ["descent", "bottom", "ascent"])
def test_a_clip_starting_mid_rep_marks_the_first_rep(test: str, into: str) -> None:
    reps = [Rep(valgus_right_m=0.1), Rep(), Rep(valgus_left_m=0.03)]
    seq, truth = _clip(test, reps, seed=9)
    start, bottom, end = truth.rep_times[0]
    cut = {"descent": start + 0.8, "bottom": bottom, "ascent": bottom + 0.3}[into]
    part = time_window(seq, cut, None)
    rep = analyze(part, test)
    assert [r["complete"] for r in rep["reps"]] == [False, True, True]
    assert "clip starts mid-rep" in rep["reps"][0]["incomplete_reason"]
    assert rep["reps"][0]["right"]["valgus"] is True
    sm = rep["summary"]
    assert sm["reps"] == 2 and sm["reps_incomplete"] == 1 and sm["valgus_reps"]["right"] == 0
    assert "incomplete_reps" in codes(rep)
    assert _live_count(test, part) == 2


def test_a_glitch_spike_is_not_a_rep_that_counts() -> None:
    """One frame whose depth jumps (a tracking glitch at the start of a rendered clip)."""
    t = np.arange(0, 6, 0.1)
    d = np.where((t > 2) & (t < 4), 0.5 * np.sin(np.pi * (t - 2) / 2) ** 2, 0.0)
    d[1] = 0.16
    reps = segment_reps(t, d, min_depth=0.08, return_fraction=0.05)
    assert [r.complete for r in reps] == [False, True]
    assert "one frame" in reps[0].incomplete_reason


@given(
    n=st.integers(1, 4),
    depth=st.floats(0.5, 1.0),  # shallower hinges are below the minimum rep depth
    rest=st.floats(0.0, 1.0),
    pause=st.sampled_from([0.0, 0.3, 1.0]),
    test=st.sampled_from(["squat", "single-leg-squat", "hinge", "single-leg-hinge"]),
)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_full_clips_have_only_complete_reps(n: int, depth: float, rest: float, pause: float, test: str) -> None:
    reps = [Rep(depth=depth, rest_s=rest, pause_s=pause, valgus_left_m=0.02 * k) for k in range(n)]
    seq, _ = _clip(test, reps, seed=n)
    rep = analyze(seq, test)
    assert all(r["complete"] and r["incomplete_reason"] is None for r in rep["reps"])
    assert rep["summary"]["reps"] == n and rep["summary"]["reps_incomplete"] == 0
    assert "incomplete_reps" not in codes(rep)


@given(
    depths=st.lists(st.floats(0.2, 1.0), min_size=1, max_size=5),
    cut=st.floats(0.0, 1.0),
    at_end=st.booleans(),
)
@settings(max_examples=80, deadline=None)
def test_segmentation_marks_exactly_the_cut_rep(depths: list[float], cut: float, at_end: bool) -> None:
    """Depth signal of triangular reps (1 s down, 1 s up, 1 s standing between): cut anywhere
    inside the first or last rep, that rep is incomplete (or too shallow to be a rep) and all
    the others complete."""
    t = np.arange(0, 1 + 3 * len(depths), 1 / 30)
    d = np.zeros_like(t)
    for k, dep in enumerate(depths):
        d += dep * np.clip(1 - np.abs(t - (2 + 3 * k)), 0, None)
    d += np.random.default_rng(len(depths)).normal(0, 0.003, t.size)
    edge = len(depths) - 1 if at_end else 0
    at = 1 + 3 * edge + 0.3 + 1.4 * cut  # where the rep is more than 25 % (the tolerance) deep
    keep = t <= at if at_end else t >= at
    reps = segment_reps(t[keep], d[keep], min_depth=0.08, return_fraction=0.05)
    whole = [k for k in range(len(depths)) if k != edge]
    assert sum(r.complete for r in reps) == len(whole)
    assert len(reps) in (len(whole), len(whole) + 1)
    if len(reps) > len(whole):
        cut_rep = reps[-1] if at_end else reps[0]
        assert not cut_rep.complete and cut_rep.incomplete_reason


# ----------------------------------------------------------------------- the outputs


@pytest.fixture(scope="module")
def cut_report() -> dict:
    seq, truth = _clip("squat")
    return analyze(time_window(seq, None, truth.rep_times[-1][1]), "squat")


def test_summary_row_flatten_and_text_leave_the_cut_rep_out(cut_report: dict) -> None:
    row = ScreeningAnalyzer("squat").summary_row(cut_report)
    assert row["reps"] == 2 and row["reps_incomplete"] == 1 and row["left_valgus_reps"] == 0
    from hipvision.analyzers.screening.schema import Knee

    worst_complete = max(Knee.from_dict(r["left"]).judged_deg for r in cut_report["reps"][:2])  # the peaks
    assert row["left_worst_fppa_deg"] == worst_complete < Knee.from_dict(cut_report["reps"][2]["left"]).judged_deg
    flat = {(r.metric, r.side, r.rep): r.value for r in flatten_report(cut_report)}
    assert flat[("reps", "", 0)] == 2 and flat[("reps_incomplete", "", 0)] == 1
    assert not any(rep == 3 for _, _, rep in flat)  # no per-rep numbers of the cut rep
    assert flat[("fppa_max_deg", "left", 0)] == worst_complete
    text = ScreeningAnalyzer("squat").summary_text(cut_report)
    assert "  3* " in text and "complete reps: 2" in text


def test_html_report_marks_the_cut_rep(cut_report: dict) -> None:
    html = render_report(cut_report)
    assert "incomplete, not counted" in html and "Reps: <b>2</b> (plus 1 incomplete, not counted: rep 3" in html


def test_dashboard_rep_table_shows_the_flag(cut_report: dict) -> None:
    from hipvision.analyzers.screening.view import rep_table

    table = rep_table(cut_report)
    assert list(table["complete"]) == [True, True, False]
    assert table.loc[3, "not counted because"].startswith("the clip ends")


def test_demo_sample_through_the_cli_marks_the_unfinished_last_rep(capsys: pytest.CaptureFixture[str]) -> None:
    """samples/demo_squat_front.pose.csv: three squats, the clip ends while the third is on
    its way up."""
    code = cli.main(["analyze", str(SAMPLES / "demo_squat_front.pose.csv"), "--test", "squat", "--json"])
    assert code == 0
    rep = json.loads(capsys.readouterr().out)
    assert [r["complete"] for r in rep["reps"]] == [True, True, False]
    assert rep["reps"][2]["incomplete_reason"] == "the clip ends before the person stands up again"
    assert rep["summary"]["reps"] == 2 and rep["summary"]["reps_incomplete"] == 1
    assert "incomplete_reps" in codes(rep)

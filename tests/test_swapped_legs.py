"""Single-leg tests: a rep whose bottom rests on frames where the pose model swapped the
stance and free legs' labels has its hip shift and stance-knee FPPA withheld with the reason
(hipvision.swapped_legs)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hipvision.api import analyze
from hipvision.config import DEFAULT_SETTINGS
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.sequence import PoseSequence
from hipvision.swapped_legs import bottom_through_gaps, crossed_frames, crossed_share
from hipvision.synthetic import Rep, frontal_camera, screening_clip

REPS = [Rep(hip_shift_m=0.02), Rep(hip_shift_m=0.02), Rep(hip_shift_m=0.02)]
LEG = ("knee", "ankle", "heel", "foot_index")


def codes(rep: dict) -> set[str]:
    return {w["code"] for w in rep["warnings"]}


def _swap_at_bottom(seq: PoseSequence, bottom_s: float, half_width_s: float) -> PoseSequence:
    """The two legs' labels (knee down to the toes) swapped in the frames within
    ``half_width_s`` of ``bottom_s``, in the image and the world landmarks alike."""
    m = np.abs(seq.time_s - bottom_s) <= half_width_s
    xy, z, world = seq.xy.copy(), seq.z.copy(), seq.world.copy()
    for part in LEG:
        a, b = LANDMARK_INDEX[f"left_{part}"], LANDMARK_INDEX[f"right_{part}"]
        for arr in (xy, z, world):
            arr[m, a], arr[m, b] = arr[m, b].copy(), arr[m, a].copy()
    return replace(seq, xy=xy, z=z, world=world)


def _merge_at_bottom(seq: PoseSequence, bottom_s: float, half_width_s: float, stance: str = "left") -> PoseSequence:
    """The stance leg's ankle, heel and toe labels put on the free leg's (both labels on one
    leg, as the pose model did on a rendered Xbot filmed 10 deg off) within ``half_width_s``
    of ``bottom_s``, in the image and the world landmarks alike."""
    free = "right" if stance == "left" else "left"
    m = np.abs(seq.time_s - bottom_s) <= half_width_s
    xy, z, world = seq.xy.copy(), seq.z.copy(), seq.world.copy()
    for part in ("ankle", "heel", "foot_index"):
        a, b = LANDMARK_INDEX[f"{stance}_{part}"], LANDMARK_INDEX[f"{free}_{part}"]
        for arr in (xy, z, world):
            arr[m, a] = arr[m, b]
    return replace(seq, xy=xy, z=z, world=world)


def _clip():
    return screening_clip("single-leg-squat", REPS, camera=frontal_camera(height=0.5), seed=5)


def test_swapped_bottom_withholds_that_reps_shift_and_fppa_with_the_reason() -> None:
    seq, truth = _clip()
    bottom = truth.rep_times[1][1]
    rep = analyze(_swap_at_bottom(seq, bottom, 0.3), "single-leg-squat")
    assert len(rep["reps"]) == len(REPS)
    r2 = rep["reps"][1]
    assert r2["hip_shift_pct"] is None and r2["hip_shift"] is None and r2["hip_shift_toward"] is None
    assert r2["hip_shift_note"].startswith("withheld: in ") and "labels swapped" in r2["hip_shift_note"]
    assert r2["left"]["fppa_deg"] is None and r2["left"]["valgus"] is None and "fppa_peak_deg" not in r2["left"]
    assert "labels swapped" in r2["left"]["fppa_note"]
    w = next(w for w in rep["warnings"] if w["code"] == "swapped_legs")
    assert w["value"] == 1 and "rep 2:" in w["message"]
    # the other reps keep their numbers, right
    for i in (0, 2):
        r = rep["reps"][i]
        assert r["hip_shift_pct"] == pytest.approx(truth.hip_shift_pct[i], abs=2.0)
        assert r["left"]["fppa_deg"] == pytest.approx(truth.fppa[i]["left"], abs=1.0)
        assert "hip_shift_note" not in r
    assert rep["summary"]["hip_shift_reps"] == 0


def test_without_the_rule_the_swapped_rep_reads_wrong() -> None:
    # the rule is what keeps the swapped rep's numbers out: switched off, its FPPA is far off
    seq, truth = _clip()
    swapped = _swap_at_bottom(seq, truth.rep_times[1][1], 0.3)
    off = replace(DEFAULT_SETTINGS, screening=replace(DEFAULT_SETTINGS.screening, swapped_legs_max_share=1.0))
    r2 = analyze(swapped, "single-leg-squat", settings=off)["reps"][1]
    assert r2["hip_shift_pct"] is not None and "hip_shift_note" not in r2
    assert r2["left"]["fppa_deg"] is not None and abs(r2["left"]["fppa_deg"] - truth.fppa[1]["left"]) > 10


def test_clean_clips_and_two_legged_squats_are_untouched() -> None:
    seq, _ = _clip()
    assert "swapped_legs" not in codes(analyze(seq, "single-leg-squat"))
    seq, _ = screening_clip("single-leg-squat", REPS[:1], working_side="right", seed=6)
    assert "swapped_legs" not in codes(analyze(seq, "single-leg-squat"))
    seq, _ = screening_clip("squat", [Rep()], seed=2)
    assert "swapped_legs" not in codes(analyze(seq, "squat"))


def test_stance_ankle_on_the_free_ankle_withholds_like_a_swap() -> None:
    """Both ankle labels on the free leg at rep 2's bottom (in order, not crossed): its hip
    shift and stance FPPA are withheld with the reason; counting only reversed orders, the
    FPPA was given about 30 deg off."""
    seq, truth = _clip()
    merged = _merge_at_bottom(seq, truth.rep_times[1][1], 0.3)
    r2 = analyze(merged, "single-leg-squat")["reps"][1]
    assert r2["hip_shift_pct"] is None and "both on one leg" in r2["hip_shift_note"]
    assert r2["left"]["fppa_deg"] is None and "both on one leg" in r2["left"]["fppa_note"]
    off = replace(DEFAULT_SETTINGS, screening=replace(DEFAULT_SETTINGS.screening, swapped_legs_min_separation=0.0))
    r2 = analyze(merged, "single-leg-squat", settings=off)["reps"][1]
    assert r2["left"]["fppa_deg"] is not None and abs(r2["left"]["fppa_deg"] - truth.fppa[1]["left"]) > 10


def test_crossed_frames_known_answers() -> None:
    across = np.array([-1.0, 0.0])  # the person's left is the image's left (back to the camera)
    stance = np.array([[100.0, 0], [100, 0], [100, 0], [100, 0], [np.nan, 0]])
    free = np.array([[130.0, 0], [130, 0], [90, 0], [100, 0], [130, 0]])
    standing = np.array([True, True, False, False, False])
    np.testing.assert_array_equal(crossed_frames(stance, free, across, standing), [False, False, True, False, False])
    # the standing order unknown: nothing is called crossed
    np.testing.assert_array_equal(crossed_frames(stance, free, across, np.zeros(5, bool)), np.zeros(5, bool))
    # the same whichever way ``across`` points: only the order's change counts
    np.testing.assert_array_equal(crossed_frames(stance, free, -across, standing), [False, False, True, False, False])
    # with a minimum separation: in order but closer than that share of the standing 30 px counts too
    free = np.array([[130.0, 0], [130, 0], [105, 0], [110, 0], [125, 0]])
    np.testing.assert_array_equal(crossed_frames(stance, free, across, standing), np.zeros(5, bool))
    np.testing.assert_array_equal(crossed_frames(stance, free, across, standing, 0.25), [False, False, True, False, False])
    np.testing.assert_array_equal(crossed_frames(stance, free, -across, standing, 0.4), [False, False, True, True, False])
    assert crossed_share(np.array([True, False, True, True]), np.array([True, True, True, False])) == pytest.approx(2 / 3)
    assert crossed_share(np.array([True]), np.array([False])) is None


def test_bottom_through_gaps() -> None:
    d = np.array([0.0, 0.5, 0.9, np.nan, np.nan, 0.92, 0.4, 0.0, 1.0])
    np.testing.assert_array_equal(
        bottom_through_gaps(d, 0, 7, 0.9), [False, False, True, True, True, True, False, False, False]
    )
    assert not bottom_through_gaps(np.full(5, np.nan), 0, 4, 0.9).any()


def test_the_series_is_empty_where_the_report_withholds() -> None:
    """No chart shows what the report refused: over the swapped rep the per-frame FPPA of
    the stance knee and the hip shift are empty; the other reps keep theirs."""
    from hipvision.api import run_analysis

    seq, truth = _clip()
    run = run_analysis(_swap_at_bottom(seq, truth.rep_times[1][1], 0.3), "single-leg-squat")
    cols = ("time_s", "depth_pct", "left_fppa_deg", "right_fppa_deg", "hip_shift_pct")
    rows = [dict(zip(cols, r)) for r in run.series_rows()]
    for i, rep in enumerate(run.report["reps"]):
        inside = [r for r in rows if rep["start_s"] <= r["time_s"] <= rep["end_s"]]
        assert inside
        if i == 1:
            assert all(r["left_fppa_deg"] is None and r["hip_shift_pct"] is None for r in inside)
        else:
            assert any(r["left_fppa_deg"] is not None for r in inside)
            assert all(r["hip_shift_pct"] is not None for r in inside)

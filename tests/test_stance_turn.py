"""Single-leg tests read the body's turn from the camera on a two-legged standing start
(hipvision.stance_turn): the pose model's world hip and shoulder lines read square bodies
turned 7-12 deg in single-leg stance (rendered benchmark), which withheld every FPPA."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hipvision.api import analyze
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.sequence import PoseSequence
from hipvision.stance_turn import start_turn_deg, two_leg_start
from hipvision.synthetic import Rep, frontal_camera, screening_clip

REPS = [Rep(valgus_left_m=0.05), Rep()]
STAND_S = 0.9


def codes(rep: dict) -> set[str]:
    return {w["code"] for w in rep["warnings"]}


def false_turn_in_stance(seq: PoseSequence, from_s: float, dz: float = 0.03) -> PoseSequence:
    """What the pose model does on the renders: the world hip and shoulder lines turned out
    of the image plane (here ~16 deg) from ``from_s`` on (single-leg stance), not before."""
    world = seq.world.copy()
    on = seq.time_s >= from_s
    for part in ("hip", "shoulder"):
        world[on, LANDMARK_INDEX[f"left_{part}"], 2] += dz
        world[on, LANDMARK_INDEX[f"right_{part}"], 2] -= dz
    return replace(seq, world=world)


def test_two_leg_start_marks_the_frames_with_both_feet_down_before_the_first_rep() -> None:
    n = 20
    up = np.array([0.0, -1.0])
    stance_ankle = np.tile([100.0, 500.0], (n, 1))
    stance_hip = np.tile([100.0, 300.0], (n, 1))  # leg 200 px
    free_ankle = np.tile([140.0, 500.0], (n, 1))
    free_ankle[6:, 1] = 450.0  # lifted by a quarter leg from frame 6
    free_ankle[2, 1] = 490.0  # 0.05 legs: still down
    free_ankle[3] = np.nan
    mask = two_leg_start(stance_hip, stance_ankle, free_ankle, up, before=15, max_rise=0.08)
    assert mask.tolist() == [True, True, True, False, True, True] + [False] * 14
    # nothing after the first rep's start counts, even with the foot down again
    free_ankle[16:, 1] = 500.0
    assert not two_leg_start(stance_hip, stance_ankle, free_ankle, up, before=15, max_rise=0.08)[15:].any()
    assert not two_leg_start(stance_hip, stance_ankle, free_ankle, up, before=0, max_rise=0.08).any()


def test_start_turn_needs_enough_two_legged_frames() -> None:
    seq, _ = screening_clip("squat", [Rep()], camera=frontal_camera(azimuth_deg=10), seed=1)
    mask = np.zeros(len(seq), bool)
    mask[:10] = True
    assert start_turn_deg(seq.world, mask, 10) == pytest.approx(10.0, abs=0.5)
    assert start_turn_deg(seq.world, mask, 11) is None


def test_false_turn_in_single_leg_stance_does_not_withhold_fppa_after_a_two_legged_start() -> None:
    seq, truth = screening_clip("single-leg-squat", REPS, stand_s=STAND_S, seed=3)
    seq = false_turn_in_stance(seq, STAND_S)
    rep = analyze(seq, "single-leg-squat")
    assert "fppa_withheld_turn" not in codes(rep)
    assert len(rep["reps"]) == len(REPS)
    for r, f in zip(rep["reps"], truth.fppa):
        assert r["left"]["fppa_deg"] == pytest.approx(f["left"], abs=1.5)
    # read in stance (no two-legged start) the same landmarks withhold every FPPA
    seq0, _ = screening_clip("single-leg-squat", REPS, stand_s=0.0, seed=3)
    rep0 = analyze(false_turn_in_stance(seq0, 0.0), "single-leg-squat")
    assert all(r["left"]["fppa_deg"] is None for r in rep0["reps"])


@pytest.mark.parametrize("azimuth", [5, 12])
def test_truly_turned_body_is_withheld_though_it_starts_on_both_feet(azimuth: int) -> None:
    # 5 deg passes a two-legged squat's limit (fppa_max_turn_deg 5.5), not a standing start's
    seq, _ = screening_clip("single-leg-squat", REPS, stand_s=STAND_S, camera=frontal_camera(azimuth_deg=azimuth), seed=3)
    rep = analyze(seq, "single-leg-squat")
    assert "fppa_withheld_turn" in codes(rep)
    for r in rep["reps"]:
        assert r["left"]["fppa_deg"] is None
        assert f"turned about {azimuth} deg" in r["left"]["fppa_note"]


def test_no_two_legged_start_withholds_fppa_and_says_to_start_on_both_feet() -> None:
    # a square body, world landmarks read right: still no turn can be trusted in stance
    seq, _ = screening_clip("single-leg-squat", REPS, stand_s=0.0, seed=3)
    rep = analyze(seq, "single-leg-squat")
    assert "fppa_withheld_turn" in codes(rep)
    for r in rep["reps"]:
        assert r["left"]["fppa_deg"] is None and r["left"]["valgus"] is None
        assert "no two-legged start" in r["left"]["fppa_note"]
        assert "start standing on both feet" in r["left"]["fppa_note"]
    # a start shorter than two_leg_start_min_s is no start
    short, _ = screening_clip("single-leg-squat", REPS, stand_s=0.3, seed=3)
    assert all("no two-legged start" in r["left"]["fppa_note"] for r in analyze(short, "single-leg-squat")["reps"])

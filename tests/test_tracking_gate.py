"""The plausibility gate for the pose model's knees and ankles, on synthetic sequences."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hipvision.config import TrackingSettings
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.synthetic import Move, rotation_clip
from hipvision.tracking.gate import gate_legs

S = TrackingSettings()
MOVES = [Move("both", 30), Move("left", -35), Move("right", -35)]


def failed(res) -> set[tuple[str, str]]:
    return {(c.side, c.name) for c in res.failures()}


@pytest.mark.parametrize("test", ["prone", "seated"])
def test_a_good_skeleton_passes(test: str) -> None:
    seq, _ = rotation_clip(test, MOVES, noise_px=1.0, seed=1)
    res = gate_legs(seq, test, S)
    assert res.passed, res.reason()
    assert min(res.usable.values()) > 0.99
    assert np.array_equal(np.isfinite(res.sequence.xy), np.isfinite(seq.xy))


def test_a_collapsed_skeleton_is_rejected() -> None:
    seq, _ = rotation_clip("prone", MOVES, seed=2)
    c = np.array(seq.image_size) / 2
    res = gate_legs(seq.with_xy(c + 0.03 * (seq.xy - c)), "prone", S)
    assert not res.passed
    assert ("left", "collapsed") in failed(res) and ("right", "collapsed") in failed(res)
    assert np.isnan(res.sequence.point("left_knee")).all()


def test_swapped_legs_are_rejected() -> None:
    seq, _ = rotation_clip("prone", MOVES, seed=3)
    res = gate_legs(seq.mirrored(), "prone", S)  # the person's left drawn on the image right
    assert not res.passed and ("both", "left_right_order") in failed(res)
    assert res.usable == {"left": 0.0, "right": 0.0}


def test_knees_on_the_wrong_side_of_the_hips_are_rejected_frame_by_frame() -> None:
    seq, _ = rotation_clip("prone", MOVES, seed=4)
    xy = seq.xy.copy()
    bad = np.arange(len(seq)) % 5 == 0
    lh, rh = LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]
    xy[bad, lh], xy[bad, rh] = seq.xy[bad, rh], seq.xy[bad, lh]
    res = gate_legs(seq.with_xy(xy), "prone", S)
    assert not res.accepted["left"][bad].any() and res.accepted["left"][~bad].all()
    assert res.passed  # 80 % usable


def test_jumping_points_and_a_tilted_start_are_rejected() -> None:
    seq, _ = rotation_clip("prone", MOVES, seed=5)
    rng = np.random.default_rng(0)
    xy = seq.xy.copy()
    jump = rng.random(len(seq)) < 0.5
    xy[jump, LANDMARK_INDEX["right_ankle"]] += rng.normal(0, 150, (jump.sum(), 2))
    res = gate_legs(seq.with_xy(xy), "prone", S)
    assert not res.passed and {("right", "shin_length"), ("right", "jump")} <= failed(res)
    assert res.usable["left"] > 0.99 and res.usable["right"] < 0.6
    # a seated clip is not a prone one: the shins point down at the start
    seated, _ = rotation_clip("seated", MOVES, seed=6)
    res = gate_legs(seated, "prone", S)
    assert ("left", "neutral_start") in failed(res) and not res.passed


def test_low_visibility_frames_are_rejected() -> None:
    seq, _ = rotation_clip("seated", MOVES, seed=7)
    vis = seq.visibility.copy()
    vis[::2, LANDMARK_INDEX["left_knee"]] = 0.1
    res = gate_legs(replace(seq, visibility=vis), "seated", S)
    assert not res.passed and ("left", "visibility") in failed(res)
    assert res.usable["left"] == pytest.approx(0.5, abs=0.01)

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


@pytest.mark.parametrize("test", ["prone", "seated"])
def test_knees_on_the_wrong_side_of_the_hips_are_rejected_frame_by_frame(test: str) -> None:
    seq, _ = rotation_clip(test, MOVES, seed=4)
    xy = seq.xy.copy()
    bad = np.arange(len(seq)) % 5 == 0
    lh, rh = LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]
    xy[bad, lh], xy[bad, rh] = seq.xy[bad, rh], seq.xy[bad, lh]
    res = gate_legs(seq.with_xy(xy), test, S)
    assert not res.accepted["left"][bad].any() and res.accepted["left"][~bad].all()
    assert res.failed_share == pytest.approx({"left": 0.2, "right": 0.2}, abs=0.01)
    # 80 % usable: enough seated; prone, legs failing that often are not trusted at all
    assert res.passed == (test == "seated")
    assert (("both", "failed_share") in failed(res)) == (test == "prone")


def _ankle_jumps(seq, share: float, side: str = "right"):
    """``seq`` with the ankle of ``side`` thrown half a shin sideways in ``share`` of the
    frames, spread evenly: those frames fail the jump (or shin-length) check, the others none."""
    n = len(seq)
    bad = np.zeros(n, bool)
    bad[np.round(np.linspace(0, n - 1, int(round(share * n)) + 2)[1:-1]).astype(int)] = True
    xy = seq.xy.copy()
    j = LANDMARK_INDEX[f"{side}_ankle"]
    shin = np.nanmedian(np.hypot(*(seq.point(f"{side}_ankle") - seq.point(f"{side}_knee")).T))
    xy[bad, j, 0] += 0.5 * shin
    return seq.with_xy(xy), bad


@pytest.mark.parametrize("share", [0.01, 0.025, 0.04, 0.08, 0.2])
def test_prone_legs_failing_a_check_too_often_are_refused(share: float) -> None:
    """Prone: up to gate_max_failed_share_prone (3 %) of a leg's frames may fail a check
    (they are blanked); above it the pose model's legs are refused altogether, even with
    more than enough usable frames."""
    seq, _ = rotation_clip("prone", MOVES, noise_px=1.0, seed=8)
    bad_seq, bad = _ankle_jumps(seq, share)
    res = gate_legs(bad_seq, "prone", S)
    assert res.failed_share["right"] == pytest.approx(bad.mean(), abs=1e-9)
    assert res.failed_share["left"] == 0.0
    assert not res.accepted["right"][bad].any() and res.accepted["right"][~bad].all()
    assert min(res.usable.values()) >= 0.79  # the usable-frames rule alone would accept
    refused = bool(bad.mean() > S.gate_max_failed_share_prone)
    assert res.passed is not refused
    assert (("right", "failed_share") in failed(res)) is refused
    if refused:
        assert f"right leg failed a check in {bad.mean():.0%}" in res.reason()
    # the limit is a setting, and seated has none by default
    assert gate_legs(bad_seq, "prone", replace(S, gate_max_failed_share_prone=0.25)).passed
    seated, _ = rotation_clip("seated", MOVES, noise_px=1.0, seed=8)
    assert gate_legs(_ankle_jumps(seated, share)[0], "seated", S).passed


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

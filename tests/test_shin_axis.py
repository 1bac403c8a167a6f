"""The seated test's knee anchor (hipvision/shin_axis.py): known answers from synthetic
shins whose knee landmark slides down the shin, and no change on an ideal shin."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from hipvision.api import analyze
from hipvision.config import DEFAULT_SETTINGS
from hipvision.geometry import IMAGE_DOWN, lateral_angle
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.shin_axis import anchored_knee, foreshortened, neutral_frames
from hipvision.synthetic import Move, rotation_clip

LEFT = np.array([1.0, 0.0])  # the person's left leg seen from the front: lateral = image right


def shin(knee: np.ndarray, theta_deg: np.ndarray, length: float) -> np.ndarray:
    """Ankle positions of a shin of ``length`` px hanging from ``knee``, turned laterally
    (image right) by ``theta_deg``."""
    th = np.radians(theta_deg)
    return knee + length * np.stack([np.sin(th), np.cos(th)], axis=1)


def test_slid_knee_reads_low_and_the_anchor_gives_the_true_angle() -> None:
    theta = np.concatenate([np.zeros(20), np.linspace(0, 40, 10), np.full(20, 40.0)])
    K = np.array([300.0, 400.0])
    A = shin(np.broadcast_to(K, (len(theta), 2)), theta, 150.0)
    # as on the rendered clips: the landmark slides 40 % down the shin and 8 px lateral,
    # in proportion to the swing
    frac = theta / 40.0
    u = (A - K) / 150.0
    slid = K + (0.4 * 150.0 * u + 8.0 * LEFT) * frac[:, None]
    raw = lateral_angle(slid, A, IMAGE_DOWN, LEFT)
    assert raw[-1] < 40.0 - 3.0  # the landmark under-reads the held rotation
    knee = anchored_knee(slid, neutral_frames(raw, 0.0, 3.0))
    np.testing.assert_allclose(knee[-1], K, atol=1e-9)
    np.testing.assert_allclose(lateral_angle(knee, A, IMAGE_DOWN, LEFT), theta, atol=1e-9)


def test_anchor_is_the_median_of_the_neutral_frames_and_keeps_missing_frames_missing() -> None:
    knee = np.array([[10.0, 20.0], [12.0, 20.0], [11.0, 26.0], [50.0, 90.0], [np.nan, np.nan]])
    neutral = np.array([True, True, True, False, False])
    out = anchored_knee(knee, neutral)
    np.testing.assert_allclose(out[:4], np.tile([11.0, 20.0], (4, 1)))
    assert np.isnan(out[4]).all()


def test_the_weight_blends_anchor_and_landmark() -> None:
    knee = np.array([[10.0, 20.0], [10.0, 20.0], [10.0, 20.0], [30.0, 60.0]])
    neutral = np.array([True, True, True, False])
    np.testing.assert_allclose(anchored_knee(knee, neutral, 0.6)[3], [0.6 * 10 + 0.4 * 30, 0.6 * 20 + 0.4 * 60])
    np.testing.assert_allclose(anchored_knee(knee, neutral, 0.0), knee)


def test_without_enough_neutral_frames_the_landmark_is_kept() -> None:
    knee = np.array([[10.0, 20.0], [12.0, 22.0], [14.0, 24.0]])
    np.testing.assert_array_equal(anchored_knee(knee, np.array([True, True, False])), knee)
    assert not neutral_frames(np.array([0.0, 1.0]), None, 3.0).any()
    np.testing.assert_array_equal(
        neutral_frames(np.array([0.0, 3.1, -2.0, np.nan, 3.0, -2.1]), 0.5, 2.5), [True, False, True, False, True, False]
    )


@settings(max_examples=60, deadline=None)
@given(
    kx=st.floats(50, 1000), ky=st.floats(50, 1000), length=st.floats(40, 400),
    ref=st.floats(-15, 15), angles=st.lists(st.floats(-60, 60), min_size=1, max_size=30), weight=st.floats(0, 1),
)
def test_no_change_on_an_ideal_shin(kx: float, ky: float, length: float, ref: float, angles: list[float], weight: float) -> None:
    """An ideal shin turns about a knee that stays put: anchoring changes nothing."""
    theta = np.concatenate([np.full(8, ref), np.asarray(angles)])
    K = np.broadcast_to(np.array([kx, ky]), (len(theta), 2))
    A = shin(K, theta, length)
    raw = lateral_angle(K, A, IMAGE_DOWN, LEFT)
    knee = anchored_knee(K, neutral_frames(raw, ref, 3.0), weight)
    np.testing.assert_allclose(knee, K, atol=1e-9)
    np.testing.assert_allclose(lateral_angle(knee, A, IMAGE_DOWN, LEFT), raw, atol=1e-9)


def _slide_knees(seq, truth, frac: float = 0.35, lateral_px: float = 8.0):
    """The clip with each knee landmark slid down its shin by ``frac`` of its length and
    ``lateral_px`` towards the foot's side, in proportion to the shin's swing (as the pose
    model does on the rendered seated clips)."""
    xy = seq.xy.copy()
    hips = {s: seq.point(f"{s}_hip") for s in ("left", "right")}
    for side, other in (("left", "right"), ("right", "left")):
        k, a = LANDMARK_INDEX[f"{side}_knee"], LANDMARK_INDEX[f"{side}_ankle"]
        theta = np.interp(seq.time_s, truth.time_s, truth.theta[side])
        amount = np.abs(theta)[:, None] / 40.0
        lat = hips[side] - hips[other]
        lat = lat / np.hypot(*lat.T)[:, None]
        xy[:, k] = xy[:, k] + amount * (frac * (xy[:, a] - xy[:, k]) + lateral_px * np.sign(theta)[:, None] * lat)
    return seq.with_xy(xy)


def test_seated_analysis_recovers_the_peaks_a_sliding_knee_hides() -> None:
    moves = [Move("both", 35), Move("left", -30), Move("right", -40)]
    seq, truth = rotation_clip("seated", moves, noise_px=1.0, seed=5, fps=10.0)
    slid = _slide_knees(seq, truth)
    off = replace(DEFAULT_SETTINGS, rotation=replace(DEFAULT_SETTINGS.rotation, knee_anchor_tests=()))
    full = replace(DEFAULT_SETTINGS, rotation=replace(DEFAULT_SETTINGS.rotation, knee_anchor_weight=1.0))
    before, after = analyze(slid, "seated", settings=off), analyze(slid, "seated", settings=full)
    blend = analyze(slid, "seated")  # the default weight takes most of the slide out
    for side in ("left", "right"):
        assert before["sides"][side]["peak_ir_deg"] < blend["sides"][side]["peak_ir_deg"] < after["sides"][side]["peak_ir_deg"]
    for side in ("left", "right"):
        assert before["sides"][side]["peak_ir_deg"] < 35.0 - 2.0  # the slide reads IR low
        assert after["sides"][side]["peak_ir_deg"] == pytest.approx(35.0, abs=1.0)
        assert after["sides"][side]["peak_er_deg"] == pytest.approx(truth.peaks[side]["er"], abs=1.0)


def test_the_anchor_does_not_change_an_ideal_seated_clip_nor_the_prone_test() -> None:
    moves = [Move("left", 38), Move("left", -42), Move("right", 33), Move("right", -47)]
    off = replace(DEFAULT_SETTINGS, rotation=replace(DEFAULT_SETTINGS.rotation, knee_anchor_tests=()))
    for test in ("seated", "prone"):
        seq, _ = rotation_clip(test, moves, seed=3)
        a, b = analyze(seq, test), analyze(seq, test, settings=off)
        for side in ("left", "right"):
            for key in ("peak_ir_deg", "peak_er_deg"):
                assert a["sides"][side][key] == pytest.approx(b["sides"][side][key], abs=0.15), (test, side, key)


def test_foreshortened_shin_frames_are_found() -> None:
    knee = np.tile([100.0, 100.0], (5, 1))
    ankle = np.array([[100.0, 250.0], [100.0, 250.0], [150.0, 240.0], [105.0, 220.0], [np.nan, np.nan]])
    neutral = np.array([True, True, False, False, False])
    np.testing.assert_array_equal(foreshortened(knee, ankle, neutral, 0.85), [False, False, False, True, False])
    assert not foreshortened(knee, ankle, np.zeros(5, bool), 0.85).any()


def _edit_leg(seq, side: str, frames: np.ndarray, fn):
    xy = seq.xy.copy()
    k, a = LANDMARK_INDEX[f"{side}_knee"], LANDMARK_INDEX[f"{side}_ankle"]
    xy[frames, a] = fn(xy[frames, k], xy[frames, a])
    return seq.with_xy(xy)


def test_a_foot_tucked_back_is_not_read_as_a_rotation() -> None:
    """While the right leg is in ER the left foot tucks back under the seat: its shin gets
    shorter in the image and the model's ankle drifts sideways (as on the renders)."""
    seq, truth = rotation_clip("seated", [Move("both", 30), Move("right", -35)], noise_px=0.5, seed=2, fps=10.0)
    right = np.interp(seq.time_s, truth.time_s, truth.theta["right"])
    tuck = right < -5.0
    # the ankle 30 % up the shin and 20 px towards the image left (the person's right: medial)
    moved = _edit_leg(seq, "left", tuck, lambda k, a: a + 0.3 * (k - a) + np.array([-20.0, 0.0]))
    rep = analyze(moved, "seated")
    assert rep["sides"]["left"]["peak_ir_deg"] == pytest.approx(30.0, abs=1.0)
    assert rep["sides"]["left"]["peak_er_deg"] is None  # the tucked shin read no ER either
    assert rep["sides"]["right"]["peak_er_deg"] == pytest.approx(35.0, abs=1.0)


def test_a_peak_whose_hold_was_not_seen_is_withheld() -> None:
    seq, truth = rotation_clip("seated", [Move("both", 35), Move("left", -30)], noise_px=0.5, seed=4, fps=10.0)
    theta = np.interp(seq.time_s, truth.time_s, truth.theta["right"])
    hidden = theta > 30.0  # the right shin's IR hold (and the top of its ramps) unseen
    blind = _edit_leg(seq, "right", hidden, lambda k, a: np.full_like(a, np.nan))
    rep = analyze(blind, "seated")
    assert rep["sides"]["right"]["peak_ir_deg"] is None
    assert rep["sides"]["right"]["range_deg"] is None  # the seen frames' range would be short of the true one
    assert "peak_unseen" in {w["code"] for w in rep["warnings"]}
    assert rep["sides"]["left"]["peak_ir_deg"] == pytest.approx(35.0, abs=1.0)
    assert rep["sides"]["left"]["range_deg"] is not None

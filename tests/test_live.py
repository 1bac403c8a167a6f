"""The live readout, driven frame by frame with synthetic poses."""

from __future__ import annotations

import numpy as np
import pytest

from hipvision.cleaning import OneEuroFilter
from hipvision.analyzers.rotation.live import LiveRotation, draw_live
from hipvision.sequence import PoseFrame
from hipvision.synthetic import Move, default_camera, rotation_clip


def frames(seq):
    for k in range(len(seq)):
        yield PoseFrame(int(seq.frame[k]), float(seq.time_s[k]), seq.xy[k], seq.z[k], seq.visibility[k], seq.presence[k], seq.world[k])


@pytest.mark.parametrize("test", ["seated", "prone"])
def test_live_calibrates_then_holds_peaks(test: str) -> None:
    seq, truth = rotation_clip(
        test, [Move("left", 38), Move("left", -42), Move("right", 33), Move("right", -47)],
        camera=default_camera(test, roll_deg=5.0), noise_px=2.0, seed=1,
    )
    live = LiveRotation(test)
    states = [live.update(f) for f in frames(seq)]
    assert not states[0].calibrated and "still" in states[0].message
    first_cal = next(i for i, s in enumerate(states) if s.calibrated)
    assert seq.time_s[first_cal] < 1.5  # within the neutral lead
    end = states[-1].sides
    assert end["left"].peak_ir_deg == pytest.approx(38, abs=1.5)
    assert end["left"].peak_er_deg == pytest.approx(42, abs=1.5)
    assert end["right"].peak_ir_deg == pytest.approx(33, abs=1.5)
    assert end["right"].peak_er_deg == pytest.approx(47, abs=1.5)


def test_live_never_calibrates_while_the_legs_swing() -> None:
    moves = [Move("both", 30, ramp_s=0.8, hold_s=0.0, rest_s=0.0), Move("both", -30, ramp_s=0.8, hold_s=0.0, rest_s=0.0)] * 3
    seq, _ = rotation_clip("seated", moves, lead_s=0.0, seed=2)
    live = LiveRotation("seated")
    assert not any(live.update(f).calibrated for f in frames(seq))


def test_draw_live_marks_the_frame() -> None:
    seq, _ = rotation_clip("seated", [Move("left", 30)], seed=3)
    live = LiveRotation("seated")
    img = np.zeros((seq.image_size[1], seq.image_size[0], 3), np.uint8)
    for f in frames(seq):
        state = live.update(f)
    out = draw_live(img, f, live, state)
    assert out.shape == img.shape and out.any() and not img.any()


def test_one_euro_smooths_still_noise_and_follows_steps() -> None:
    rng = np.random.default_rng(0)
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.05)
    t = np.arange(300) / 30
    x = np.where(t < 5, 0.0, 30.0) + rng.normal(0, 2, t.size)
    y = np.array([float(f(ti, xi)) for ti, xi in zip(t, x)])
    assert np.std(y[60:140]) < 0.5 * np.std(x[60:140])
    assert abs(y[-1] - 30) < 2.0  # caught up with the step
    assert np.isfinite(float(f(10.1, np.nan)))  # NaN does not poison the state


def test_live_with_one_leg_in_view_calibrates_that_leg() -> None:
    from dataclasses import replace

    from hipvision.landmarks import LANDMARK_INDEX

    seq, _ = rotation_clip("seated", [Move("left", 30), Move("left", -35)], seed=4, noise_px=1.0)
    keep = [LANDMARK_INDEX["left_knee"], LANDMARK_INDEX["left_ankle"]]
    xy = np.full_like(seq.xy, np.nan)
    xy[:, keep] = seq.xy[:, keep]
    live = LiveRotation("seated")
    for f in frames(replace(seq, xy=xy)):
        state = live.update(f)
    assert state.calibrated
    assert state.sides["left"].peak_ir_deg == pytest.approx(30, abs=1.5)
    assert state.sides["right"].peak_ir_deg is None


def test_live_does_not_calibrate_on_a_held_rotation() -> None:
    seq, _ = rotation_clip("seated", [Move("left", 15, ramp_s=0.2, hold_s=2.0), Move("left", -30)], lead_s=0.0, seed=5)
    live = LiveRotation("seated")
    for f in frames(seq):
        state = live.update(f)
    # live is causal: the IR held before any neutral cannot be measured, but it must not
    # become the vertical (which would turn the later 30 deg ER into 45)
    assert state.sides["left"].peak_ir_deg is None
    assert state.sides["left"].peak_er_deg == pytest.approx(30, abs=1.5)

"""Cleaning: gating, gap filling and the zero-phase low-pass, on signals with known answers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from hipvision.cleaning import clean_sequence, fill_gaps, gate, lowpass, restore_missing_frames
from hipvision.config import CleaningSettings

from synthetic import make_sequence, standing_pose


def test_gate_sets_low_visibility_to_nan_and_keeps_unknown() -> None:
    xy = np.ones((3, 33, 2))
    vis = np.full((3, 33), 0.9)
    vis[1, 25] = 0.2
    vis[2, 26] = np.nan  # unknown visibility is not gated
    out = gate(xy, vis, 0.5)
    assert np.isnan(out[1, 25]).all()
    assert np.isfinite(out[2, 26]).all()
    assert np.isfinite(out).sum() == xy.size - 2


def test_fill_gaps_fills_short_gaps_exactly_and_leaves_long_ones() -> None:
    t = np.arange(40) / 30.0
    y = 3.0 * t + 1.0
    holed = y.copy()
    holed[5:9] = np.nan  # 4 missing frames: 5/30 s between valid samples
    holed[20:35] = np.nan  # 15 missing frames: 0.53 s
    holed[0] = np.nan  # leading NaN
    out = fill_gaps(t, holed, max_gap_s=0.25)
    np.testing.assert_allclose(out[5:9], y[5:9])
    assert np.isnan(out[20:35]).all()
    assert np.isnan(out[0])


def test_fill_gaps_works_per_column() -> None:
    t = np.arange(10) / 10.0
    y = np.stack([t, 2 * t], axis=1)
    y[4, 0] = np.nan
    out = fill_gaps(t, y, 0.25)
    np.testing.assert_allclose(out, np.stack([t, 2 * t], axis=1))


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0, 120.0, 240.0])
def test_lowpass_removes_noise_without_lag_at_any_frame_rate(fps: float) -> None:
    rng = np.random.default_rng(1)
    t = np.arange(int(8 * fps)) / fps
    truth = 20 * np.sin(2 * np.pi * 0.5 * t)
    noisy = truth + rng.normal(0, 2.0, t.size)
    out = lowpass(t, noisy, cutoff_hz=6.0)
    core = slice(int(fps), -int(fps))  # ignore edge effects
    rmse_raw = np.sqrt(np.mean((noisy - truth)[core] ** 2))
    rmse = np.sqrt(np.mean((out - truth)[core] ** 2))
    # white noise power falls to about cutoff/Nyquist of what it was
    assert rmse < (np.sqrt(6.0 / (fps / 2)) + 0.15) * rmse_raw
    # zero phase: the slow component keeps its timing
    lag = np.argmax(np.correlate(out[core] - out[core].mean(), truth[core], "full")) - (t[core].size - 1)
    assert lag == 0


def test_lowpass_handles_variable_frame_rate() -> None:
    rng = np.random.default_rng(2)
    dt = rng.uniform(0.036, 0.072, 200)  # phone VFR, as measured on a real clip
    t = np.cumsum(dt)
    truth = 10 * np.sin(2 * np.pi * 0.4 * t)
    noisy = truth + rng.normal(0, 1.0, t.size)
    out = lowpass(t, noisy, cutoff_hz=4.0)
    core = slice(20, -20)
    assert np.sqrt(np.mean((out - truth)[core] ** 2)) < 0.7 * np.sqrt(np.mean((noisy - truth)[core] ** 2))


def test_lowpass_keeps_nan_gaps_and_filters_each_run() -> None:
    t = np.arange(200) / 30.0
    y = np.sin(t)
    y[90:110] = np.nan
    out = lowpass(t, y, 6.0)
    assert np.isnan(out[90:110]).all()
    assert np.isfinite(out[:90]).all() and np.isfinite(out[110:]).all()
    np.testing.assert_allclose(out[10:80], y[10:80], atol=1e-3)


def test_lowpass_leaves_data_alone_when_cutoff_is_above_nyquist() -> None:
    t = np.arange(30) / 5.0  # 5 fps clip: Nyquist 2.5 Hz
    y = np.random.default_rng(3).normal(size=30)
    np.testing.assert_array_equal(lowpass(t, y, 6.0), y)


@settings(max_examples=40, deadline=None)
@given(
    offset=st.floats(-1e4, 1e4),
    fps=st.sampled_from([24.0, 30.0, 60.0, 240.0]),
    seed=st.integers(0, 1000),
)
def test_lowpass_commutes_with_translation(offset: float, fps: float, seed: int) -> None:
    t = np.arange(100) / fps
    y = np.random.default_rng(seed).normal(0, 5, 100)
    np.testing.assert_allclose(lowpass(t, y + offset, 6.0), lowpass(t, y, 6.0) + offset, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(value=st.floats(-1e4, 1e4), n=st.integers(2, 300))
def test_lowpass_keeps_constants(value: float, n: int) -> None:
    t = np.arange(n) / 30.0
    np.testing.assert_allclose(lowpass(t, np.full(n, value), 6.0), value, atol=1e-6 * max(1, abs(value)))


def test_restore_missing_frames_inserts_nan_rows_with_interpolated_times() -> None:
    xy = np.stack([standing_pose()] * 3)
    seq = make_sequence(xy, time_s=np.array([0.0, 0.1, 0.3]), frame=np.array([0, 1, 3]))
    full = restore_missing_frames(seq)
    assert full.frame.tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(full.time_s, [0.0, 0.1, 0.2, 0.3])
    assert np.isnan(full.xy[2]).all() and full.num_people[2] == -1
    np.testing.assert_array_equal(full.xy[3], xy[2])


def test_clean_sequence_gates_fills_and_smooths() -> None:
    rng = np.random.default_rng(4)
    n = 120
    base = standing_pose()
    truth = np.stack([base] * n)
    xy = truth + rng.normal(0, 2.0, truth.shape)
    vis = np.full((n, 33), 0.95)
    vis[50:53, 25] = 0.1  # knee briefly occluded: gated, then filled
    xy[50:53, 25] = (0.0, 0.0)  # the model's garbage guess while occluded
    seq = make_sequence(xy, visibility=vis)
    out = clean_sequence(seq, CleaningSettings())
    assert np.isfinite(out.xy[50:53, 25]).all()
    assert np.abs(out.xy[50:53, 25] - truth[50:53, 25]).max() < 5.0
    core = slice(10, -10)
    err_raw = np.abs(xy[core] - truth[core]).mean()
    assert np.abs(out.xy[core] - truth[core]).mean() < 0.7 * err_raw


@pytest.mark.parametrize("omitted", [False, True])
def test_clean_and_check_is_the_chain_of_its_steps_and_leaves_the_input_alone(omitted: bool) -> None:
    """clean_and_check works on its own arrays in place (memory); it must give exactly what
    the public steps give one after the other, and never change the caller's sequence."""
    from hipvision.cleaning import clean_and_check
    from hipvision.config import PlausibilitySettings
    from hipvision.plausibility import check_pose

    rng = np.random.default_rng(11)
    n = 240
    xy = np.stack([standing_pose()] * n) + rng.normal(0, 1.5, (n, 33, 2))
    for k in (40, 41, 120, 200):  # one-frame jumps of the left knee: the plausibility gate's
        xy[k, 25] += (180.0, -150.0)
    vis = np.full((n, 33), 0.95)
    vis[60:64, 26] = 0.1  # an occluded knee: gated, then filled
    frame = np.arange(n)
    if omitted:  # a pose CSV leaves frames without a person out
        keep = np.ones(n, bool)
        keep[[5, 90, 91, 150]] = False
        xy, vis, frame = xy[keep], vis[keep], frame[keep]
    seq = make_sequence(xy, time_s=frame / 30.0, visibility=vis, frame=frame)
    seq = replace(seq, world=seq.world + rng.normal(0, 0.01, seq.world.shape))  # a 3-D skeleton
    before = {k: getattr(seq, k).copy() for k in ("xy", "world", "visibility", "z", "presence")}
    cs, ps = CleaningSettings(), PlausibilitySettings()

    clean, check = clean_and_check(seq, cs, ps, ("hip", "knee"))

    full = restore_missing_frames(seq)
    gated = {k: gate(getattr(full, k), full.visibility, cs.min_visibility) for k in ("xy", "world")}
    ref = check_pose(full.time_s, gated["xy"], gated["world"], ps, ("hip", "knee"))
    assert ref.body.any() or ref.leg["left"].any(), "the clip must make the gate reject frames"
    for k in ("xy", "world"):
        want = lowpass(full.time_s, fill_gaps(full.time_s, ref.reject(gated[k]), cs.max_gap_s), cs.cutoff_hz, cs.filter_order)
        np.testing.assert_array_equal(getattr(clean, k), want, err_msg=k)
        np.testing.assert_array_equal(getattr(seq, k), before[k], err_msg=f"input {k} changed")
    for k in ("visibility", "z", "presence"):
        np.testing.assert_array_equal(getattr(clean, k), getattr(full, k), err_msg=k)
        np.testing.assert_array_equal(getattr(seq, k), before[k], err_msg=f"input {k} changed")
    np.testing.assert_array_equal(clean.frame, full.frame)
    np.testing.assert_array_equal(check.leg["left"], ref.leg["left"])
    np.testing.assert_array_equal(check.body, ref.body)


def test_cleaning_a_mirrored_sequence_filters_it_too() -> None:
    """A mirrored sequence's arrays are not C-ordered (landmarks picked by a permutation);
    the gap filling and the low-pass must still work on them (they once returned them
    untouched: a reshape copied instead of viewing)."""
    from hipvision.cleaning import clean_and_check
    from hipvision.config import PlausibilitySettings

    rng = np.random.default_rng(5)
    n = 150
    xy = np.stack([standing_pose()] * n) + rng.normal(0, 2.0, (n, 33, 2))
    xy[70:73, 25] = np.nan  # a short gap to fill
    seq = make_sequence(xy).mirrored()
    assert not seq.xy.flags.c_contiguous, "the case under test"
    t = seq.time_s
    dense = np.ascontiguousarray(seq.xy)
    np.testing.assert_array_equal(lowpass(t, seq.xy, 6.0), lowpass(t, dense, 6.0))
    np.testing.assert_array_equal(fill_gaps(t, seq.xy, 0.25), fill_gaps(t, dense, 0.25))
    assert not np.array_equal(lowpass(t, seq.xy, 6.0), seq.xy, equal_nan=True)
    ordered = replace(seq, **{k: np.ascontiguousarray(getattr(seq, k)) for k in ("xy", "z", "visibility", "presence", "world")})
    a, _ = clean_and_check(seq, CleaningSettings(), PlausibilitySettings())
    b, _ = clean_and_check(ordered, CleaningSettings(), PlausibilitySettings())
    np.testing.assert_array_equal(a.xy, b.xy)
    np.testing.assert_array_equal(a.world, b.world)
    assert np.isfinite(a.xy[70:73, 26]).all()  # the gap (now the person's right knee) filled

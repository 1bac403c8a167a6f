"""The vectorised moving median / SD of the rotation analyzer give the same numbers as the
straightforward per-sample loops they replaced (uniform, variable-rate and gappy time
bases, NaN runs), and the reports on the samples are unchanged."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hipvision.analyzers.rotation.analysis import moving_median, moving_sd


def loop_median(t, x, window_s, min_fraction=0.6):
    out = np.full(len(t), np.nan)
    lo = np.searchsorted(t, t - window_s / 2, side="left")
    hi = np.searchsorted(t, t + window_s / 2, side="right")
    dt = np.median(np.diff(t)) if len(t) > 1 else 1.0
    need = max(1, int(min_fraction * (window_s / dt)))
    for i in range(len(t)):
        w = x[lo[i] : hi[i]]
        w = w[np.isfinite(w)]
        if w.size >= need:
            out[i] = np.median(w)
    return out


def loop_sd(t, x, window_s):
    out = np.full(len(t), np.nan)
    lo = np.searchsorted(t, t - window_s / 2, side="left")
    hi = np.searchsorted(t, t + window_s / 2, side="right")
    for i in range(len(t)):
        w = x[lo[i] : hi[i]]
        w = w[np.isfinite(w)]
        if w.size >= 3:
            out[i] = np.std(w)
    return out


def series(n: int, seed: int, vfr: bool, nan_frac: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    dt = rng.uniform(0.01, 0.07, n) if vfr else np.full(n, 1 / 30)
    t = np.cumsum(dt)
    x = np.cumsum(rng.normal(0, 2, n)) + rng.normal(0, 1, n)
    x[rng.random(n) < nan_frac] = np.nan
    if n > 40:
        x[10:25] = np.nan  # a long gap
    return t, x


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 400),
    seed=st.integers(0, 10_000),
    vfr=st.booleans(),
    nan_frac=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    window=st.sampled_from([0.1, 0.6, 1.0, 2.5]),
)
def test_vectorised_windows_match_the_loops(n, seed, vfr, nan_frac, window) -> None:
    t, x = series(n, seed, vfr, nan_frac)
    np.testing.assert_array_equal(moving_median(t, x, window), loop_median(t, x, window))
    np.testing.assert_allclose(moving_sd(t, x, window), loop_sd(t, x, window), rtol=1e-12, atol=1e-12)


def test_blocks_bound_memory_without_changing_results(monkeypatch) -> None:
    import hipvision.analyzers.rotation.analysis as rot

    t, x = series(3000, 3, True, 0.1)
    ref_m, ref_s = moving_median(t, x, 1.0), moving_sd(t, x, 1.0)
    monkeypatch.setattr(rot, "_BLOCK_CELLS", 97)  # many small blocks
    np.testing.assert_array_equal(rot.moving_median(t, x, 1.0), ref_m)
    np.testing.assert_array_equal(rot.moving_sd(t, x, 1.0), ref_s)


@pytest.mark.parametrize("name,test", [("seated_rotation", "seated"), ("prone_rotation", "prone")])
def test_sample_reports_unchanged(monkeypatch, name, test) -> None:
    """The whole report with the vectorised windows equals the one with the loops."""
    from pathlib import Path

    import hipvision.analyzers.rotation.analysis as rot
    from hipvision import api

    csv = Path(__file__).resolve().parents[1] / "samples" / f"{name}.pose.csv"
    new = api.analyze(csv, test)
    monkeypatch.setattr(rot, "moving_median", loop_median)
    monkeypatch.setattr(rot, "moving_sd", loop_sd)
    old = api.analyze(csv, test)
    new.pop("processing_s"), old.pop("processing_s")
    assert new == old

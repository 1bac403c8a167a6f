"""Cleaning of landmark tracks: confidence gating, short-gap interpolation and a zero-phase
low-pass filter. Pure numpy (the filter is :mod:`hipvision.dsp`'s); works on any frame rate
(tested 24-240 fps) and on variable-frame-rate timestamps (the filter runs on a uniform
re-sampling of each run).

Order of :func:`clean_sequence`: restore omitted frames -> gate -> fill short gaps ->
low-pass. :func:`clean_and_check` (what the analyzers use) adds the whole-skeleton
plausibility gate (:mod:`hipvision.plausibility`) after the confidence gate, so rejected
landmarks are missing before any gap is filled or any track filtered. Long gaps stay NaN:
analyzers must treat NaN as missing, never as zero.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .config import CleaningSettings, PlausibilitySettings
from .dsp import butter_lowpass, sosfiltfilt
from .plausibility import PoseCheck, check_pose
from .sequence import PoseSequence


def restore_missing_frames(seq: PoseSequence) -> PoseSequence:
    """Insert all-NaN rows for frame numbers missing between the first and last frame (a
    pose CSV omits frames without a detection). Their times are interpolated linearly from
    the frame numbers of the neighbouring frames."""
    if len(seq) < 2:
        return seq
    span = int(seq.frame[-1] - seq.frame[0] + 1)
    if span == len(seq) or span > 20 * len(seq):
        # complete, or numbered so sparsely (e.g. frames written as milliseconds) that
        # restoring rows would only cost memory: leave as it is
        return seq
    full = np.arange(seq.frame[0], seq.frame[-1] + 1, dtype=np.int64)
    pos = np.searchsorted(full, seq.frame)
    times = np.interp(full, seq.frame, seq.time_s)

    def spread(a: np.ndarray, fill: float) -> np.ndarray:
        out = np.full((len(full),) + a.shape[1:], fill, dtype=a.dtype)
        out[pos] = a
        return out

    return replace(
        seq,
        frame=full,
        time_s=times,
        xy=spread(seq.xy, np.nan),
        z=spread(seq.z, np.nan),
        visibility=spread(seq.visibility, np.nan),
        presence=spread(seq.presence, np.nan),
        world=spread(seq.world, np.nan),
        num_people=spread(seq.num_people, -1),
    )


def gate(values: np.ndarray, visibility: np.ndarray, min_visibility: float) -> np.ndarray:
    """Return ``values`` (N, L, ...) with landmarks whose visibility (N, L) is below
    ``min_visibility`` set to NaN. A NaN visibility (unknown) is not gated."""
    return _gate_in_place(np.array(values, dtype=np.float64, copy=True), visibility, min_visibility)


def _gate_in_place(out: np.ndarray, visibility: np.ndarray, min_visibility: float) -> np.ndarray:
    out[visibility < min_visibility] = np.nan  # NaN compares False: unknown visibility passes
    return out


def run_around(mask: np.ndarray, i: int) -> tuple[int, int]:
    """First and last index of the run of True in ``mask`` that contains index ``i``."""
    a = i
    while a > 0 and mask[a - 1]:
        a -= 1
    b = i
    while b < len(mask) - 1 and mask[b + 1]:
        b += 1
    return a, b


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index pairs of the True runs of a 1-D bool mask."""
    if not mask.any():
        return []
    d = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def fill_gaps(t: np.ndarray, values: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Linearly interpolate NaN gaps inside each column of ``values`` (N, ...) when the time
    between the valid samples on either side of the gap is at most ``max_gap_s``. Leading
    and trailing NaNs and longer gaps stay NaN."""
    return _fill_gaps_in_place(t, np.array(values, dtype=np.float64, order="C", copy=True), max_gap_s)


def _fill_gaps_in_place(t: np.ndarray, y: np.ndarray, max_gap_s: float) -> np.ndarray:
    assert y.flags.c_contiguous  # so that flat below is a view of y
    flat = y.reshape(len(t), -1)
    for c in range(flat.shape[1]):
        col = flat[:, c]
        ok = np.isfinite(col)
        if ok.all() or ok.sum() < 2:
            continue
        idx = np.flatnonzero(ok)
        # gaps are consecutive valid indices more than 1 apart
        for a, b in zip(idx[:-1], idx[1:]):
            if b - a > 1 and t[b] - t[a] <= max_gap_s + 1e-9:
                col[a + 1 : b] = np.interp(t[a + 1 : b], (t[a], t[b]), (col[a], col[b]))
    return y


def lowpass(
    t: np.ndarray, values: np.ndarray, cutoff_hz: float, order: int = 2
) -> np.ndarray:
    """Zero-phase Butterworth low-pass of each column of ``values`` (N, ...), run by run
    over the finite samples (NaN gaps split runs). Irregular timestamps are resampled to a
    uniform grid at the run's median interval, filtered, and interpolated back.

    Runs too short for the filter are returned unchanged, and so is everything when the
    cut-off is at or above the Nyquist frequency of the data (nothing to remove).
    """
    return _lowpass_in_place(t, np.array(values, dtype=np.float64, order="C", copy=True), cutoff_hz, order)


def _lowpass_in_place(t: np.ndarray, y: np.ndarray, cutoff_hz: float, order: int) -> np.ndarray:
    if len(t) < 2:
        return y
    assert y.flags.c_contiguous  # so that flat below is a view of y
    flat = y.reshape(len(t), -1)
    for c in range(flat.shape[1]):
        col = flat[:, c]
        for a, b in true_runs(np.isfinite(col)):
            col[a:b] = _filter_run(t[a:b], col[a:b], cutoff_hz, order)
    return y


def _filter_run(t: np.ndarray, x: np.ndarray, cutoff_hz: float, order: int) -> np.ndarray:
    n = len(t)
    if n < 2:
        return x
    dt = float(np.median(np.diff(t)))
    fs = 1.0 / dt
    if cutoff_hz >= 0.5 * fs * 0.95:
        return x
    sos = butter_lowpass(order, cutoff_hz, fs)
    padlen = 3 * (2 * len(sos) + 1)
    uniform = np.allclose(np.diff(t), dt, rtol=0.02, atol=1e-6)
    if uniform:
        if n <= padlen:
            return x
        return sosfiltfilt(sos, x, padlen=padlen)
    grid = np.arange(t[0], t[-1] + 0.5 * dt, dt)
    if len(grid) <= padlen:
        return x
    xs = np.interp(grid, t, x)
    return np.interp(t, grid, sosfiltfilt(sos, xs, padlen=padlen))


def clean_sequence(seq: PoseSequence, settings: CleaningSettings) -> PoseSequence:
    """Restore omitted frames, gate low-visibility landmarks, fill short gaps and low-pass
    the pixel and world tracks. Visibility and presence are kept as measured."""
    return clean_and_check(seq, settings, PlausibilitySettings(enabled=False))[0]


def clean_and_check(
    seq: PoseSequence,
    settings: CleaningSettings,
    plausibility: PlausibilitySettings,
    swap_parts: tuple[str, ...] = (),
) -> tuple[PoseSequence, PoseCheck]:
    """:func:`clean_sequence` with the plausibility gate between the confidence gate and the
    gap filling: returns the cleaned sequence (rejected landmarks missing, short gaps
    interpolated over as any other gap) and what the gate rejected, frame by frame (aligned
    with the cleaned sequence). ``swap_parts``: see :func:`hipvision.plausibility.check_pose`."""
    restored = restore_missing_frames(seq)
    t = restored.time_s
    gated = {}
    for name in ("xy", "world"):
        v = getattr(restored, name)
        if restored is seq or not (v.dtype == np.float64 and v.flags.c_contiguous):
            v = np.array(v, dtype=np.float64, order="C", copy=True)  # the caller's arrays are never changed
        # else: restore_missing_frames made v for this call alone (memory: no second copy)
        gated[name] = _gate_in_place(v, restored.visibility, settings.min_visibility)
    check = check_pose(t, gated["xy"], gated["world"], plausibility, swap_parts)
    for name in ("xy", "world"):
        v = check.reject(gated.pop(name))  # a copy, which takes the gated array's place:
        restored = replace(restored, **{name: v})  # that one is freed here
        _fill_gaps_in_place(t, v, settings.max_gap_s)
        _lowpass_in_place(t, v, settings.cutoff_hz, settings.filter_order)
    return restored, check


class OneEuroFilter:
    """Causal One-Euro filter (Casiez et al. 2012) for live display: smooths jitter when a
    value is still and follows it quickly when it moves. Works on scalars or arrays; NaN
    inputs pass through without disturbing the state.

    ``min_cutoff_hz``: cut-off when still (lower = smoother); ``beta``: how fast the cut-off
    grows with speed (higher = less lag when moving).
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.05, d_cutoff_hz: float = 1.0) -> None:
        self.min_cutoff = min_cutoff_hz
        self.beta = beta
        self.d_cutoff = d_cutoff_hz
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray:
        tau = 1.0 / (2 * np.pi * np.asarray(cutoff, dtype=np.float64))
        return 1.0 / (1.0 + tau / dt)

    def __call__(self, t: float, x: np.ndarray | float) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._t is None or t <= self._t:
            self._x = x.copy()
            self._dx = np.zeros_like(x)
            self._t = t
            return x.copy()
        dt = t - self._t
        self._t = t
        prev = np.where(np.isfinite(self._x), self._x, x)
        dx = (x - prev) / dt
        ad = self._alpha(self.d_cutoff, dt)
        dx_hat = np.where(np.isfinite(dx), ad * dx + (1 - ad) * self._dx, self._dx)
        a = self._alpha(self.min_cutoff + self.beta * np.abs(dx_hat), dt)
        x_hat = np.where(np.isfinite(x), a * x + (1 - a) * prev, self._x)
        self._x, self._dx = x_hat, dx_hat
        return x_hat.copy()

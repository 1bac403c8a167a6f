"""The few signal-processing routines the analysis needs, in numpy: a Butterworth low-pass
as second-order sections, zero-phase filtering, and peak finding by prominence.

They compute what ``scipy.signal``'s ``butter(order, fc, fs=fs, output="sos")``,
``sosfiltfilt(sos, x, padlen=n)`` and ``find_peaks(x, prominence=p, distance=d)`` compute
(tests/test_dsp.py compares them), without importing ``scipy.signal``: that import costs
about a second of CPU (it loads ``scipy.stats`` too), more than analysing a pose CSV.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

#: samples per block of :func:`_filter_section` (one matrix product per block)
_BLOCK = 64


def butter_lowpass(order: int, cutoff_hz: float, fs: float) -> np.ndarray:
    """Digital Butterworth low-pass of ``order`` with its -3 dB point at ``cutoff_hz`` for
    sampling rate ``fs``, as second-order sections: rows ``(b0, b1, b2, 1, a1, a2)``, each
    with unit gain at 0 Hz. Bilinear transform of the analogue prototype, pre-warped."""
    if order < 1:
        raise ValueError(f"order must be 1 or more, got {order}")
    if not 0 < cutoff_hz < fs / 2:
        raise ValueError(f"cut-off {cutoff_hz} Hz is not between 0 and the Nyquist frequency {fs / 2} Hz")
    warped = 2 * fs * np.tan(np.pi * cutoff_hz / fs)
    k = np.arange(order)
    s = warped * np.exp(1j * np.pi * (2 * k + order + 1) / (2 * order))  # left half-plane poles
    z = (2 * fs + s) / (2 * fs - s)
    rows = []
    if order % 2:  # the real pole (k = (order - 1) / 2)
        rows.append(([1.0, 1.0, 0.0], [1.0, -z[order // 2].real, 0.0]))
    for p in z[order // 2 + order % 2 :]:  # one of each conjugate pair, innermost first
        rows.append(([1.0, 2.0, 1.0], [1.0, -2 * p.real, abs(p) ** 2]))
    sos = np.array([b + a for b, a in rows])
    sos[:, :3] *= (sos[:, 3:].sum(axis=1) / sos[:, :3].sum(axis=1))[:, None]
    return sos


def sosfiltfilt(sos: np.ndarray, x: np.ndarray, padlen: int) -> np.ndarray:
    """Zero-phase filtering of the 1-D ``x`` by ``sos``: forward, then backward, each pass
    started in its steady state for the first sample, on ``x`` extended at both ends by
    ``padlen`` samples of odd reflection (``padlen`` < ``len(x)``)."""
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    if not 0 <= padlen < n:
        raise ValueError(f"padlen {padlen} needs a signal longer than that, got {n} samples")
    ext = np.concatenate([2 * x[0] - x[padlen:0:-1], x, 2 * x[-1] - x[-2 : -padlen - 2 : -1]]) if padlen else x
    y = _filter_steady(sos, ext)
    y = _filter_steady(sos, y[::-1])[::-1]
    return y[padlen : padlen + n].copy()


def _filter_steady(sos: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``x`` through each section in turn, each started as if its input had always been
    its first sample."""
    for row in np.asarray(sos, dtype=np.float64):
        b, a = row[:3] / row[3], row[3:] / row[3]
        g = b.sum() / a.sum()
        zi = np.array([g - b[0], b[2] - a[2] * g])  # the state a constant 1 settles into
        x = _filter_section(tuple(b), tuple(a[1:]), x, zi * x[0])
    return x


def _filter_section(b: tuple[float, float, float], a: tuple[float, float], x: np.ndarray, state: np.ndarray) -> np.ndarray:
    """One section (direct form II transposed) over ``x`` from ``state``, by blocks: within
    a block, the output is a matrix product with the block's input and start state."""
    H, G, K, F = _block_matrices(b, a)
    n = len(x)
    nb = -(-n // _BLOCK)
    xb = np.zeros(nb * _BLOCK)
    xb[:n] = x
    xb = xb.reshape(nb, _BLOCK)
    from_state = np.empty((nb, 2))
    kx = xb @ K.T
    for i in range(nb):  # the state at each block's start
        from_state[i] = state
        state = F @ state + kx[i]
    return (xb @ H.T + from_state @ G.T).ravel()[:n]


@lru_cache(maxsize=64)
def _block_matrices(b: tuple[float, float, float], a: tuple[float, float]) -> tuple[np.ndarray, ...]:
    """For one block of ``_BLOCK`` samples: output = H @ input + G @ start state, end state
    = F @ start state + K @ input; found by running the recursion on unit inputs."""
    L = _BLOCK
    x = np.hstack([np.eye(L), np.zeros((L, 2))])  # columns: unit impulses, then unit states
    s1, s2 = np.zeros(L + 2), np.zeros(L + 2)
    s1[L], s2[L + 1] = 1.0, 1.0
    y = np.empty((L, L + 2))
    for i in range(L):
        y[i] = b[0] * x[i] + s1
        s1, s2 = b[1] * x[i] - a[0] * y[i] + s2, b[2] * x[i] - a[1] * y[i]
    end = np.vstack([s1, s2])
    return y[:, :L], y[:, L:], end[:, :L], end[:, L:]


def find_peaks(x: np.ndarray, *, prominence: float, distance: int = 1) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Indices of the local maxima of the 1-D finite ``x`` (a plateau counts once, at its
    middle; never the first or last sample), thinned so that no two are closer than
    ``distance`` samples (the higher one stays), then kept when their prominence is at
    least ``prominence``. Returns ``(peaks, {"prominences": ...})``."""
    x = np.asarray(x, dtype=np.float64)
    peaks = _local_maxima(x)
    if distance > 1 and len(peaks) > 1:
        peaks = _thin(peaks, x[peaks], distance)
    prom = np.array([_prominence(x, int(p)) for p in peaks], dtype=np.float64)
    keep = prom >= prominence
    return peaks[keep], {"prominences": prom[keep]}


def _local_maxima(x: np.ndarray) -> np.ndarray:
    if len(x) < 3:
        return np.zeros(0, dtype=np.intp)
    change = np.flatnonzero(np.diff(x) != 0)  # runs of equal samples end here
    first = np.concatenate([[0], change + 1])
    last = np.concatenate([change, [len(x) - 1]])
    v = x[first]
    inner = np.flatnonzero((v[1:-1] > v[:-2]) & (v[1:-1] > v[2:])) + 1
    return ((first[inner] + last[inner]) // 2).astype(np.intp)


def _thin(peaks: np.ndarray, heights: np.ndarray, distance: int) -> np.ndarray:
    """Highest first, each kept peak removes the lower ones nearer than ``distance``."""
    keep = np.ones(len(peaks), dtype=bool)
    for j in np.argsort(heights)[::-1]:  # ties: in the order scipy.signal takes them
        if not keep[j]:
            continue
        k = j - 1
        while k >= 0 and peaks[j] - peaks[k] < distance:
            keep[k] = False
            k -= 1
        k = j + 1
        while k < len(peaks) and peaks[k] - peaks[j] < distance:
            keep[k] = False
            k += 1
    return peaks[keep]


def _prominence(x: np.ndarray, p: int) -> float:
    """Height of peak ``p`` above the higher of the lowest points on either side before
    the signal rises above it (or ends)."""
    h = x[p]
    higher = np.flatnonzero(x[:p] > h)
    lo = higher[-1] + 1 if higher.size else 0
    higher = np.flatnonzero(x[p + 1 :] > h)
    hi = p + 1 + higher[0] if higher.size else len(x)
    return float(h - max(x[lo : p + 1].min(), x[p:hi].min()))

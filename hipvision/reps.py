"""Repetition segmentation from a 1-D "depth" signal (0 = standing, larger = deeper).

Pure numpy/scipy. A rep is a peak of depth with enough prominence; peaks not separated by
a return towards standing (the valley between them stays above ``valley_fraction`` of the
shallower one: wobbles during a pause at the bottom) are one rep, bottom = the middle of the
stretch near the deepest peak; its start and end are where depth is back near the level it
rose from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks


@dataclass(frozen=True)
class RepSpan:
    start: int  # index of the rep's start
    bottom: int  # index of the bottom (middle of the deepest stretch)
    end: int  # index of the end
    depth: float  # depth at the bottom (signal units)


def segment_reps(
    t: np.ndarray,
    depth: np.ndarray,
    *,
    min_depth: float,
    min_separation_s: float = 0.5,
    return_fraction: float = 0.25,
    bottom_fraction: float = 0.95,
    valley_fraction: float = 0.5,
) -> list[RepSpan]:
    """Reps in ``depth`` sampled at times ``t`` (NaN gaps are interpolated over, but a rep
    needs finite data at its bottom).

    ``min_depth``: minimum depth of a rep, both above zero (standing) and as prominence. ``return_fraction``: the rep starts/ends
    where depth falls below this share of the way from its baseline to its peak.
    """
    ok = np.isfinite(depth)
    if ok.sum() < 3:
        return []
    d = np.interp(t, t[ok], depth[ok])
    dt = float(np.median(np.diff(t)))
    dist = max(1, int(round(min_separation_s / dt)))
    peaks, props = find_peaks(d, prominence=min_depth, distance=dist)
    keep = [(int(p), float(prom)) for p, prom in zip(peaks, props["prominences"]) if ok[p] and d[p] >= min_depth]
    # merge peaks without a return towards standing between them (keep the deeper one,
    # with the larger prominence, which reaches down to the real baseline)
    merged: list[tuple[int, float]] = []
    for p, prom in keep:
        if merged:
            q, qprom = merged[-1]
            if d[q : p + 1].min() > valley_fraction * min(d[q], d[p]):
                merged[-1] = (q if d[q] >= d[p] else p, max(prom, qprom))
                continue
        merged.append((p, prom))
    reps: list[RepSpan] = []
    for k, (p, prom) in enumerate(merged):
        top = d[p]
        base = top - prom
        thr = base + return_fraction * (top - base)
        # a rep never reaches past the lowest point between it and its neighbours
        lo = 0 if k == 0 else merged[k - 1][0] + int(np.argmin(d[merged[k - 1][0] : p + 1]))
        hi = len(d) - 1 if k == len(merged) - 1 else p + int(np.argmin(d[p : merged[k + 1][0] + 1]))
        a = p
        while a > lo and d[a - 1] > thr:
            a -= 1
        b = p
        while b < hi and d[b + 1] > thr:
            b += 1
        # bottom: middle of the deepest stretch around the peak (pauses at the bottom)
        near = np.flatnonzero(d[a : b + 1] >= base + bottom_fraction * (top - base)) + a
        mid = int(np.median(near)) if near.size else int(p)
        if reps and mid <= reps[-1].end:  # a second peak inside the previous rep
            continue
        if reps and a <= reps[-1].end:  # touching reps: start after the previous end
            a = reps[-1].end + 1
        reps.append(RepSpan(int(a), int(mid), int(b), float(top)))
    return reps

"""Repetition segmentation from a 1-D "depth" signal (0 = standing, larger = deeper).

Pure numpy/scipy. A rep is a peak of depth with enough prominence; peaks not separated by
a return towards standing (the valley between them stays above ``valley_fraction`` of the
shallower one: wobbles during a pause at the bottom) are one rep, bottom = the middle of the
stretch near the deepest peak; its start and end are where depth is back near the level it
rose from.

A rep the clip cuts off is still returned, marked incomplete (``RepSpan.complete`` False,
with a reason): a complete rep starts and ends near standing (depth within
``complete_tolerance`` of its own depth) and its deepest stretch lies inside the clip (a
real turning point, not the first or last sample). A clip that ends while the person is
still going down, or starts on the way up, gives such a rep at its edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dsp import find_peaks


@dataclass(frozen=True)
class RepSpan:
    start: int  # index of the rep's start
    bottom: int  # index of the bottom (middle of the deepest stretch)
    end: int  # index of the end
    depth: float  # depth at the bottom (signal units)
    complete: bool = True  # starts and ends near standing, with its bottom inside the clip
    incomplete_reason: str | None = None  # plain words when not complete


def completeness(d: np.ndarray, start: int, bottom_stretch: tuple[int, int], end: int, tolerance: float) -> str | None:
    """Why the rep spanning ``start``..``end`` of the (gap-free) depth ``d`` is incomplete,
    or None when it is complete. ``bottom_stretch``: first and last index of its deepest
    stretch. Standing is depth 0; the rep must start and end within ``tolerance`` of its
    depth (the largest ``d`` in the rep) from it."""
    last = len(d) - 1
    top = float(d[start : end + 1].max())
    level = tolerance * top
    if bottom_stretch[0] <= 0:
        return "the clip starts mid-rep (at or after the bottom: the person is already on the way up)"
    if bottom_stretch[1] >= last:
        return "the clip ends mid-rep (before the person comes up: still going down or at the bottom)"
    if d[start] > level or start >= bottom_stretch[0]:
        if start == 0:
            return "the clip starts mid-rep (the person is already on the way down)"
        if start >= bottom_stretch[0]:
            return "no way down was seen (depth jumped to the bottom in one frame: a tracking glitch?)"
        return "the person did not stand up before this rep"
    if d[end] > level or end <= bottom_stretch[1]:
        if end == last:
            return "the clip ends before the person stands up again"
        if end <= bottom_stretch[1]:
            return "no way up was seen (depth jumped back from the bottom in one frame: a tracking glitch?)"
        return "the person did not stand up after this rep"
    return None


def segment_reps(
    t: np.ndarray,
    depth: np.ndarray,
    *,
    min_depth: float,
    min_separation_s: float = 0.5,
    return_fraction: float = 0.25,
    bottom_fraction: float = 0.95,
    valley_fraction: float = 0.5,
    complete_tolerance: float = 0.25,
) -> list[RepSpan]:
    """Reps in ``depth`` sampled at times ``t`` (NaN gaps are interpolated over, but a rep
    needs finite data at its bottom).

    ``min_depth``: minimum depth of a rep, both above zero (standing) and as prominence. ``return_fraction``: the rep starts/ends
    where depth falls below this share of the way from its baseline to its peak.
    ``complete_tolerance``: see :func:`completeness`.
    """
    ok = np.isfinite(depth)
    if ok.sum() < 3:
        return []
    d = np.interp(t, t[ok], depth[ok])
    dt = float(np.median(np.diff(t)))
    dist = max(1, int(round(min_separation_s / dt)))
    # pad both ends just below the clip's lowest depth: a rep the clip cuts off (still
    # going down at the end, coming up at the start) is then a peak too, and a peak's
    # prominence is measured from the valley on its inner side, not from where the cut
    # left the signal
    pad = float(d.min()) - 1e-6 * max(1.0, float(np.ptp(d)))
    peaks, props = find_peaks(np.concatenate([[pad], d, [pad]]), prominence=min_depth, distance=dist)
    cand = [(int(p) - 1, float(prom)) for p, prom in zip(peaks, props["prominences"])]
    keep = [(p, prom) for p, prom in cand if ok[p] and d[p] >= min_depth]
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
        stretch = (int(near.min()), int(near.max())) if near.size else (int(p), int(p))
        why = completeness(d, int(a), stretch, int(b), complete_tolerance)
        reps.append(RepSpan(int(a), int(mid), int(b), float(top), why is None, why))
    return reps

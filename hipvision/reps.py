"""Repetition segmentation from a 1-D "depth" signal (0 = standing, larger = deeper).

Pure numpy (``hipvision.dsp.find_peaks``). A rep is a peak of depth with enough
prominence. Two peaks are one rep unless the person rises between them by at least
``split_rise`` of the shallower one's depth (wobbles during a pause at the bottom, a hitch
on the way up); when they do (two reps without standing up fully in between) they are two
reps, split at the lowest point between
them. A rep's bottom is the middle of the deepest stretch around its peak; its start and
end are where depth is back near the level it rose from on that side: standing, or the
partial stand-up between it and its neighbour.

A rep the clip cuts off is still returned, marked incomplete (``RepSpan.complete`` False,
with a reason): a complete rep starts and ends near standing (depth within
``complete_tolerance`` of its own depth) or at the partial stand-up that separates it from
the rep before or after, and its deepest stretch lies inside the clip (a real turning
point, not the first or last sample). A clip that ends while the person is still going
down, or starts on the way up, gives such a rep at its edge. So does a tracking jump: a
"rep" whose depth returns within one frame, or that stays beyond half its depth for less
than ``min_half_width_s`` (a cut or cross-fade in an edited video), is no real movement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cleaning import run_around
from .dsp import find_peaks


@dataclass(frozen=True)
class RepSpan:
    start: int  # index of the rep's start
    bottom: int  # index of the bottom (middle of the deepest stretch)
    end: int  # index of the end
    depth: float  # depth at the bottom (signal units)
    complete: bool = True  # starts and ends near standing (or where a neighbouring rep joins it), bottom inside the clip
    incomplete_reason: str | None = None  # plain words when not complete


def completeness(
    d: np.ndarray,
    start: int,
    bottom_stretch: tuple[int, int],
    end: int,
    tolerance: float,
    *,
    after_rep: bool = False,
    before_rep: bool = False,
) -> str | None:
    """Why the rep spanning ``start``..``end`` of the (gap-free) depth ``d`` is incomplete,
    or None when it is complete. ``bottom_stretch``: first and last index of its deepest
    stretch. Standing is depth 0; the rep must start and end within ``tolerance`` of its
    depth (the largest ``d`` in the rep) from it, except on a side where it is split from
    a neighbouring rep (``after_rep``: it starts where the previous rep ended; ``before_rep``:
    it ends where the next one starts): there the partial stand-up between them counts."""
    last = len(d) - 1
    top = float(d[start : end + 1].max())
    level = tolerance * top
    if bottom_stretch[0] <= 0:
        return "the clip starts mid-rep (at or after the bottom: the person is already on the way up)"
    if bottom_stretch[1] >= last:
        return "the clip ends mid-rep (before the person comes up: still going down or at the bottom)"
    if (d[start] > level and not after_rep) or start >= bottom_stretch[0]:
        if start == 0:
            return "the clip starts mid-rep (the person is already on the way down)"
        if start >= bottom_stretch[0]:
            return "no way down was seen (depth jumped to the bottom in one frame: a tracking glitch?)"
        return "the person did not stand up before this rep"
    if (d[end] > level and not before_rep) or end <= bottom_stretch[1]:
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
    split_rise: float = 0.4,
    complete_tolerance: float = 0.25,
    min_half_width_s: float = 0.0,
) -> list[RepSpan]:
    """Reps in ``depth`` sampled at times ``t`` (NaN gaps are interpolated over, but a rep
    needs finite data at its bottom).

    ``min_depth``: minimum depth of a rep, both above zero (standing) and as prominence.
    ``split_rise``: two bottoms are two reps when the depth between them comes back up by
    at least this share of the shallower one's depth (and by ``min_depth``). ``return_fraction``:
    the rep starts/ends where depth falls below this share of the way from the level on
    that side (standing, or the low point between it and its neighbour) to its peak.
    ``complete_tolerance``, ``min_half_width_s`` (s): see the module docstring.
    """
    ok = np.isfinite(depth)
    if ok.sum() < 3:
        return []
    d = np.interp(t, t[ok], depth[ok])
    last = len(d) - 1
    dt = float(np.median(np.diff(t)))
    dist = max(1, int(round(min_separation_s / dt)))
    # pad both ends just below the clip's lowest depth: a rep the clip cuts off (still
    # going down at the end, coming up at the start) is then a peak too, and a peak's
    # prominence is measured from the valley on its inner side, not from where the cut
    # left the signal
    pad = float(d.min()) - 1e-6 * max(1.0, float(np.ptp(d)))
    peaks, _ = find_peaks(np.concatenate([[pad], d, [pad]]), prominence=min_depth, distance=dist)
    keep = [int(p) - 1 for p in peaks if ok[int(p) - 1] and d[int(p) - 1] >= min_depth]
    # one rep unless the person came back up between two peaks by split_rise of the
    # shallower one (keep the deeper peak)
    merged: list[int] = []
    for p in keep:
        if merged:
            q = merged[-1]
            if d[q : p + 1].min() > (1.0 - split_rise) * min(d[q], d[p]):
                merged[-1] = q if d[q] >= d[p] else p
                continue
        merged.append(p)
    # the low points between neighbouring reps: where one ends and the next may start
    cuts = [q + int(np.argmin(d[q : p + 1])) for q, p in zip(merged, merged[1:])]
    reps: list[RepSpan] = []
    for k, p in enumerate(merged):
        top = d[p]
        lo = cuts[k - 1] if k > 0 else 0
        hi = cuts[k] if k < len(cuts) else last
        # the level the rep rose from on each side: the low point there, but not below
        # standing (0: rising on the toes after the set must not stretch the rep). Where that
        # is the clip's edge the clip may cut the rep off: never above the other side's level
        i_lo = lo + int(np.argmin(d[lo : p + 1]))
        i_hi = p + int(np.argmin(d[p : hi + 1]))
        left, right = max(float(d[i_lo]), 0.0), max(float(d[i_hi]), 0.0)
        if i_lo == 0:
            left = min(left, right)
        if i_hi == last:
            right = min(right, left)
        base = max(left, right)  # the deepest stretch and the half width are measured from it
        a = p
        while a > lo and d[a - 1] > left + return_fraction * (top - left):
            a -= 1
        b = p
        while b < hi and d[b + 1] > right + return_fraction * (top - right):
            b += 1
        # bottom: middle of the deepest stretch around the peak (pauses at the bottom), a
        # frame that is itself in that stretch
        near = np.flatnonzero(d[a : b + 1] >= base + bottom_fraction * (top - base)) + a
        mid = int(near[(len(near) - 1) // 2]) if near.size else int(p)
        if reps and mid <= reps[-1].end:  # a second peak inside the previous rep
            continue
        if reps and a <= reps[-1].end:  # touching reps: start after the previous end
            a = reps[-1].end + 1
        stretch = (int(near.min()), int(near.max())) if near.size else (int(p), int(p))
        why = completeness(
            d, int(a), stretch, int(b), complete_tolerance, after_rep=k > 0, before_rep=k < len(cuts)
        )
        if why is None and min_half_width_s > 0:
            h0, h1 = run_around(d >= base + 0.5 * (top - base), p)
            if t[h1] - t[h0] < min_half_width_s:
                why = (
                    f"down and up again within {t[h1] - t[h0]:.2f} s: too quick for a rep "
                    "(a tracking jump, or a cut in an edited video?)"
                )
        reps.append(RepSpan(int(a), int(mid), int(b), float(top), why is None, why))
    return reps

"""Single-leg tests: has the pose model swapped the stance and free legs' labels? Pure numpy.

Seen from the front (or the back) the two ankles keep their left-right order in the image:
the free foot is lifted on its own side of the stance foot. Where the pose model puts its
"stance ankle" on the other side of its "free ankle" (the order reversed from the standing
frames), it has given the stance leg's labels to the free leg, or both labels to one leg
(rendered single-leg squat on Xbot, issue 15: in the bottom frames of the 28 deg rep the
model's stance ankle sat 28 px medial, on the free ankle). Where the two ankles come within a
quarter of their standing distance apart without crossing, the labels are on one leg all the
same (Xbot filmed 10 deg off, the 28 deg rep: 2-9 px apart for 34 px standing, a hip shift of
36 % for a true 0; every other rendered rep kept at least 0.59 of it). The hip shift is measured from
the stance ankle and the stance knee's FPPA from the stance leg's landmarks, so neither
means anything in such frames.

Conventions: image pixels; ``across`` is a unit vector in the image pointing towards the
person's left; left/right are the person's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .results import QualityWarning, withhold_fppa
from .wording import rep_list


def crossed_frames(
    stance: np.ndarray, free: np.ndarray, across: np.ndarray, standing: np.ndarray, min_share: float = 0.0,
) -> np.ndarray:
    """(N,) True where the stance and free points (``(N, 2)`` pixels, e.g. the ankles) lie in
    the opposite left-right order to the one they have over the ``standing`` frames (a mask),
    or in that order but closer together across the body than ``min_share`` of their
    standing distance apart (both labels on one leg; 0: only a reversed order counts);
    False where either is missing or the standing order is unknown (never seen apart)."""
    side = (np.asarray(stance, float) - np.asarray(free, float)) @ np.asarray(across, float)
    ref = side[np.asarray(standing, bool)]
    ref = ref[np.isfinite(ref)]
    if ref.size == 0 or float(np.median(ref)) == 0.0:
        return np.zeros(len(side), bool)
    apart = float(np.median(ref))
    with np.errstate(invalid="ignore"):
        if min_share > 0:
            return np.isfinite(side) & (side * np.sign(apart) < min_share * abs(apart))
        return np.isfinite(side) & (side * np.sign(apart) < 0)


def bottom_through_gaps(depth: np.ndarray, start: int, end: int, fraction: float) -> np.ndarray:
    """(N,) mask of the rep's frames ``start..end`` (inclusive) at least ``fraction`` of its
    deepest ``depth``, with the depth through gaps (NaN: frames the plausibility gate
    removed) taken as the straight line between the known frames either side, so that a
    bottom the gate left partly empty still counts its frames."""
    d = np.asarray(depth, float)
    out = np.zeros(len(d), bool)
    seg = d[start : end + 1]
    ok = np.isfinite(seg)
    if not ok.any():
        return out
    k = np.arange(seg.size)
    filled = np.interp(k, k[ok], seg[ok])
    out[start : end + 1] = filled >= fraction * filled.max()
    return out


def crossed_share(crossed: np.ndarray, frames: np.ndarray) -> float | None:
    """The share of ``frames`` (a mask) that are ``crossed``; None when no frame is given."""
    m = np.asarray(frames, bool)
    return float(np.asarray(crossed, bool)[m].mean()) if m.any() else None


def withhold_swapped(
    reps: list[dict[str, Any]], bottoms: list[np.ndarray], crossed: np.ndarray, working: str, max_share: float,
) -> QualityWarning | None:
    """Withhold the hip shift (value, side and flag; ``hip_shift_note`` says why) and the
    stance knee's FPPA (value, peak and flag; ``fppa_note``) of each rep in which more than
    ``max_share`` of its deepest frames (``bottoms``, one mask per rep: the frames its
    bottom and peak values come from) have the legs' labels ``crossed``. Changes ``reps`` (the screening report's rep dicts) in place; returns the
    warning (``swapped_legs``, value = reps withheld) or None when none was."""
    withheld = []
    for r, bottom in zip(reps, bottoms):
        share = crossed_share(crossed, bottom)
        if share is None or share <= max_share:
            continue
        note = swapped_note(share)
        if r.get("hip_shift_pct") is not None:
            r.update(hip_shift_pct=None, hip_shift_toward=None, hip_shift=None, hip_shift_note=note)
        d = r.get(working)
        if d and d.get("fppa_deg") is not None:
            withhold_fppa(d, note)
        withheld.append(str(r.get("index", "?")))
    if not withheld:
        return None
    return QualityWarning(
        "swapped_legs",
        f"hip shift and stance-knee valgus withheld in {rep_list(withheld)}: "
        "at the deepest point the pose model put the stance leg's landmarks on the free leg; keep the free foot "
        "clearly out to its own side of the stance foot",
        float(len(withheld)),
    )


def swapped_note(share: float) -> str:
    """The reason a rep's hip shift and stance-knee FPPA are withheld."""
    return (
        f"withheld: in {100 * share:.0f} % of the rep's deeper frames the pose model put the stance ankle on the other "
        "side of the free ankle or on it (the legs' labels swapped, or both on one leg), so the stance leg is not where it says"
    )

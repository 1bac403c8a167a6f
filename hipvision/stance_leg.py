"""Single-leg squats: is the stance knee seen clear of the free leg? Pure numpy, pixels.

In a single-leg squat filmed from the front the free (lifted) leg hangs in front of the
body beside the stance leg. When the stance knee caves in (valgus) it moves medially,
towards the free leg, and at depth the two knees meet in the image: the free knee, nearer
the camera, covers the stance knee's medial side. The pose model then puts the stance knee
in the middle of what it still sees of it, too far lateral, and the FPPA reads far too
little valgus (rendered benchmark, issue 15: a projected 28 deg read as 14 deg on one
avatar, as 0 deg on another, whose legs the model swapped there). The model's own
landmarks show when this happens: the stance knee lies within about a knee's width of the
free leg's thigh or shin.

Conventions: image pixels, x right, y down; left/right are the person's. The gap is
measured in **stance-leg lengths** (the image distance hip -> ankle of the stance leg,
median over the standing frames), so it does not depend on the camera's distance. A knee
is about an eighth of a leg's length across, so two knee centres closer than about a fifth
of a leg's length touch or overlap in the image.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .results import QualityWarning, withhold_fppa
from .wording import rep_list


def point_segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N,) image distance from points ``p`` to the segments ``a`` -> ``b`` (all (N, 2));
    NaN where any input is NaN."""
    p, a, b = (np.asarray(x, dtype=np.float64) for x in (p, a, b))
    ab = b - a
    ll = np.sum(ab * ab, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(ll > 0, np.sum((p - a) * ab, axis=-1) / ll, 0.0)
    u = np.clip(u, 0.0, 1.0)
    return np.hypot(*(p - (a + u[..., None] * ab)).T)


def free_leg_gap(
    stance_knee: np.ndarray,
    free_hip: np.ndarray,
    free_knee: np.ndarray,
    free_ankle: np.ndarray,
    leg_length: float,
) -> np.ndarray:
    """(N,) how far the stance knee lies from the free leg in the image, in stance-leg
    lengths: the smaller distance to the free thigh (hip -> knee) and to the free shin (knee
    -> ankle), divided by ``leg_length`` (pixels, > 0; :func:`standing_leg_length`). NaN
    where a landmark is missing or the leg length is unknown. Near 0 also when the pose
    model has swapped the legs (its stance knee then lies on the free leg)."""
    if not np.isfinite(leg_length) or leg_length <= 0:
        return np.full(len(np.asarray(stance_knee)), np.nan)
    d = np.fmin(
        point_segment_distance(stance_knee, free_hip, free_knee),
        point_segment_distance(stance_knee, free_knee, free_ankle),
    )
    bad = ~(np.isfinite(np.asarray(free_hip)).all(axis=-1) & np.isfinite(np.asarray(free_knee)).all(axis=-1)
            & np.isfinite(np.asarray(free_ankle)).all(axis=-1) & np.isfinite(np.asarray(stance_knee)).all(axis=-1))
    return np.where(bad, np.nan, d / leg_length)


def standing_leg_length(hip: np.ndarray, ankle: np.ndarray, standing: np.ndarray) -> float:
    """The stance leg's image length, hip to ankle (pixels), median over the ``standing``
    frames (a mask); NaN when it is never seen. Steadier than the hip width: on the rendered
    Mannequin the pose model's two hip landmarks wandered 2-50 px apart while standing."""
    d = np.hypot(*(np.asarray(hip, float) - np.asarray(ankle, float))[np.asarray(standing, bool)].T)
    return float(np.nanmedian(d)) if np.isfinite(d).any() else float("nan")


def hidden_share(gap: np.ndarray, frames: np.ndarray, min_gap: float) -> float | None:
    """The share of ``frames`` (a mask) where the stance knee is within ``min_gap`` leg
    lengths of the free leg, over the frames where the gap is known (a leg the plausibility
    gate left out says nothing either way). None when no such frame is given."""
    g = np.asarray(gap, float)[np.asarray(frames, bool)]
    g = g[np.isfinite(g)]
    if g.size == 0:
        return None
    return float((g < min_gap).mean())


def withhold_hidden(
    reps: list[dict[str, Any]],
    bottoms: list[np.ndarray],
    gap: np.ndarray,
    working: str,
    min_gap: float,
    max_share: float,
) -> QualityWarning | None:
    """Withhold the stance knee's FPPA (value, peak and flag; ``fppa_note`` says why) in
    each rep whose bottom frames (``bottoms``, one mask per rep) see the stance knee within
    ``min_gap`` stance-leg lengths of the free leg in more than ``max_share`` of them. Changes
    ``reps`` (the screening report's rep dicts) in place; returns the warning
    (``fppa_withheld_free_leg``, value = knees withheld) or None when none was."""
    withheld = []
    for r, bottom in zip(reps, bottoms):
        d = r.get(working)
        if not d or d.get("fppa_deg") is None:
            continue
        share = hidden_share(gap, bottom, min_gap)
        if share is None or share <= max_share:
            continue
        g = np.asarray(gap, float)[np.asarray(bottom, bool)]
        seen = float(np.nanmedian(g)) if np.isfinite(g).any() else None
        withhold_fppa(d, hidden_note(seen, min_gap))
        withheld.append(str(r.get("index", "?")))
    if not withheld:
        return None
    return QualityWarning(
        "fppa_withheld_free_leg",
        f"knee valgus (FPPA) of the stance knee withheld in {rep_list(withheld)}: "
        "at the deepest point the free leg is in front of or beside the stance knee in the image, where the pose "
        "model misplaces it (too little valgus); hold the free leg so that the camera sees the stance knee clear of it",
        float(len(withheld)),
    )


def hidden_note(gap_at_bottom: float | None, min_gap: float) -> str:
    """The reason a stance knee's FPPA is withheld, for ``fppa_note``."""
    seen = f"{100 * gap_at_bottom:.0f} % of the leg's length" if gap_at_bottom is not None and np.isfinite(gap_at_bottom) else "lost"
    return (
        f"withheld: the free leg hides the stance knee at the deepest point (the knee is {seen} from the free "
        f"leg in the image, under {100 * min_gap:.0f} %), where the pose model places it too far out and reads too little "
        "valgus; hold the free leg so that the camera sees the stance knee clear of it"
    )

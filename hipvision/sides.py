"""Left/right label swaps of the pose model, found and undone from the legs' positions.

The pose model sometimes labels the person's left leg as the right one for a stretch of
frames (seen on rendered avatars with both feet turned out, and when the shins cross). In
the hip-rotation tests the knees never cross: seated, the thighs lie parallel; prone, the
knees rest apart on the table. So a frame whose knees appear in the opposite left-right
order to the clip's usual order has its leg labels swapped, and swapping them back gives
the person's sides again. Hips are judged the same way, separately (the model may swap the
legs alone or the whole body).

Pure numpy, image pixels; "left"/"right" are the person's.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .landmarks import LANDMARK_INDEX
from .sequence import PoseSequence

#: landmark groups that swap together: the hips, and the rest of each leg
HIP_PARTS = ("hip",)
LEG_PARTS = ("knee", "ankle", "heel", "foot_index")


def reversed_frames(seq: PoseSequence, part: str, min_separation: float) -> np.ndarray:
    """(N,) True where the left and right ``part`` appear in the opposite order (along the
    clip's usual left-to-right direction) by more than ``min_separation`` of their usual
    distance apart."""
    return reversed_order(seq.point(f"left_{part}") - seq.point(f"right_{part}"), min_separation)


def reversed_order(d: np.ndarray, min_separation: float) -> np.ndarray:
    """(N,) True where the left-minus-right vectors ``d`` (N, 2) point the opposite way to
    their median by more than ``min_separation`` of its length (see :func:`reversed_frames`)."""
    ok = np.isfinite(d).all(axis=1)
    if ok.sum() < 3:
        return np.zeros(len(d), bool)
    usual = np.median(d[ok], axis=0)
    spread = float(np.hypot(*usual))
    if spread == 0.0:
        return np.zeros(len(d), bool)
    along = np.where(ok, d @ (usual / spread), np.nan)
    with np.errstate(invalid="ignore"):
        return along < -min_separation * spread


def _swap(seq: PoseSequence, frames: np.ndarray, parts: tuple[str, ...]) -> PoseSequence:
    if not frames.any():
        return seq
    li = [LANDMARK_INDEX[f"left_{p}"] for p in parts]
    ri = [LANDMARK_INDEX[f"right_{p}"] for p in parts]
    out = {}
    for name in ("xy", "z", "visibility", "presence", "world"):
        a = getattr(seq, name).copy()
        sub = a[frames]
        sub[:, li + ri] = sub[:, ri + li]
        a[frames] = sub
        out[name] = a
    return replace(seq, **out)


def fix_swapped_sides(seq: PoseSequence, min_separation: float = 0.25) -> tuple[PoseSequence, float]:
    """Undo per-frame left/right swaps of the hips and of the legs (knee to foot). Returns
    the corrected sequence and the share of frames whose legs were swapped back."""
    hips = reversed_frames(seq, "hip", min_separation)
    legs = reversed_frames(seq, "knee", min_separation)
    fixed = _swap(_swap(seq, hips, HIP_PARTS), legs, LEG_PARTS)
    return fixed, float(legs.mean()) if len(seq) else 0.0

"""What to record for each test: camera placement and what the person does, in plain words
(each family's ``Family.instructions``), with an illustration drawn from the synthetic
skeleton (what the camera should see)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import analyzers
from ..config import DEFAULT_SETTINGS
from ..render import draw_pose


def instructions(test: str) -> str:
    """What to record for ``test`` (Markdown), from its family (``Family.instructions``)."""
    family = analyzers.family_of(test)
    text = family.instructions.get(test) if family is not None else None
    return text or "Record the whole body, well lit, with the camera still."


@lru_cache(maxsize=16)
def illustration(test: str, width: int = 360) -> np.ndarray | None:
    """An RGB picture of what the camera should see at the key moment of ``test`` (its
    family's ``illustration_pose``: e.g. peak internal rotation of the left hip, the bottom
    of a squat), drawn from the synthetic skeleton with the person's left in orange and
    right in blue. Landmarks the family hides (NaN) are not drawn. None when the family has
    no illustration."""
    family = analyzers.family_of(test)
    if family is None or family.illustration_pose is None:
        return None
    seq, k = family.illustration_pose(test)
    w, h = seq.image_size
    canvas = np.full((h, w, 3), 246, np.uint8)
    pose = seq.frame_at(k)
    img = draw_pose(canvas, pose, DEFAULT_SETTINGS.render)
    ys, xs = np.nonzero((img != 246).any(axis=2))
    if len(xs):  # crop to the person with a margin
        m = int(0.08 * max(w, h))
        img = img[max(0, ys.min() - m) : ys.max() + m, max(0, xs.min() - m) : xs.max() + m]
    import cv2

    scale = width / img.shape[1]
    return cv2.resize(img, (width, max(1, round(img.shape[0] * scale))), interpolation=cv2.INTER_AREA)

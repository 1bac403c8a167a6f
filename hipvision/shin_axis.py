"""The point the seated test measures each shin from: the knee where it stood at neutral.

In the seated test the thigh points at the camera and is held still; hip rotation turns it
about its own long axis, so the knee joint does not move in the image while the shin swings
about it. The pose model's knee landmark does move: on the rendered seated clips
(``benchmarks/render``) it slid 19–68 px (14–50 % of the shin) down the shin in the IR
holds and sat 6–11 px lateral of the true shin line, while the ankle stayed within 1–3 px
of it. The knee -> ankle line then turns less than the shin: IR read 1.4–4.7° low. At
neutral the same landmark sat within 5 px of the joint (the shin hangs below the knee and
the model has nothing to slide along).

:func:`anchored_knee` moves the knee of every frame towards its median position over the
frames in which that shin is at its neutral direction (by a set weight), so the shin angle
is taken from (mostly) the knee's neutral position to the ankle of the frame. Pure numpy, image pixels. The person's
left/right are handled by the caller (one call per side); no sign convention here.

Limits: a knee that really moves (the thigh slides sideways or lifts: a compensation the
rotation analyser warns about as ``thigh_moved``; a hand-held camera that pans) is not
followed; the pelvis landmarks were tried as a follower and rejected: on the renders they
drift 5–12 px while the body is still, which costs more than it saves.
"""

from __future__ import annotations

import numpy as np


def neutral_frames(angle: np.ndarray, reference_deg: float | None, tolerance_deg: float) -> np.ndarray:
    """Frames whose shin angle (degrees, in the analyser's lateral sign, measured from the
    nominal image vertical) lies within ``tolerance_deg`` of the neutral ``reference_deg``
    (False where the angle is NaN or there is no reference)."""
    a = np.asarray(angle, dtype=np.float64)
    if reference_deg is None or not np.isfinite(reference_deg):
        return np.zeros(a.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        return np.abs(a - reference_deg) <= tolerance_deg


def anchored_knee(knee: np.ndarray, neutral: np.ndarray, weight: float = 1.0, min_frames: int = 3) -> np.ndarray:
    """The knee track to measure the shin from: ``weight`` times the median knee position
    (px) over the ``neutral`` frames (the anchor) plus ``1 - weight`` times the frame's own
    knee landmark (1 = the anchor alone). NaN where the frame's own knee is NaN, so a frame
    without a knee stays unmeasured. Returns ``knee`` unchanged (a copy) when fewer than
    ``min_frames`` neutral frames have a knee.

    Why a blend: the anchor removes the slide but inherits the neutral landmark's own
    position along the shin, which depends on the look (0-5 px from the joint on the plain
    renders, 15-31 px below it with dark trousers): there the anchor alone over-read by up
    to 6.8 deg. The weight is chosen on the renders (config.py)."""
    k = np.asarray(knee, dtype=np.float64)
    use = np.asarray(neutral, dtype=bool) & np.isfinite(k).all(axis=1)
    if use.sum() < min_frames:
        return k.copy()
    anchor = np.median(k[use], axis=0)
    return weight * anchor + (1.0 - weight) * k  # NaN rows stay NaN



def foreshortened(knee: np.ndarray, ankle: np.ndarray, neutral: np.ndarray, min_ratio: float) -> np.ndarray:
    """Frames whose shin (``knee`` -> ``ankle``, px) is shorter in the image than
    ``min_ratio`` times its median length over the ``neutral`` frames: the shin has swung
    out of the frontal plane (the foot tucked back under the seat, or kicked forward).
    Hip rotation with the thigh held still turns the shin about the thigh's axis, which
    points at the camera, so its image length stays; a shortened shin's sideways angle is
    not a hip rotation (on the renders the resting foot tucked back read as "IR" 13-27 deg).
    All False when no neutral frame has a shin."""
    d = np.asarray(ankle, dtype=np.float64) - np.asarray(knee, dtype=np.float64)
    length = np.hypot(d[:, 0], d[:, 1])
    use = np.asarray(neutral, dtype=bool) & np.isfinite(length)
    if not use.any():
        return np.zeros(len(length), dtype=bool)
    with np.errstate(invalid="ignore"):
        return length < min_ratio * float(np.median(length[use]))

"""Pure, vectorised 2-D geometry in pixel (or world) units. No video, no mediapipe.

Image convention: x right, y **down** (pixels). Angles are in degrees. Every function takes
the reference it measures against explicitly, returns NaN where an input is NaN (never
raises for missing data), and documents its sign.
"""

from __future__ import annotations

import numpy as np

#: straight down in image coordinates (y grows downwards)
IMAGE_DOWN = np.array([0.0, 1.0])
IMAGE_UP = np.array([0.0, -1.0])


def unit(v: np.ndarray) -> np.ndarray:
    """Unit vectors along the last axis (NaN for zero-length or NaN vectors)."""
    v = np.asarray(v, dtype=np.float64)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, v / n, np.nan)


def signed_angle(v: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Signed angle (degrees, -180..180] from ``ref`` to ``v`` (both (..., 2)).

    The sign is that of the 2-D cross product ``ref.x * v.y - ref.y * v.x``: in image
    coordinates (y down) positive means **clockwise as seen on screen**.
    """
    v = np.asarray(v, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    cross = ref[..., 0] * v[..., 1] - ref[..., 1] * v[..., 0]
    dot = ref[..., 0] * v[..., 0] + ref[..., 1] * v[..., 1]
    with np.errstate(invalid="ignore"):
        out = np.degrees(np.arctan2(cross, dot))
    bad = ~(np.isfinite(v).all(axis=-1) & np.isfinite(ref).all(axis=-1))
    bad |= np.hypot(v[..., 0], v[..., 1]) == 0
    return np.where(bad, np.nan, out)


def rotate(v: np.ndarray, degrees: float | np.ndarray) -> np.ndarray:
    """Rotate 2-D vectors by ``degrees`` with the sign convention of :func:`signed_angle`
    (``signed_angle(rotate(r, a), r) == a``)."""
    a = np.radians(degrees)
    c, s = np.cos(a), np.sin(a)
    v = np.asarray(v, dtype=np.float64)
    return np.stack([c * v[..., 0] - s * v[..., 1], s * v[..., 0] + c * v[..., 1]], axis=-1)


def lateral_angle(
    proximal: np.ndarray, distal: np.ndarray, reference: np.ndarray, lateral: np.ndarray
) -> np.ndarray:
    """Angle (degrees) of the segment ``proximal -> distal`` (e.g. knee -> ankle) from the
    ``reference`` direction (e.g. the vertical the neutral shin points along), **positive
    when the distal point lies on the ``lateral`` side** of the reference line, negative
    when it lies medially.

    ``lateral`` is any vector pointing to the side's outside (for the person's left leg:
    from the right hip towards the left hip); only its side of the reference line matters.
    All arguments broadcast over leading axes; NaN in gives NaN out.
    """
    seg = np.asarray(distal, dtype=np.float64) - np.asarray(proximal, dtype=np.float64)
    ang = signed_angle(seg, reference)
    side = np.sign(signed_angle(lateral, reference))
    side = np.where(side == 0, np.nan, side)
    return ang * side


def fppa(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, lateral: np.ndarray) -> np.ndarray:
    """Frontal-plane projection angle (degrees): 180° minus the hip-knee-ankle angle as the
    camera sees it, **positive for valgus** (knee medial of the hip-ankle line), negative
    for varus. ``lateral`` points to the outside of this leg (e.g. other hip -> this hip)."""
    thigh = np.asarray(knee, dtype=np.float64) - np.asarray(hip, dtype=np.float64)
    shin = np.asarray(ankle, dtype=np.float64) - np.asarray(knee, dtype=np.float64)
    bend = signed_angle(shin, thigh)  # turn from thigh direction to shin direction
    # a valgus knee sits medial, so the shin turns back towards lateral
    side = np.sign(signed_angle(lateral, thigh))
    side = np.where(side == 0, np.nan, side)
    return bend * side


def body_yaw_deg(world: np.ndarray) -> np.ndarray:
    """How far the body is turned from the camera, degrees (0 = facing it or its back to it,
    90 = side on), from world landmarks ``(..., 33, 3)`` (MediaPipe world coordinates: x
    across, z depth): the mean over the hip and shoulder lines of their angle out of the
    image plane in the ground plane. NaN where neither line is known."""
    from .landmarks import LANDMARK_INDEX

    w = np.asarray(world, dtype=np.float64)
    yaws = []
    for a, b in (("left_hip", "right_hip"), ("left_shoulder", "right_shoulder")):
        v = w[..., LANDMARK_INDEX[a], :] - w[..., LANDMARK_INDEX[b], :]
        yaws.append(np.degrees(np.arctan2(np.abs(v[..., 2]), np.abs(v[..., 0]))))
    y = np.stack(yaws)
    n = np.isfinite(y).sum(axis=0)
    return np.where(n > 0, np.nansum(y, axis=0) / np.maximum(n, 1), np.nan)

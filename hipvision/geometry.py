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


# ------------------------------------------------------------ square-view FPPA (issue 15)
def point_on_ray(anchor: np.ndarray, pixel_ray: np.ndarray, length: np.ndarray | float, near: bool) -> np.ndarray:
    """The point on the camera ray ``pixel_ray`` (3-D direction from the camera centre at the
    origin) at distance ``length`` from ``anchor`` (3-D): of the two such points the one
    nearer the camera (``near``) or the farther one. Where the ray passes further than
    ``length`` from the anchor (a segment that looks longer than it is: noise), its point
    closest to the anchor. All broadcast over leading axes; NaN in gives NaN out."""
    r = unit(pixel_ray)
    a = np.asarray(anchor, dtype=np.float64)
    b = np.sum(r * a, axis=-1)
    length = np.asarray(length, dtype=np.float64)
    disc = b * b - np.sum(a * a, axis=-1) + length * length
    with np.errstate(invalid="ignore"):
        t = b + (-1.0 if near else 1.0) * np.sqrt(np.clip(disc, 0.0, None))
    return r * t[..., None]


def leg_from_image(
    hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, thigh: float, shin: float, focal_px: float,
    principal: np.ndarray, knee_towards_camera: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """3-D hip, knee and ankle ``(..., 3)`` of a leg whose foot is planted, from their image
    positions (px) and the leg's segment lengths (px, measured standing, when the leg lies in
    the image plane), through a level pinhole camera of focal length ``focal_px`` with its
    principal point at ``principal``.

    Camera axes: x right, y down (as the image), z away from the camera; unit: one pixel at
    the feet's depth (the ankle sits at depth ``focal_px``). The knee is on its pixel's ray
    at ``shin`` from the ankle, on the camera's side (knees travel forward over planted
    feet); the hip on its ray at ``thigh`` from the knee, on the far side (hips travel back);
    ``knee_towards_camera=False`` (the person's back to the camera) swaps the sides. The
    depths come from foreshortening alone: no pose model's depth is used.

    Limit: from a camera above a joint the other point on the ray is a segment tilted the
    other way about the line of sight; it is the right one while the segment leans less
    than the line of sight's slope (the first few degrees of a rep, e.g. standing under a
    chest-high phone), where the depths, and so the angle, come out slightly wrong
    (< 0.2 deg in the tests)."""
    c = np.asarray(principal, dtype=np.float64)

    def ray(p: np.ndarray) -> np.ndarray:
        p = np.asarray(p, dtype=np.float64) - c
        return np.concatenate([p, np.full(p.shape[:-1] + (1,), float(focal_px))], axis=-1)

    a3 = ray(ankle)  # depth focal_px: one unit = one pixel there
    k3 = point_on_ray(a3, ray(knee), shin, near=knee_towards_camera)
    h3 = point_on_ray(k3, ray(hip), thigh, near=not knee_towards_camera)
    return h3, k3, a3


def turned_axes(
    across: np.ndarray, up: np.ndarray, turn_deg: float = 0.0, facing: bool = True,
    sight: np.ndarray = np.array([0.0, 0.0, 1.0]),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The body's (lateral, up, forward) unit axes in the camera axes of
    :func:`leg_from_image`, for a level camera. ``across`` and ``up`` are image directions
    (2-D): the standing hip line towards the person's left, and the true vertical up.
    ``sight``: the direction from the camera to the person (3-D; default the optical axis:
    a phone aimed at them). ``facing``: the person faces the camera (else their back is to
    it). Square on (``turn_deg`` 0) the forward axis points back along the line of sight;
    the body is turned ``turn_deg`` about its vertical from that, **+ = its left side
    further from the camera**. Forward points out of the person's front."""
    up3 = unit(np.array([up[0], up[1], 0.0]))
    s = np.asarray(sight, dtype=np.float64)
    s = unit(s - (s @ up3) * up3)
    side = np.cross(s, up3)  # horizontal, across the line of sight
    if side @ np.array([across[0], across[1], 0.0]) < 0:
        side = -side  # towards the person's left
    a = np.radians(turn_deg)
    lat = np.cos(a) * side + np.sin(a) * s
    fwd = (-1.0 if facing else 1.0) * (np.cos(a) * s - np.sin(a) * side)
    return lat, up3, fwd


def square_view(points: np.ndarray, camera: np.ndarray, lateral: np.ndarray, up: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """``(..., 2)`` image of 3-D ``points`` as a level pinhole camera at ``camera`` sees
    them when it faces the body squarely (looking along ``-forward``): x along ``lateral``
    (the person's left to the right of the image, as a camera in front shows it), y down;
    unit: its focal length. NaN in gives NaN out."""
    d = np.asarray(points, dtype=np.float64) - np.asarray(camera, dtype=np.float64)
    depth = -(d @ forward)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.stack([(d @ lateral) / depth, -(d @ up) / depth], axis=-1)


def square_view_fppa(
    legs: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    standing: np.ndarray,
    up: np.ndarray,
    focal_px: float,
    principal: np.ndarray,
    turn_deg: float = 0.0,
    facing: bool = True,
) -> dict[str, np.ndarray]:
    """FPPA per frame (degrees, **+ = valgus**) of both legs as a level pinhole camera
    square in front of the person sees it: at the height of the standing knees, centred
    between the standing ankles, as far in front of the standing knees as the real camera.

    ``legs``: side ("left"/"right", the person's) -> (hip, knee, ankle), ``(N, 2)`` image
    pixels of a level camera (roll allowed: ``up`` is the true vertical in the image) with
    focal length ``focal_px`` and principal point ``principal``; ``standing``: ``(N,)`` bool,
    the frames where the person stands straight (segment lengths, the camera's place).
    Each leg is rebuilt with :func:`leg_from_image` (feet planted; the feet are put at the
    depth a body turned by ``turn_deg`` gives them, + = the left side further from the
    camera), then seen by that camera (:func:`square_view`). NaN where a landmark is
    missing; all NaN without standing frames."""
    n = len(standing)
    nan = {s: np.full(n, np.nan) for s in legs}
    if not np.any(standing) or set(legs) != {"left", "right"}:
        return nan
    up = unit(np.asarray(up, dtype=np.float64))
    # which way the person's left lies: from all frames (standing, the hip landmarks of a
    # person seen square on can sit almost on top of each other)
    hl = np.nanmedian(legs["left"][0] - legs["right"][0], axis=0)
    across = np.array([-up[1], up[0]])
    if not np.isfinite(hl).all():
        return nan
    if hl @ across < 0:
        across = -across  # towards the person's left
    ankle_mid = np.nanmedian(((legs["left"][2] + legs["right"][2]) / 2)[standing], axis=0)
    tan_turn = np.tan(np.radians(turn_deg))
    rebuilt, planted = {}, {}
    for s, (hip, knee, ankle) in legs.items():
        thigh = float(np.nanmedian(np.hypot(*(knee - hip)[standing].T)))
        shin = float(np.nanmedian(np.hypot(*(ankle - knee)[standing].T)))
        # the planted foot's depth (unit: a pixel at the feet's mean depth): a turned body
        # has one foot further away
        foot = np.nanmedian(ankle[standing], axis=0)
        depth = focal_px + float((foot - ankle_mid) @ across) * tan_turn
        if not (np.isfinite(thigh) and np.isfinite(shin) and np.isfinite(depth) and depth > 0):
            return nan
        # rebuilt in this leg's own unit (a pixel at its own depth), then scaled to the common one
        k = depth / focal_px
        h3, k3, a3 = leg_from_image(hip, knee, ankle, thigh, shin, focal_px, principal, facing)
        rebuilt[s] = (h3 * k, k3 * k, a3 * k)
        planted[s] = (None, k3 * (a3[..., 2:] / k3[..., 2:]) * k, a3 * k)
    # the standing legs lie at their feet's depth (their rebuilt knees may sit on the ray's
    # other point under a phone above them: see leg_from_image)
    knee0 = np.nanmedian(((planted["left"][1] + planted["right"][1]) / 2)[standing], axis=0)
    ankle0 = np.nanmedian(((planted["left"][2] + planted["right"][2]) / 2)[standing], axis=0)
    # square on = the body facing the camera itself, wherever the phone points
    lat, up3, fwd = turned_axes(across, up, turn_deg, facing, sight=knee0)
    camera = knee0 + float((ankle0 - knee0) @ lat) * lat + abs(float(knee0 @ fwd)) * fwd
    out = {}
    for s, side_x in (("left", 1.0), ("right", -1.0)):
        hip, knee, ankle = (square_view(p, camera, lat, up3, fwd) for p in rebuilt[s])
        out[s] = fppa(hip, knee, ankle, np.array([side_x, 0.0]))
    return out


#: the left-right landmark pairs whose line lies across the body
ACROSS_LINES = ("hip", "shoulder", "knee", "ankle", "heel", "foot_index")


def body_turn_deg(world: np.ndarray, lines: tuple[str, ...] = ACROSS_LINES) -> float | None:
    """How far a body that keeps its orientation over a clip is turned from the camera,
    degrees (0 = square to it, front or back; 90 = side on), from world landmarks
    ``(N, 33, 3)`` (camera axes, x across, z depth): for each left-right line (hips,
    shoulders, knees, ankles, heels, toes) its angle out of the image plane in the ground
    plane, signed (which side is further), the median over the frames, then its size; then
    the median over the lines. Pooling the lines and frames keeps one landmark's depth
    error (on the rendered avatars a standing hip line read up to 40 deg off) from
    deciding; taking the size after the median keeps depth noise around a square view
    from adding up. None where no line is ever seen."""
    from .landmarks import LANDMARK_INDEX

    w = np.asarray(world, dtype=np.float64)
    per_line = []
    for name in lines:
        v = w[:, LANDMARK_INDEX[f"left_{name}"], :] - w[:, LANDMARK_INDEX[f"right_{name}"], :]
        with np.errstate(invalid="ignore", divide="ignore"):
            a = np.degrees(np.arctan(v[:, 2] / v[:, 0]))  # signed, front or back alike
        a = a[np.isfinite(a)]
        if a.size:
            per_line.append(abs(float(np.median(a))))
    return float(np.median(per_line)) if per_line else None

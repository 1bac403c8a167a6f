"""Single-leg tests: the body's turn from the camera, read while standing on both feet.

A bent knee's FPPA moves by up to ~2 deg per degree the body is turned from the camera, so
FPPA is only given for a body known to face the camera squarely (the turn rule in
``analyzers/screening/analysis.py``). In single-leg stance the pose model's world hip and
shoulder lines cannot tell: on rendered square-on single-leg squats they read the body
turned 7-12 deg, with a sign that differs between avatars doing the same course (two-legged
squats square on: 1.6-4.7 deg; benchmarks/render/README.md). So a single-leg test reads the
turn on a two-legged standing start, before the leg lifts, from the same left-right lines
as a two-legged squat (:data:`geometry.ACROSS_LINES`), and takes it for the reps: a set is
done facing one way (a turn after the start goes unseen). A clip without such a start has
no readable turn. Standing still, the lines separate a turned body worse than during squat
reps (rendered: a single-leg Xbot filmed 10 deg off read 4.7 deg there), so the caller
holds the reading to a stricter limit (``ScreeningSettings.two_leg_start_max_turn_deg``).

Conventions: image pixels, x right, y down; ``up`` is the image direction of true up (a
unit 2-vector). The free foot's rise is measured along ``up`` in **stance-leg lengths**
(image distance hip -> ankle of the stance leg, median over the frames before the first
rep), so it does not depend on the camera's distance. Left/right do not enter: the caller
passes the stance (working) and free legs' landmarks.
"""

from __future__ import annotations

import numpy as np

from .geometry import ACROSS_LINES, body_turn_deg


def two_leg_start(
    stance_hip: np.ndarray, stance_ankle: np.ndarray, free_ankle: np.ndarray, up: np.ndarray,
    before: int, max_rise: float,
) -> np.ndarray:
    """(N,) bool: the frames before index ``before`` (the first rep's start) where the free
    ankle is no more than ``max_rise`` stance-leg lengths above the stance ankle in the image
    (both feet down). Points are (N, 2) pixels; NaN frames are never two-legged."""
    n = len(stance_ankle)
    out = np.zeros(n, bool)
    pre = slice(0, max(0, min(int(before), n)))
    leg = np.nanmedian(np.hypot(*(np.asarray(stance_hip) - stance_ankle)[pre].T)) if before > 0 else np.nan
    if not np.isfinite(leg) or leg <= 0:
        return out
    rise = ((np.asarray(free_ankle, dtype=np.float64) - stance_ankle) @ np.asarray(up, dtype=np.float64)) / leg
    with np.errstate(invalid="ignore"):
        out[pre] = rise[pre] <= max_rise
    return out


def start_turn_deg(world: np.ndarray, two_leg: np.ndarray, min_frames: int) -> float | None:
    """The body's turn from the camera (deg, :func:`geometry.body_turn_deg` over all the
    left-right lines) on the two-legged frames ``two_leg`` of world landmarks ``(N, 33, 3)``;
    None with fewer than ``min_frames`` of them or no world landmarks there."""
    if int(np.count_nonzero(two_leg)) < max(1, min_frames):
        return None
    return body_turn_deg(np.asarray(world)[two_leg], ACROSS_LINES)

"""Synthetic pose data for tests (no video, no model): known answers by construction."""

from __future__ import annotations

import numpy as np

from hipvision.landmarks import LANDMARK_INDEX, N_LANDMARKS
from hipvision.sequence import PoseSequence


def standing_pose(width: int = 640, height: int = 480) -> np.ndarray:
    """(33, 2) pixel coordinates of a person facing the camera (their left on the image's
    right), roughly centred."""
    cx = width / 2
    xy = np.zeros((N_LANDMARKS, 2))
    spots = {
        "nose": (0, 60), "hip": (40, 240), "knee": (42, 330), "ankle": (44, 420),
        "shoulder": (60, 120), "elbow": (70, 180), "wrist": (75, 235), "heel": (46, 430),
        "foot_index": (50, 440), "ear": (15, 55), "eye": (8, 50), "eye_inner": (4, 50),
        "eye_outer": (12, 50), "pinky": (76, 245), "index": (74, 248), "thumb": (72, 242),
    }
    for name, i in LANDMARK_INDEX.items():
        if name == "nose":
            xy[i] = (cx, spots["nose"][1])
            continue
        if name.startswith("mouth_"):
            sign = 1 if name.endswith("left") else -1
            xy[i] = (cx + sign * 8, 72)
            continue
        side, part = name.split("_", 1)
        dx, y = spots[part]
        sign = 1 if side == "left" else -1  # person's left on the image's right
        xy[i] = (cx + sign * dx, y)
    return xy


def make_sequence(
    xy: np.ndarray,
    time_s: np.ndarray | None = None,
    visibility: np.ndarray | float = 0.99,
    image_size: tuple[int, int] = (640, 480),
    frame: np.ndarray | None = None,
) -> PoseSequence:
    """A sequence from (N, 33, 2) pixel tracks with sensible other fields."""
    n = xy.shape[0]
    t = np.arange(n) / 30.0 if time_s is None else np.asarray(time_s, dtype=float)
    vis = np.broadcast_to(np.asarray(visibility, dtype=float), (n, N_LANDMARKS)).copy()
    world = np.concatenate([xy / 500.0, np.zeros((n, N_LANDMARKS, 1))], axis=2)
    return PoseSequence(
        frame=np.arange(n, dtype=np.int64) if frame is None else np.asarray(frame, dtype=np.int64),
        time_s=t,
        xy=xy.astype(float),
        z=np.zeros((n, N_LANDMARKS)),
        visibility=vis,
        presence=vis.copy(),
        world=world,
        image_size=image_size,
    )

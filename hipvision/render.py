"""Drawing of pose overlays with our own OpenCV code (no mediapipe drawing utilities).

Colours follow the person's sides (``RenderSettings.left_color`` for the person's left),
so a viewer can check that left and right were not swapped.
"""

from __future__ import annotations

import cv2
import numpy as np

from .config import RenderSettings
from .landmarks import LANDMARK_NAMES, SKELETON, side_of
from .sequence import PoseFrame


def _color(i: int, s: RenderSettings) -> tuple[int, int, int]:
    side = side_of(LANDMARK_NAMES[i])
    if side == "left":
        return s.left_color
    if side == "right":
        return s.right_color
    return s.center_color


def draw_pose(image: np.ndarray, pose: PoseFrame, settings: RenderSettings) -> np.ndarray:
    """Return a copy of ``image`` (RGB) with the skeleton of ``pose`` drawn on it. Landmarks
    below ``settings.min_visibility`` are not drawn."""
    out = image.copy()
    if not pose.detected:
        return out
    h, w = out.shape[:2]
    scale = max(1, round(min(h, w) / 360))
    ok = np.isfinite(pose.xy).all(axis=1) & ~(pose.visibility < settings.min_visibility)
    pts = np.round(np.nan_to_num(pose.xy)).astype(np.int32)
    for a, b in SKELETON:
        if ok[a] and ok[b]:
            ca, cb = _color(a, settings), _color(b, settings)
            color = ca if ca == cb else settings.center_color
            cv2.line(out, tuple(pts[a]), tuple(pts[b]), color, 2 * scale, cv2.LINE_AA)
    for i in np.flatnonzero(ok):
        if i == 0 or i >= 11:  # nose and body; skip the small face points
            cv2.circle(out, tuple(pts[i]), 3 * scale, _color(i, settings), -1, cv2.LINE_AA)
    return out


def draw_label(image: np.ndarray, text: str, org: tuple[int, int] = (10, 10), *, right: bool = False) -> int:
    """Draw ``text`` on a dark box, top-left corner at ``org`` (top-right with ``right``), in
    place; returns the box's height."""
    h = image.shape[0]
    fs = max(0.5, h / 900)
    th = max(1, round(fs * 2))
    (tw, tht), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, fs, th)
    x, y = org
    if right:
        x -= tw + 10
    cv2.rectangle(image, (x, y), (x + tw + 10, y + tht + base + 10), (0, 0, 0), -1)
    cv2.putText(
        image, text, (x + 5, y + tht + 5), cv2.FONT_HERSHEY_SIMPLEX, fs, (255, 255, 255), th,
        cv2.LINE_AA,
    )
    return tht + base + 10

"""Face blurring for saved videos and report key frames.

The face is located from the pose's own face landmarks (nose, eyes, ears, mouth; pixels of
the upright frame), so no extra model runs. An ellipse centred on them, sized from the
ear-to-ear (else eye-to-eye) spread, is pixelated and blurred. Without a usable spread (only
one face point seen) the size comes from the shoulder width, else from the image size.
With no face landmark at all nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .config import RenderSettings
from .landmarks import LANDMARK_INDEX
from .sequence import PoseFrame

FACE_POINTS = tuple(range(0, 11))  # nose .. mouth_right (MediaPipe 0-10)
_PAIRS = (("left_ear", "right_ear"), ("left_eye_outer", "right_eye_outer"), ("left_eye", "right_eye"))
#: the spread of each pair as a share of the face's width (ears ~ the face width)
_PAIR_TO_WIDTH = {"left_ear": 1.0, "left_eye_outer": 1.6, "left_eye": 2.0}


@dataclass(frozen=True)
class FaceRegion:
    """An ellipse in pixels: centre, half-width, half-height."""

    cx: float
    cy: float
    rx: float
    ry: float


def face_region(pose: PoseFrame, settings: RenderSettings, image_size: tuple[int, int]) -> FaceRegion | None:
    """Where to blur in a frame of ``image_size`` (width, height), or None without face
    landmarks. Every face landmark the model placed counts, whatever its visibility (a
    turned face is still a face)."""
    pts = pose.xy[list(FACE_POINTS)]
    ok = np.isfinite(pts).all(axis=1)
    if not ok.any():
        return None
    cx, cy = np.mean(pts[ok], axis=0)
    half = None
    for a, b in _PAIRS:
        pa, pb = pose.xy[LANDMARK_INDEX[a]], pose.xy[LANDMARK_INDEX[b]]
        if np.isfinite(pa).all() and np.isfinite(pb).all():
            d = float(np.hypot(*(pa - pb)))
            if d > 1.0:
                half = 0.5 * d * _PAIR_TO_WIDTH[a]
                break
    if half is None:
        ls, rs = pose.xy[LANDMARK_INDEX["left_shoulder"]], pose.xy[LANDMARK_INDEX["right_shoulder"]]
        if np.isfinite(ls).all() and np.isfinite(rs).all() and np.hypot(*(ls - rs)) > 1.0:
            half = settings.face_blur_shoulder_frac * float(np.hypot(*(ls - rs)))
        else:
            half = settings.face_blur_image_frac * min(image_size)
    # a face seen side-on has a small ear-eye spread: never smaller than the image share
    rx = max(half * settings.face_blur_scale, 0.5 * settings.face_blur_image_frac * min(image_size))
    return FaceRegion(float(cx), float(cy), rx, rx * settings.face_blur_aspect)


def blur_region(image: np.ndarray, region: FaceRegion, settings: RenderSettings) -> np.ndarray:
    """A copy of ``image`` with ``region`` pixelated and blurred; pixels outside the
    ellipse are unchanged."""
    h, w = image.shape[:2]
    x0, x1 = int(np.floor(region.cx - region.rx)), int(np.ceil(region.cx + region.rx)) + 1
    y0, y1 = int(np.floor(region.cy - region.ry)), int(np.ceil(region.cy + region.ry)) + 1
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    out = image.copy()
    if x1 - x0 < 2 or y1 - y0 < 2:
        return out
    roi = image[y0:y1, x0:x1]
    bw = max(1, settings.face_blur_blocks)
    bh = max(1, round(bw * (y1 - y0) / (x1 - x0)))
    small = cv2.resize(roi, (bw, bh), interpolation=cv2.INTER_AREA)
    pix = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
    k = max(3, (min(x1 - x0, y1 - y0) // 2) | 1)
    pix = cv2.GaussianBlur(pix, (k, k), 0)
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.ellipse(
        mask, (round(region.cx - x0), round(region.cy - y0)),
        (max(1, round(region.rx)), max(1, round(region.ry))), 0, 0, 360, 255, -1,
    )
    sel = mask > 0
    out[y0:y1, x0:x1][sel] = pix[sel]
    return out


def blur_faces(image_rgb: np.ndarray, pose: PoseFrame | None, settings: RenderSettings) -> np.ndarray:
    """``image_rgb`` with the face of ``pose`` blurred (a copy); the image itself when the
    pose has no face landmarks."""
    if pose is None:
        return image_rgb
    h, w = image_rgb.shape[:2]
    region = face_region(pose, settings, (w, h))
    return image_rgb if region is None else blur_region(image_rgb, region, settings)


class FaceBlurrer:
    """Blurs faces frame after frame; a frame without face landmarks (a missed detection)
    reuses the last face region for up to ``face_blur_hold_s`` seconds, so a detection gap
    does not reveal the face."""

    def __init__(self, settings: RenderSettings) -> None:
        self.settings = settings
        self._last: FaceRegion | None = None
        self._last_t = -np.inf

    def __call__(self, image_rgb: np.ndarray, pose: PoseFrame | None, time_s: float) -> np.ndarray:
        h, w = image_rgb.shape[:2]
        region = face_region(pose, self.settings, (w, h)) if pose is not None else None
        if region is not None:
            self._last, self._last_t = region, time_s
        elif self._last is not None and time_s - self._last_t <= self.settings.face_blur_hold_s:
            region = self._last
        return image_rgb if region is None else blur_region(image_rgb, region, self.settings)

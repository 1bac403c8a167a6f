"""A drawn person for tests that need the pose model to find someone in a generated video:
filled limbs, a trunk, a head with eyes, following a synthetic pose sequence's landmarks."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from hipvision.landmarks import LANDMARK_INDEX
from hipvision.sequence import PoseSequence
from hipvision.videowriter import H264Writer

SKIN, SHIRT, TROUSERS, SHOES, HAIR = (224, 172, 140), (200, 40, 40), (30, 40, 120), (20, 20, 20), (60, 40, 20)


def write_person_video(path: Path, seq: PoseSequence, scale: float = 0.5, fps: float = 15.0) -> Path:
    """Draw ``seq`` (pixel landmarks, every frame present) as a person on a plain wall and
    floor, at ``scale`` times its image size, and write it as an MP4."""
    w, h = int(seq.image_size[0] * scale), int(seq.image_size[1] * scale)
    with H264Writer(path, w, h, fps, 18) as out:
        for k in range(len(seq)):
            out.write(_draw(seq.xy[k] * scale, w, h), float(seq.time_s[k]))
    return path


def _draw(xy: np.ndarray, w: int, h: int) -> np.ndarray:
    def p(name: str) -> tuple[int, int]:
        x, y = xy[LANDMARK_INDEX[name]]
        return int(x), int(y)

    img = np.full((h, w, 3), 225, np.uint8)
    img[int(h * 0.8):] = (150, 110, 80)
    mid = {part: (xy[LANDMARK_INDEX[f"left_{part}"]] + xy[LANDMARK_INDEX[f"right_{part}"]]) / 2 for part in ("shoulder", "hip")}
    trunk = float(np.hypot(*(mid["shoulder"] - mid["hip"])))
    lw = max(int(trunk * 0.28), 3)
    for s in ("left", "right"):
        cv2.line(img, p(f"{s}_hip"), p(f"{s}_knee"), TROUSERS, lw, cv2.LINE_AA)
        cv2.line(img, p(f"{s}_knee"), p(f"{s}_ankle"), TROUSERS, int(lw * 0.8), cv2.LINE_AA)
        cv2.line(img, p(f"{s}_ankle"), p(f"{s}_foot_index"), SHOES, int(lw * 0.6), cv2.LINE_AA)
    body = np.array([p("left_shoulder"), p("right_shoulder"), p("right_hip"), p("left_hip")], np.int32)
    cv2.fillPoly(img, [body], SHIRT, cv2.LINE_AA)
    for s in ("left", "right"):
        cv2.line(img, p(f"{s}_shoulder"), p(f"{s}_elbow"), SHIRT, int(lw * 0.6), cv2.LINE_AA)
        cv2.line(img, p(f"{s}_elbow"), p(f"{s}_wrist"), SKIN, int(lw * 0.5), cv2.LINE_AA)
        cv2.circle(img, p(f"{s}_wrist"), int(lw * 0.35), SKIN, -1, cv2.LINE_AA)
    nose, r = p("nose"), int(trunk * 0.22)
    cv2.line(img, (int(mid["shoulder"][0]), int(mid["shoulder"][1])), nose, SKIN, int(lw * 0.5))
    c = (nose[0], nose[1] - int(r * 0.2))
    cv2.ellipse(img, c, (int(r * 0.8), r), 0, 0, 360, SKIN, -1, cv2.LINE_AA)
    cv2.ellipse(img, (c[0], c[1] - int(r * 0.5)), (int(r * 0.85), int(r * 0.6)), 0, 180, 360, HAIR, -1, cv2.LINE_AA)
    for eye in ("left_eye", "right_eye"):
        cv2.circle(img, p(eye), max(r // 7, 1), (40, 30, 30), -1, cv2.LINE_AA)
    cv2.ellipse(img, (c[0], c[1] + int(r * 0.5)), (r // 3, r // 8), 0, 0, 180, (150, 60, 60), -1)
    return img

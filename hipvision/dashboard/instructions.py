"""What to record for each test: camera placement and what the person does, in plain words,
with an illustration drawn from the synthetic skeleton (what the camera should see)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..config import DEFAULT_SETTINGS
from ..landmarks import LANDMARK_INDEX
from ..render import draw_pose
from ..synthetic import Move, Rep, rotation_clip, screening_clip

INSTRUCTIONS: dict[str, str] = {
    "seated": (
        "**Camera**: in front of the person, at knee height, 2–3 m away, upright (portrait), "
        "whole lower body in view.\n\n"
        "**Person**: sits on a high table or chair, feet off the floor, thighs parallel, "
        "hands on the table. Start with both shins hanging still for 2 s (this calibrates "
        "the vertical). Then, one side at a time, swing the foot **outward** as far as it "
        "goes (internal rotation), hold 2 s, back to the middle; then **inward** (external "
        "rotation), hold 2 s. Keep the thigh still on the table."
    ),
    "prone": (
        "**Camera**: at the feet end, at table height, looking along the body (landscape), "
        "both shins in view.\n\n"
        "**Person**: lies face down, knees bent 90°, shins vertical and still for 2 s. Then "
        "let the feet fall **outward** (internal rotation), hold 2 s; back; then **inward**, "
        "crossing the shins (external rotation), hold 2 s.\n\n"
        "The whole-body pose model rarely finds a person lying face down: put two bright "
        "green round stickers on the back of each calf (below the knee crease and at the "
        "heel) or mark knee and ankle on one frame (see docs/TRACKING.md)."
    ),
    "squat": (
        "**Camera**: straight in front (or behind), at knee to hip height, 3 m away, the "
        "whole body in view, phone upright and level.\n\n"
        "**Person**: stands still for 1 s, then squats 3–10 times at an even pace, feet "
        "hip-width apart, arms forward. Wear shorts or tight trousers so the knees show."
    ),
    "single-leg-squat": (
        "**Camera**: straight in front, at knee to hip height, 3 m away, whole body in view.\n\n"
        "**Person**: stands on one leg (the other foot off the floor in front), still for "
        "1 s, then squats on the standing leg 3–5 times."
    ),
    "hinge": (
        "**Camera**: straight in front for knee and hip shift (from the side only depth and "
        "trunk lean can be judged), at knee to hip height, whole body in view.\n\n"
        "**Person**: stands still for 1 s, then hinges at the hips (Romanian deadlift), knees "
        "softly bent, back straight, 3–10 times."
    ),
    "single-leg-hinge": (
        "**Camera**: straight in front, at knee to hip height, whole body in view.\n\n"
        "**Person**: stands on one leg, still for 1 s, then hinges forward with the free leg "
        "reaching back, 3–5 times."
    ),
}


def instructions(test: str) -> str:
    return INSTRUCTIONS.get(test, "Record the whole body, well lit, with the camera still.")


@lru_cache(maxsize=16)
def illustration(test: str, width: int = 360) -> np.ndarray:
    """An RGB picture of what the camera should see at the key moment of ``test`` (peak
    internal rotation of the left hip; the bottom of a squat or hinge), drawn from the
    synthetic skeleton with the person's left in orange and right in blue."""
    if test in ("seated", "prone"):
        seq, truth = rotation_clip(test, [Move("left", 35.0)])  # type: ignore[arg-type]
        k = int(np.argmax(truth.theta["left"]))
    else:
        seq, truth = screening_clip(test, [Rep()])  # type: ignore[arg-type]
        k = int(np.argmin(np.abs(truth.time_s - truth.rep_times[0][1])))
    w, h = seq.image_size
    canvas = np.full((h, w, 3), 246, np.uint8)
    pose = seq.frame_at(k)
    if test == "prone":  # from the feet end only the legs matter (and can be seen)
        keep = [LANDMARK_INDEX[f"{s}_{p}"] for s in ("left", "right") for p in ("hip", "knee", "ankle", "heel", "foot_index")]
        hide = np.setdiff1d(np.arange(pose.xy.shape[0]), keep)
        pose.xy[hide] = np.nan
    img = draw_pose(canvas, pose, DEFAULT_SETTINGS.render)
    ys, xs = np.nonzero((img != 246).any(axis=2))
    if len(xs):  # crop to the person with a margin
        m = int(0.08 * max(w, h))
        img = img[max(0, ys.min() - m) : ys.max() + m, max(0, xs.min() - m) : xs.max() + m]
    import cv2

    scale = width / img.shape[1]
    return cv2.resize(img, (width, max(1, round(img.shape[0] * scale))), interpolation=cv2.INTER_AREA)

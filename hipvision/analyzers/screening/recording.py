"""What to record for the screening tests (the app's instructions and illustration)."""

from __future__ import annotations

import numpy as np

from ...sequence import PoseSequence

#: test -> camera placement and what the person does (Markdown)
INSTRUCTIONS: dict[str, str] = {
    "squat": (
        "**Camera**: straight in front (or behind), at knee to hip height, 3 m away, the "
        "whole body in view, phone upright and level.\n\n"
        "**Person**: stands still for 1 s, then squats 3–10 times at an even pace, feet "
        "hip-width apart, arms forward. Wear shorts or tight trousers so the knees show."
    ),
    "single-leg-squat": (
        "**Camera**: straight in front, at knee to hip height, 3 m away, whole body in view.\n\n"
        "**Person**: stands on both feet, facing the camera, still for 1 s (the app reads "
        "the body's turn there: without it the knee angle is withheld); then lifts one foot "
        "off the floor in front, holds still for 1 s and squats on the standing leg 3–5 times."
    ),
    "hinge": (
        "**Camera**: straight in front for knee and hip shift (from the side only depth and "
        "trunk lean can be judged), at knee to hip height, whole body in view.\n\n"
        "**Person**: stands still for 1 s, then hinges at the hips (Romanian deadlift), knees "
        "softly bent, back straight, 3–10 times."
    ),
    "single-leg-hinge": (
        "**Camera**: straight in front, at knee to hip height, whole body in view.\n\n"
        "**Person**: stands on both feet, facing the camera, still for 1 s; then stands on "
        "one leg, still for 1 s, and hinges forward with the free leg reaching back, 3–5 times."
    ),
}


def illustration_pose(test: str) -> tuple[PoseSequence, int]:
    """A synthetic clip of ``test`` and its frame at the bottom of the first rep."""
    from ...synthetic import Rep, screening_clip

    seq, truth = screening_clip(test, [Rep()])  # type: ignore[arg-type]
    k = int(np.argmin(np.abs(truth.time_s - truth.rep_times[0][1])))
    return seq, k

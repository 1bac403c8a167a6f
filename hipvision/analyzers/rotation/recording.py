"""What to record for the rotation tests (the app's instructions and illustration)."""

from __future__ import annotations

import numpy as np

from ...landmarks import LANDMARK_INDEX
from ...sequence import PoseSequence

#: test -> camera placement and what the person does (Markdown)
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
}


def illustration_pose(test: str) -> tuple[PoseSequence, int]:
    """A synthetic clip of ``test`` and its frame of peak internal rotation of the left hip;
    prone keeps only the legs (from the feet end only they matter, and can be seen)."""
    from ...synthetic import Move, rotation_clip

    seq, truth = rotation_clip(test, [Move("left", 35.0)])  # type: ignore[arg-type]
    k = int(np.argmax(truth.theta["left"]))
    if test == "prone":  # from the feet end only the legs matter (and can be seen)
        keep = [LANDMARK_INDEX[f"{s}_{p}"] for s in ("left", "right") for p in ("hip", "knee", "ankle", "heel", "foot_index")]
        hide = np.setdiff1d(np.arange(seq.xy.shape[1]), keep)
        seq.xy[k, hide] = np.nan
    return seq, k

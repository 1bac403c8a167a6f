"""A quick, test-independent quality summary of a pose sequence (``hipvision inspect``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .landmarks import LANDMARK_NAMES, SIDES
from .sequence import PoseSequence

#: landmarks every lower-limb test depends on
LOWER_LIMB = tuple(
    f"{s}_{p}" for p in ("hip", "knee", "ankle") for s in SIDES
)


def summarize(seq: PoseSequence, min_visibility: float = 0.5) -> dict[str, Any]:
    """Frames, timing, detection and per-landmark visibility of a sequence."""
    n = len(seq)
    span = int(seq.frame[-1] - seq.frame[0] + 1) if n else 0
    detected = int(seq.detected.sum())
    visible = np.isfinite(seq.xy[..., 0]) & ~(seq.visibility < min_visibility)
    per_landmark = {
        name: round(float(visible[:, i].sum()) / span, 4) if span else 0.0
        for i, name in enumerate(LANDMARK_NAMES)
    }
    fps = seq.median_fps()
    return {
        "source": seq.source,
        "frame_size": list(seq.image_size),
        "frames": span,
        "frames_with_person": detected,
        "detection_rate": round(detected / span, 4) if span else 0.0,
        "duration_s": round(float(seq.time_s[-1] - seq.time_s[0]), 3) if n else 0.0,
        "median_fps": round(fps, 3) if fps else None,
        "multi_person_frames": [int(f) for f in seq.multi_person_frames()],
        "lower_limb_visible": {k: per_landmark[k] for k in LOWER_LIMB},
        "visible_fraction": per_landmark,
    }

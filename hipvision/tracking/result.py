"""What every tracking mode returns: knee/ankle tracks as a :class:`PoseSequence` plus a
:class:`TrackingInfo` saying how they were obtained and how much is usable.

The four tracked points are ``left_knee``, ``left_ankle``, ``right_knee`` and
``right_ankle`` (the **person's** sides). For stickers and marked points "knee" means the
proximal point on the shin line (calf below the knee crease, or below the kneecap) and
"ankle" the distal one (heel/Achilles, or front of the ankle): their line is the shin line,
which is all the rotation tests measure. Missing values are NaN, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..landmarks import LANDMARK_INDEX, N_LANDMARKS, SIDES
from ..results import clean_number
from ..sequence import PoseSequence

#: the four points every tracker delivers (person's sides)
POINTS: tuple[str, ...] = ("left_knee", "left_ankle", "right_knee", "right_ankle")


def person_left_on_image_left(test: str) -> bool:
    """Where the person's left leg appears for the camera placement each test prescribes.

    Prone, camera at the foot end looking along the body: the camera sees the person's back,
    so the person's left is on the image LEFT. Seated, camera in front facing the person:
    the person's left is on the image RIGHT."""
    if test not in ("prone", "seated"):
        raise ValueError(f"unknown view {test!r} (expected 'prone' or 'seated')")
    return test == "prone"


def shin_points_up(test: str) -> bool:
    """Prone with the knees bent 90 deg the shins point up (ankle above knee in the image);
    seated they hang down (ankle below knee)."""
    return test == "prone"


@dataclass(frozen=True)
class TrackingLost:
    """A tracked point that could no longer be followed from ``frame`` on (assisted mode)
    or a reason a mode gave up. ``message`` tells the user what to do."""

    point: str
    frame: int
    reason: str
    message: str
    #: assisted mode: the frame the shin was found again (None: it never was)
    found_again: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"point": self.point, "frame": self.frame, "reason": self.reason, "message": self.message,
                "found_again": self.found_again}


@dataclass
class TrackingInfo:
    """How the knee/ankle numbers were produced (goes into ``report["tracking"]``)."""

    mode: str  # markers | assisted | model
    requested: str  # what the user asked for (auto, markers, ...)
    reason: str
    frames: int = 0
    usable_fraction: dict[str, float] = field(default_factory=dict)
    lost: list[TrackingLost] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)  # gate checks / marker details
    attempts: list[dict[str, Any]] = field(default_factory=list)  # auto: what was tried
    frames_per_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "requested": self.requested,
            "reason": self.reason,
            "frames": self.frames,
            "usable_fraction": {s: clean_number(v, 3) for s, v in self.usable_fraction.items()},
            "lost": [x.to_dict() for x in self.lost],
            "checks": self.checks,
            "attempts": self.attempts,
            "frames_per_s": clean_number(self.frames_per_s, 1),
        }


@dataclass
class TrackResult:
    """A tracked clip: the knee/ankle sequence (a pose CSV can be written from it) and how
    it was made."""

    sequence: PoseSequence
    info: TrackingInfo


def usable_fraction(seq: PoseSequence) -> dict[str, float]:
    """Per side: share of frames where both knee and ankle are known."""
    n = max(len(seq), 1)
    out = {}
    for s in SIDES:
        ok = np.isfinite(seq.point(f"{s}_knee")).all(axis=1) & np.isfinite(seq.point(f"{s}_ankle")).all(axis=1)
        out[s] = float(ok.sum()) / n
    return out


def legs_sequence(
    frame: np.ndarray,
    time_s: np.ndarray,
    points: dict[str, np.ndarray],
    confidence: dict[str, np.ndarray],
    image_size: tuple[int, int],
    source: str,
) -> PoseSequence:
    """A :class:`PoseSequence` holding only the given points: ``points[name]`` (N, 2) px,
    ``confidence[name]`` (N,) 0..1 stored as visibility (NaN where the point is missing)."""
    n = len(frame)
    xy = np.full((n, N_LANDMARKS, 2), np.nan)
    vis = np.full((n, N_LANDMARKS), np.nan)
    for name, p in points.items():
        j = LANDMARK_INDEX[name]
        xy[:, j] = p
        ok = np.isfinite(p).all(axis=1)
        vis[:, j] = np.where(ok, confidence[name], np.nan)
    return PoseSequence(
        frame=np.asarray(frame, dtype=np.int64),
        time_s=np.asarray(time_s, dtype=np.float64),
        xy=xy,
        z=np.full((n, N_LANDMARKS), np.nan),
        visibility=vis,
        presence=np.where(np.isfinite(vis), 1.0, np.nan),
        world=np.full((n, N_LANDMARKS, 3), np.nan),
        image_size=image_size,
        source=source,
    )

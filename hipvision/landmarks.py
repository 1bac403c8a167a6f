"""Landmark names, body sides and skeleton connections.

Names are MediaPipe's 33 pose landmarks in lower snake case. ``left`` and ``right`` always
mean the **person's** left and right, never the image's: in a front view the person's left
appears on the image's right.
"""

from __future__ import annotations

from typing import Literal

LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
N_LANDMARKS = len(LANDMARK_NAMES)
LANDMARK_INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARK_NAMES)}


#: a side of the person's body: the person's own left or right, never the image's (in a
#: front view the person's left appears on the image's right). The one definition: every
#: module types sides with it and loops over :data:`SIDES`.
Side = Literal["left", "right"]
#: both sides, the person's left first (the order of report fields and series columns)
SIDES: tuple[Side, Side] = ("left", "right")


def other_side(side: Side) -> Side:
    """The person's other side."""
    return "right" if side == "left" else "left"


def side_landmark(side: Side, part: str) -> int:
    """Index of ``{side}_{part}``, e.g. ``side_landmark("left", "knee")``."""
    return LANDMARK_INDEX[f"{side}_{part}"]


def side_of(name: str) -> Side | None:
    """The side a landmark belongs to (``left_knee``, ``mouth_left``), or None for the nose."""
    for side in SIDES:
        if name.startswith(side + "_") or name.endswith("_" + side):
            return side
    return None


def mirror_index(i: int) -> int:
    """Index of the same landmark on the other side (the nose maps to itself).

    Used when a selfie/mirrored video swaps the person's sides."""
    name = LANDMARK_NAMES[i]
    side = side_of(name)
    if side is None:
        return i
    if name.startswith(side + "_"):
        return LANDMARK_INDEX[other_side(side) + name[len(side) :]]
    return LANDMARK_INDEX[name[: -len(side)] + other_side(side)]


#: index permutation that swaps every left landmark with its right twin
MIRROR_PERMUTATION: tuple[int, ...] = tuple(mirror_index(i) for i in range(N_LANDMARKS))


def _c(a: str, b: str) -> tuple[int, int]:
    return LANDMARK_INDEX[a], LANDMARK_INDEX[b]


#: Skeleton drawn on annotated video (face omitted apart from the nose-ear lines).
SKELETON: tuple[tuple[int, int], ...] = (
    _c("nose", "left_ear"),
    _c("nose", "right_ear"),
    _c("left_shoulder", "right_shoulder"),
    _c("left_shoulder", "left_elbow"),
    _c("left_elbow", "left_wrist"),
    _c("right_shoulder", "right_elbow"),
    _c("right_elbow", "right_wrist"),
    _c("left_shoulder", "left_hip"),
    _c("right_shoulder", "right_hip"),
    _c("left_hip", "right_hip"),
    _c("left_hip", "left_knee"),
    _c("left_knee", "left_ankle"),
    _c("left_ankle", "left_heel"),
    _c("left_heel", "left_foot_index"),
    _c("left_ankle", "left_foot_index"),
    _c("right_hip", "right_knee"),
    _c("right_knee", "right_ankle"),
    _c("right_ankle", "right_heel"),
    _c("right_heel", "right_foot_index"),
    _c("right_ankle", "right_foot_index"),
)

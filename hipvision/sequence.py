"""Pose data types: one frame's landmarks (:class:`PoseFrame`) and a whole clip's
(:class:`PoseSequence`).

Coordinates are **pixels of the upright frame** (origin top-left, x right, y down), never
MediaPipe's normalised coordinates (those scale x and y differently, which distorts angles).
``z`` is MediaPipe's relative depth scaled by the image width, so it is in the same pixel
scale as x (smaller = nearer the camera, origin at the hip midpoint). ``world`` holds
MediaPipe's world landmarks in metres (origin at the hip midpoint, y down). NaN = missing.
Landmark axis order is :data:`hipvision.landmarks.LANDMARK_NAMES`; left/right are the
person's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .landmarks import LANDMARK_INDEX, MIRROR_PERMUTATION, N_LANDMARKS


def _nan(*shape: int) -> np.ndarray:
    return np.full(shape, np.nan, dtype=np.float64)


@dataclass(frozen=True)
class PoseFrame:
    """The pose found in one frame. Arrays have a leading landmark axis of length 33.

    ``detected`` is False for a frame with no person (all arrays NaN): a gap, not an error.
    ``num_people`` is how many people a multi-person check saw in this frame, or -1 when
    the frame was not checked.
    """

    frame: int
    time_s: float
    xy: np.ndarray  # (33, 2) px
    z: np.ndarray  # (33,)
    visibility: np.ndarray  # (33,)
    presence: np.ndarray  # (33,)
    world: np.ndarray  # (33, 3) m
    num_people: int = -1

    @property
    def detected(self) -> bool:
        return bool(np.isfinite(self.xy).any())

    def seen(self, name: str, min_visibility: float) -> np.ndarray | None:
        """Landmark ``name``'s pixel position, or None when it is missing or less visible
        than ``min_visibility``."""
        i = LANDMARK_INDEX[name]
        p = self.xy[i]
        if not np.isfinite(p).all() or self.visibility[i] < min_visibility:
            return None
        return p

    def mirrored(self) -> "PoseFrame":
        """Left and right landmarks swapped (see :meth:`PoseSequence.mirrored`)."""
        p = list(MIRROR_PERMUTATION)
        return replace(
            self, xy=self.xy[p], z=self.z[p], visibility=self.visibility[p],
            presence=self.presence[p], world=self.world[p],
        )

    @classmethod
    def empty(cls, frame: int, time_s: float, num_people: int = -1) -> "PoseFrame":
        return cls(
            frame=frame,
            time_s=time_s,
            xy=_nan(N_LANDMARKS, 2),
            z=_nan(N_LANDMARKS),
            visibility=_nan(N_LANDMARKS),
            presence=_nan(N_LANDMARKS),
            world=_nan(N_LANDMARKS, 3),
            num_people=num_people,
        )


@dataclass(frozen=True)
class PoseSequence:
    """Landmark tracks of one clip: N frames x 33 landmarks. NaN marks missing values.

    Frames with no detection may be present (all NaN) when the sequence came from a video,
    or absent when it came from a pose CSV (which omits them); ``frame`` keeps the original
    frame numbers either way.
    """

    frame: np.ndarray  # (N,) int64
    time_s: np.ndarray  # (N,) float64, strictly increasing
    xy: np.ndarray  # (N, 33, 2)
    z: np.ndarray  # (N, 33)
    visibility: np.ndarray  # (N, 33)
    presence: np.ndarray  # (N, 33)
    world: np.ndarray  # (N, 33, 3)
    image_size: tuple[int, int]  # (width, height) of the upright frame, px
    num_people: np.ndarray = field(default=None)  # type: ignore[assignment]  # (N,) int, -1 = unchecked
    source: str = ""

    def __post_init__(self) -> None:
        n = len(self.frame)
        if self.num_people is None:
            object.__setattr__(self, "num_people", np.full(n, -1, dtype=np.int64))
        expected = {
            "time_s": (n,),
            "xy": (n, N_LANDMARKS, 2),
            "z": (n, N_LANDMARKS),
            "visibility": (n, N_LANDMARKS),
            "presence": (n, N_LANDMARKS),
            "world": (n, N_LANDMARKS, 3),
            "num_people": (n,),
        }
        for name, shape in expected.items():
            got = getattr(self, name).shape
            if got != shape:
                raise ValueError(f"PoseSequence.{name} has shape {got}, expected {shape}")
        if n > 1 and not np.all(np.diff(self.time_s) > 0):
            raise ValueError("PoseSequence.time_s must be strictly increasing")
        w, h = self.image_size
        if w <= 0 or h <= 0:
            raise ValueError(f"PoseSequence.image_size must be positive, got {self.image_size}")

    def __len__(self) -> int:
        return len(self.frame)

    @classmethod
    def from_frames(
        cls, frames: list[PoseFrame], image_size: tuple[int, int], source: str = ""
    ) -> "PoseSequence":
        """Stack per-frame results (in time order) into a sequence."""
        if not frames:
            return cls.empty(image_size, source)
        return cls(
            frame=np.array([f.frame for f in frames], dtype=np.int64),
            time_s=np.array([f.time_s for f in frames], dtype=np.float64),
            xy=np.stack([f.xy for f in frames]),
            z=np.stack([f.z for f in frames]),
            visibility=np.stack([f.visibility for f in frames]),
            presence=np.stack([f.presence for f in frames]),
            world=np.stack([f.world for f in frames]),
            image_size=image_size,
            num_people=np.array([f.num_people for f in frames], dtype=np.int64),
            source=source,
        )

    @classmethod
    def empty(cls, image_size: tuple[int, int], source: str = "") -> "PoseSequence":
        return cls(
            frame=np.zeros(0, dtype=np.int64),
            time_s=np.zeros(0),
            xy=_nan(0, N_LANDMARKS, 2),
            z=_nan(0, N_LANDMARKS),
            visibility=_nan(0, N_LANDMARKS),
            presence=_nan(0, N_LANDMARKS),
            world=_nan(0, N_LANDMARKS, 3),
            image_size=image_size,
            source=source,
        )

    @property
    def detected(self) -> np.ndarray:
        """(N,) bool: a person was found in the frame."""
        return np.isfinite(self.xy).any(axis=(1, 2))

    def point(self, name: str) -> np.ndarray:
        """(N, 2) pixel track of one landmark by name, e.g. ``seq.point("left_knee")``."""
        return self.xy[:, LANDMARK_INDEX[name], :]

    def with_xy(self, xy: np.ndarray) -> "PoseSequence":
        return replace(self, xy=xy)

    def frame_at(self, k: int) -> PoseFrame:
        """Row ``k`` as a :class:`PoseFrame`."""
        return PoseFrame(
            int(self.frame[k]), float(self.time_s[k]), self.xy[k], self.z[k], self.visibility[k],
            self.presence[k], self.world[k], int(self.num_people[k]),
        )

    def mirrored(self) -> "PoseSequence":
        """Left and right landmarks swapped (a mirrored selfie video labels the person's
        sides the wrong way round); coordinates are unchanged."""
        p = list(MIRROR_PERMUTATION)
        return replace(
            self, xy=self.xy[:, p], z=self.z[:, p], visibility=self.visibility[:, p],
            presence=self.presence[:, p], world=self.world[:, p],
        )

    def multi_person_frames(self) -> np.ndarray:
        """Frame numbers where a check saw more than one person."""
        return self.frame[self.num_people > 1]

    def median_fps(self) -> float | None:
        """Median frame rate from the timestamps (robust to variable frame rate)."""
        if len(self.time_s) < 2:
            return None
        dt = np.diff(self.time_s) / np.maximum(np.diff(self.frame), 1)
        return float(1.0 / np.median(dt))

"""The pose-backend interface: an image in, one :class:`PoseFrame` out."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..sequence import PoseFrame


class PoseBackend(Protocol):
    """Finds one person's landmarks in a frame.

    ``detect`` takes an upright RGB uint8 image and the frame's time; it returns a
    :class:`PoseFrame` in pixel coordinates of that image, empty (all NaN) when no person
    is found. Backends in stream mode need strictly increasing times.
    """

    def detect(self, image: np.ndarray, frame: int, time_s: float) -> PoseFrame: ...

    def close(self) -> None: ...

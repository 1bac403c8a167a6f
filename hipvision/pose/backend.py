"""The pose-backend interface: an image in, one :class:`PoseFrame` out."""

from __future__ import annotations

from dataclasses import replace
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


def with_people(pf: PoseFrame, people: int | None) -> PoseFrame:
    """``pf`` with a people count found elsewhere (None: the frame was not checked, ``pf``
    is returned as it is). A tracked person the check missed still counts as one."""
    if people is None:
        return pf
    if people == 0 and pf.detected:
        people = 1
    return replace(pf, num_people=people)

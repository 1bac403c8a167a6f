"""Knee/ankle tracking for the rotation tests where the whole-body pose model fails (prone,
seen from the foot end) or needs checking: stickers (:mod:`.markers`), points marked by the
user and followed as rigid strips (:mod:`.assisted`), the pose model behind a plausibility
gate (:mod:`.gate`). :func:`track_video` runs a mode over a video and returns a
:class:`TrackResult` (a knee/ankle :class:`~hipvision.sequence.PoseSequence`, written as a
pose CSV or analysed like any other, and a :class:`TrackingInfo` for the report).
"""

from .result import POINTS, TrackingInfo, TrackingLost, TrackResult
from .run import track_video

__all__ = ["POINTS", "TrackingInfo", "TrackingLost", "TrackResult", "track_video"]

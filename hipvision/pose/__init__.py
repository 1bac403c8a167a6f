"""Pose backends. :class:`PoseBackend` is the interface; the MediaPipe implementation in
:mod:`hipvision.pose.mediapipe_backend` is the only module that imports mediapipe."""

from .backend import PoseBackend

__all__ = ["PoseBackend"]

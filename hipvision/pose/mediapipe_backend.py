"""MediaPipe Tasks ``PoseLandmarker`` backend: the only module that imports mediapipe.

* VIDEO mode (``stream=True``) for videos, webcams and image folders: tracks between frames
  (about 1.7x faster than detecting each frame) and needs strictly increasing integer
  millisecond timestamps, which this class guarantees.
* IMAGE mode (``stream=False``) for stills: stateless.

Tracking follows one person (``num_poses=1``; two halves the speed). Every
``multi_person_check_s`` seconds the bundle's pose detector, run alone, counts the people
in view (:class:`PeopleCounter`); the count is stored in ``PoseFrame.num_people`` so that analyzers can warn about a second
person. The pipeline runs the counter on the decode thread (off the model's hot path) and
creates the backend with ``inline_check=False``; used alone, the backend checks inline.

Everything the model gives is kept: image landmarks in pixels, z (scaled by the image
width, like x), visibility, presence and the world landmarks (metres).
"""

from __future__ import annotations

import zipfile

import numpy as np

from ..config import PoseSettings
from ..errors import ModelError
from ..quiet import native_stderr_silenced
from ..landmarks import N_LANDMARKS
from ..sequence import PoseFrame
from .person_count import ANCHORS, BOX_VALUES, DETECTOR_INPUT, count_people, letterbox_geometry

import cv2  # noqa: E402
import mediapipe as mp  # noqa: E402  (the one mediapipe import of the project)
from mediapipe.tasks.python import BaseOptions, vision  # noqa: E402


#: the detector's file inside a pose landmarker bundle (a zip)
DETECTOR_MEMBER = "pose_detector.tflite"


def _landmarker(model_path: str, mode: vision.RunningMode, num_poses: int, s: PoseSettings):
    opts = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=model_path),
        running_mode=mode,
        num_poses=num_poses,
        min_pose_detection_confidence=s.min_detection_confidence,
        min_pose_presence_confidence=s.min_presence_confidence,
        min_tracking_confidence=s.min_tracking_confidence,
        output_segmentation_masks=False,
    )
    try:
        with native_stderr_silenced():
            return vision.PoseLandmarker.create_from_options(opts)
    except (RuntimeError, ValueError) as e:
        raise ModelError(f"{model_path} is not a usable pose landmarker model ({e})") from None


def check_model_loads(model_path: object) -> None:
    """Raise :class:`ModelError` unless the bundle loads as a pose landmarker."""
    lm = _landmarker(str(model_path), vision.RunningMode.IMAGE, 1, PoseSettings())
    lm.close()


def _to_pose_frame(
    landmarks, world, frame: int, time_s: float, width: int, height: int, num_people: int
) -> PoseFrame:
    arr = np.array(
        [(p.x, p.y, p.z, p.visibility, p.presence) for p in landmarks], dtype=np.float64
    )
    if arr.shape[0] != N_LANDMARKS:
        raise ModelError(f"model returned {arr.shape[0]} landmarks, expected {N_LANDMARKS}")
    xy = arr[:, :2] * (width, height)
    wa = np.array([(p.x, p.y, p.z) for p in world], dtype=np.float64) if world else None
    return PoseFrame(
        frame=frame,
        time_s=time_s,
        xy=xy,
        z=arr[:, 2] * width,
        visibility=arr[:, 3],
        presence=arr[:, 4],
        world=wa if wa is not None else np.full((N_LANDMARKS, 3), np.nan),
        num_people=num_people,
    )


def _bbox_area(landmarks) -> float:
    xs = [p.x for p in landmarks]
    ys = [p.y for p in landmarks]
    return (max(xs) - min(xs)) * (max(ys) - min(ys))


class PeopleCounter:
    """Counts the people in view every ``multi_person_check_s`` seconds of video with the
    bundle's pose *detector* alone (:mod:`hipvision.pose.person_count` decodes its outputs),
    created on first use. About 37 MiB and 18 ms a check, against 57-80 MiB and 32 ms
    for a second landmarker (docs/DESIGN.md, "Throughput").
    Not thread-safe: create and use it on one thread."""

    def __init__(self, model_path: str, settings: PoseSettings) -> None:
        self.model_path = model_path
        self.settings = settings
        self._detector = None
        self._next_check_s = 0.0

    def due(self, time_s: float) -> bool:
        every = self.settings.multi_person_check_s
        return every > 0 and time_s >= self._next_check_s

    def count(self, image: np.ndarray, time_s: float) -> int | None:
        """People in ``image`` (RGB uint8, H x W x 3) when a check is due at ``time_s``, else None."""
        if not self.due(time_s):
            return None
        self._next_check_s = time_s + self.settings.multi_person_check_s
        if self._detector is None:
            self._detector = _pose_detector(self.model_path)
        w, h, x0, y0 = letterbox_geometry(*image.shape[:2])
        square = np.zeros((DETECTOR_INPUT, DETECTOR_INPUT, 3), np.uint8)
        square[y0 : y0 + h, x0 : x0 + w] = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
        out = self._detector.embed(mp.Image(image_format=mp.ImageFormat.SRGB, data=square)).embeddings
        boxes, logits = (np.asarray(e.embedding, dtype=np.float32) for e in out[:2])
        s = self.settings
        return count_people(boxes, logits, s.min_detection_confidence, s.people_overlap_iou, s.people_same_body)

    def close(self) -> None:
        if self._detector is not None:
            self._detector.close()
            self._detector = None


def _pose_detector(model_path: str):
    """The bundle's pose detector (``pose_detector.tflite`` inside the ``.task`` zip), run
    alone: MediaPipe Tasks' ``ImageEmbedder`` hands back a model's raw output tensors (here
    the boxes and the score logits) for an image it is given at the model's input size."""
    try:
        with zipfile.ZipFile(model_path) as z:
            model = z.read(DETECTOR_MEMBER)
    except (OSError, KeyError, zipfile.BadZipFile) as e:
        raise ModelError(f"{model_path}: no pose detector ({DETECTOR_MEMBER}) in the model bundle ({e})") from None
    opts = vision.ImageEmbedderOptions(base_options=BaseOptions(model_asset_buffer=model), l2_normalize=False, quantize=False)
    try:
        with native_stderr_silenced():
            det = vision.ImageEmbedder.create_from_options(opts)
            probe = det.embed(mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((DETECTOR_INPUT, DETECTOR_INPUT, 3), np.uint8)))
    except (RuntimeError, ValueError) as e:
        raise ModelError(f"{model_path}: the pose detector in the bundle does not load ({e})") from None
    sizes = [len(e.embedding) for e in probe.embeddings]
    if sizes[:2] != [len(ANCHORS) * BOX_VALUES, len(ANCHORS)]:
        det.close()
        raise ModelError(f"{model_path}: the pose detector's outputs have sizes {sizes}, expected {[len(ANCHORS) * BOX_VALUES, len(ANCHORS)]}")
    return det


class MediaPipePoseBackend:
    """One person's pose per frame from MediaPipe. Use as a context manager (or call
    :meth:`close`): a landmarker holds native resources."""

    def __init__(
        self, model_path: str, *, stream: bool, settings: PoseSettings | None = None, inline_check: bool = True
    ):
        self.settings = settings or PoseSettings()
        self.inline_check = inline_check
        self.model_path = str(model_path)
        self.stream = stream
        s = self.settings
        if stream:
            self._main = _landmarker(self.model_path, vision.RunningMode.VIDEO, 1, s)
            self._checker = PeopleCounter(self.model_path, s) if inline_check else None
        else:
            # stills: look for several people at once, keep the largest
            self._main = _landmarker(
                self.model_path, vision.RunningMode.IMAGE, max(1, s.max_people_checked), s
            )
            self._checker = None
        self._last_ms = -1
        self._calls = 0

    def __enter__(self) -> "MediaPipePoseBackend":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._main is not None:
            self._main.close()
        if self._checker is not None:
            self._checker.close()
        self._main = None  # type: ignore[assignment]
        self._checker = None

    def detect(self, image: np.ndarray, frame: int, time_s: float) -> PoseFrame:
        """Landmarks of the person in ``image`` (upright RGB uint8, H x W x 3)."""
        self._calls += 1
        if self._calls <= 2:  # the graph logs warnings on its first runs
            with native_stderr_silenced():
                return self._detect(image, frame, time_s)
        return self._detect(image, frame, time_s)

    def _detect(self, image: np.ndarray, frame: int, time_s: float) -> PoseFrame:
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected an RGB uint8 image, got {image.dtype} {image.shape}")
        h, w = image.shape[:2]
        mp_image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image))
        if not self.stream:
            res = self._main.detect(mp_image)
            n = len(res.pose_landmarks)
            if n == 0:
                return PoseFrame.empty(frame, time_s, num_people=0)
            k = max(range(n), key=lambda i: _bbox_area(res.pose_landmarks[i]))
            world = res.pose_world_landmarks[k] if res.pose_world_landmarks else None
            return _to_pose_frame(res.pose_landmarks[k], world, frame, time_s, w, h, n)

        ms = max(int(round(time_s * 1000.0)), self._last_ms + 1)
        self._last_ms = ms
        res = self._main.detect_for_video(mp_image, ms)
        num_people = -1
        if self._checker is not None:
            counted = self._checker.count(image, time_s)
            num_people = -1 if counted is None else counted
        if not res.pose_landmarks:
            return PoseFrame.empty(frame, time_s, num_people=num_people)
        if num_people == 0:  # the tracker still holds the person the detector missed
            num_people = 1
        world = res.pose_world_landmarks[0] if res.pose_world_landmarks else None
        return _to_pose_frame(res.pose_landmarks[0], world, frame, time_s, w, h, num_people)

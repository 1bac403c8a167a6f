"""The one frame loop: source -> step (pose backend or tracker) -> sinks.

Every pass over frames in hipvision goes through :func:`run` (a source iterated to its
end: extraction, tracking, the CLI live window, re-drawing a stored pose) or
:func:`push` (frames handed in one at a time by someone else's loop: the dashboard's
webcam page). A *step* turns a :class:`~hipvision.sources.Frame` into the
:class:`~hipvision.sequence.PoseFrame` to record (or None); each *sink* receives the frame
and that pose:

* :class:`CsvSink` streams the pose CSV, :class:`CollectSink` keeps the poses in memory;
* :class:`AnnotatedVideoSink` writes the annotated H.264 video in the same pass (see its
  docstring for how the analysis overlay, known only after the pass, gets drawn);
* :class:`ProgressSink` reports progress; a live readout is any sink (its ``add``
  returns False to stop the loop, e.g. 'q' in the live window).

:func:`open_frames` decodes ahead on a second thread and runs the periodic multi-person
check there (the decoder's spare core), off the pose model's hot path.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

import numpy as np

from .config import RenderSettings, Settings
from .errors import InputError
from .pose.backend import PoseBackend, with_people
from .sequence import PoseFrame
from .sources import Frame, FrameSource, prefetch

#: progress callback: (frames done, frames expected or None)
Progress = Callable[[int, int | None], None]
#: ``(image, frame) -> image``: an analysis drawn on the clip's frame (hipvision.analyzers.overlay)
Overlay = Callable[[np.ndarray, int], np.ndarray]

#: one frame -> the pose to record for it (None: nothing to record)
Step = Callable[[Frame], PoseFrame | None]


class Sink(Protocol):
    """Receives every frame with its pose. ``add`` returning False stops the loop."""

    def add(self, frame: Frame, pose: PoseFrame | None) -> bool | None: ...


@dataclass
class LoopStats:
    """Frames through :func:`run` and where the wall time went (s)."""

    frames: int = 0
    decode_wait_s: float = 0.0
    inference_s: float = 0.0
    other_s: float = 0.0
    stopped: bool = False  # a sink asked to stop before the source ended


def pose_step(backend: PoseBackend) -> Step:
    """The step of a pose backend; a people count made on the decode thread
    (``Frame.people``) is attached to the frame's pose."""

    def step(fr: Frame) -> PoseFrame:
        return with_people(backend.detect(fr.image, fr.index, fr.time_s), fr.people)

    return step


def open_frames(source: FrameSource | Iterable[Frame], settings: Settings, counter: Any = None) -> Iterator[Frame]:
    """Frames of ``source`` decoded ahead on a background thread (call ``close()`` on the
    result when stopping early). ``counter`` (a :class:`~hipvision.pose.mediapipe_backend.PeopleCounter`)
    counts the people every few seconds on that thread; its count rides on ``Frame.people``."""
    annotate = None
    if counter is not None:

        def annotate(fr: Frame) -> Frame:
            n = counter.count(fr.image, fr.time_s) if counter.due(fr.time_s) else None
            return fr if n is None else replace(fr, people=n)

    return prefetch(iter(source), settings.source.prefetch_frames, annotate)


def push(fr: Frame, step: Step, sinks: Sequence[Sink]) -> tuple[PoseFrame | None, bool]:
    """One frame through ``step`` and every sink; returns the pose and False when a sink
    asked to stop."""
    pose = step(fr)
    go = True
    for s in sinks:
        if s.add(fr, pose) is False:
            go = False
    return pose, go


def run(
    frames: Iterable[Frame],
    step: Step,
    sinks: Sequence[Sink],
    *,
    size: tuple[int, int] | None = None,
    name: str = "",
    stats: LoopStats | None = None,
) -> LoopStats:
    """Every frame of ``frames`` through ``step`` and ``sinks`` until the frames end or a
    sink asks to stop. ``size``: the expected (width, height); a frame of another size is
    an :class:`InputError`. ``stats`` is filled in as the loop goes (so it holds the
    figures so far when the loop is interrupted)."""
    st = stats if stats is not None else LoopStats()
    it = iter(frames)
    while True:
        t0 = time.perf_counter()
        fr = next(it, None)
        t1 = time.perf_counter()
        if fr is None:
            break
        if size is not None and (fr.image.shape[1] != size[0] or fr.image.shape[0] != size[1]):
            raise InputError(
                f"{name}: frame {fr.index} is {fr.image.shape[1]}x{fr.image.shape[0]}, "
                f"expected {size[0]}x{size[1]} (frame size changes mid-stream)"
            )
        pose = step(fr)
        t2 = time.perf_counter()
        st.frames += 1
        go = True
        for s in sinks:
            if s.add(fr, pose) is False:
                go = False
        t3 = time.perf_counter()
        st.decode_wait_s += t1 - t0
        st.inference_s += t2 - t1
        st.other_s += t3 - t2
        if not go:
            st.stopped = True
            break
    return st


# --------------------------------------------------------------------------- sinks


class CsvSink:
    """Streams each pose into a :class:`~hipvision.posecsv.PoseCsvWriter`."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def add(self, frame: Frame, pose: PoseFrame | None) -> None:
        if pose is not None:
            self.writer.write(pose)


class CollectSink:
    """Keeps every pose (for a :class:`~hipvision.sequence.PoseSequence`)."""

    def __init__(self) -> None:
        self.poses: list[PoseFrame] = []

    def add(self, frame: Frame, pose: PoseFrame | None) -> None:
        if pose is not None:
            self.poses.append(pose)


class ProgressSink:
    def __init__(self, progress: Progress, total: int | None) -> None:
        self.progress, self.total, self.n = progress, total, 0

    def add(self, frame: Frame, pose: PoseFrame | None) -> None:
        self.n += 1
        self.progress(self.n, self.total)


class StatsSink:
    """Counts frames with a person and the frames where a check saw several people."""

    def __init__(self) -> None:
        self.detected = 0
        self.multi_person_frames: list[int] = []

    def add(self, frame: Frame, pose: PoseFrame | None) -> None:
        if pose is None:
            return
        self.detected += pose.detected
        if pose.num_people > 1:
            self.multi_person_frames.append(pose.frame)


class AnnotatedVideoSink:
    """The annotated video, written in the same pass as the poses (no second decode, no
    second model run). Use as a context manager; the file appears (atomically) on a clean
    exit only.

    The analysis overlay (shin angles against the neutral reference, held peaks, FPPA at
    each rep's bottom) needs the finished analysis, which exists only after the pass. So
    every frame is drawn with what is known when it is decoded (faces blurred if asked,
    the skeleton of the pose recorded for it), and the last frames, up to ``buffer_mib`` of
    JPEG-compressed frames (quality 92), are held back; :meth:`finish` draws the analysis's own overlay
    (``Family.draw`` through :func:`hipvision.analyzers.overlay`) on them and an end card with the report's numbers (``card``) on the
    last ``card_s`` seconds. A clip whose compressed frames fit the buffer (most test clips:
    about 600 frames of 720p in 64 MiB) thus gets the overlay on every frame; a longer one
    gets it on its last part, the numbers on the end card are the report's in every case.
    Without :meth:`finish` (plain extraction) the held frames get the skeleton only.

    ``mirror``: draw the skeleton with left and right swapped (the person's sides of a
    mirrored rotation-test video, as the analysis sees them).
    """

    def __init__(
        self,
        path: str | Path,
        width: int,
        height: int,
        fps: float | None,
        render: RenderSettings,
        *,
        mirror: bool = False,
        hold: bool = False,
    ) -> None:
        self.path = Path(path)
        self.size = (width, height)
        self.fps = fps
        self.render = render
        self.mirror = mirror
        self.hold = hold and render.video_buffer_mib > 0
        self._budget = int(render.video_buffer_mib * 2**20)
        self._held: deque[tuple[Frame, PoseFrame | None, np.ndarray]] = deque()
        self._held_bytes = 0
        self._blur: Any = None
        self._writer: Any = None
        self.frames = 0

    def __enter__(self) -> "AnnotatedVideoSink":
        from .videowriter import H264Writer

        if self.render.blur_faces:
            from .privacy import FaceBlurrer

            self._blur = FaceBlurrer(self.render)
        self._writer = H264Writer(self.path, *self.size, self.fps, self.render.crf, preset=self.render.video_preset)
        self._writer.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is None:
            self._flush(None, [])
        self._writer.__exit__(*exc)

    def _base(self, fr: Frame, pose: PoseFrame | None) -> np.ndarray:
        """The frame with faces blurred (when asked), nothing drawn yet."""
        return self._blur(fr.image, pose, fr.time_s) if self._blur is not None else fr.image

    def _skeleton(self, img: np.ndarray, pose: PoseFrame | None) -> np.ndarray:
        from .render import draw_pose

        if pose is None:
            return img
        return draw_pose(img, pose.mirrored() if self.mirror else pose, self.render)

    def add(self, frame: Frame, pose: PoseFrame | None) -> None:
        base = self._base(frame, pose)
        if not self.hold:
            self._write(self._skeleton(base, pose), frame.time_s)
            return
        import cv2

        # RGB stored as if BGR: decoding gives the same channel order back, no swap copies
        ok, jpg = cv2.imencode(".jpg", base, [cv2.IMWRITE_JPEG_QUALITY, 92])
        if not ok:
            raise RuntimeError("JPEG encoding of a held video frame failed")
        self._held.append((replace(frame, image=np.empty((0, 0, 3), np.uint8)), pose, jpg))
        self._held_bytes += jpg.nbytes
        while self._held_bytes > self._budget and len(self._held) > 1:
            old, opose, ojpg = self._held.popleft()
            self._held_bytes -= ojpg.nbytes
            self._write(self._skeleton(self._decode(ojpg), opose), old.time_s)

    @staticmethod
    def _decode(jpg: np.ndarray) -> np.ndarray:
        import cv2

        return cv2.imdecode(jpg, cv2.IMREAD_COLOR)

    def finish(self, overlay: Overlay | None, card: Sequence[str] = (), progress: Progress | None = None) -> None:
        """Draw the held frames with the analysis ``overlay`` (``(image, frame) -> image``,
        :func:`hipvision.analyzers.overlay`) and the end card lines ``card`` on the last
        ``card_s`` seconds, and write them."""
        self._flush(overlay, card, progress)

    def _flush(self, overlay: Overlay | None, card: Sequence[str], progress: Progress | None = None) -> None:
        held, self._held, self._held_bytes = self._held, deque(), 0
        if not held:
            return
        t_end = held[-1][0].time_s
        for k, (fr, pose, jpg) in enumerate(held):
            if progress is not None:
                progress(k + 1, len(held))
            img = self._skeleton(self._decode(jpg), pose)
            if overlay is not None:
                img = overlay(img, fr.index)
            if card and t_end - fr.time_s <= self.render.end_card_s:
                img = draw_card(img, card)
            self._write(img, fr.time_s)

    def _write(self, img: np.ndarray, time_s: float) -> None:
        self._writer.write(img, time_s)
        self.frames += 1


def draw_card(image: np.ndarray, lines: Sequence[str]) -> np.ndarray:
    """``lines`` (the report's summary) drawn from the bottom left of a copy of ``image``;
    lines that do not fit the height are left out from the end."""
    from .render import draw_label

    out = image.copy()
    h = out.shape[0]
    step = int(max(0.5, h / 900) * 40) + 10
    lines = [ln.strip() for ln in lines if ln.strip()]
    fit = max(0, (h // 2) // step)
    shown = [_fit_width(ln, out.shape[1] - 30, h) for ln in lines[:fit]]
    y = h - 10 - step * len(shown)
    for ln in shown:
        draw_label(out, ln, (10, y))
        y += step
    return out


def _fit_width(text: str, width: int, h: int) -> str:
    """``text`` cut (with "...") to fit ``width`` px in :func:`~hipvision.render.draw_label`'s font."""
    import cv2

    fs = max(0.5, h / 900)
    th = max(1, round(fs * 2))
    if cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, fs, th)[0][0] <= width:
        return text
    while len(text) > 4 and cv2.getTextSize(text + "...", cv2.FONT_HERSHEY_SIMPLEX, fs, th)[0][0] > width:
        text = text[: max(4, int(len(text) * 0.9))]
    return text + "..."

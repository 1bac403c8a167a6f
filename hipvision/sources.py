"""Frame sources: video files, a webcam, a still image, a folder of images.

Every source yields :class:`Frame` objects one at a time (nothing holds a whole video in
memory), **upright** as a phone displayed them (rotation metadata applied), RGB uint8, with
timestamps in seconds from the container (variable frame rate is common in phone video),
or from the wall clock for a webcam, or from the frame index for an image folder.

:func:`open_source` picks the source for an input string and raises :class:`InputError`
with a specific message for anything it cannot read.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Literal, Protocol

import numpy as np

from .config import IMAGE_SUFFIXES, VIDEO_SUFFIXES, SourceSettings
from .errors import InputError

SourceKind = Literal["video", "webcam", "image", "images"]


@dataclass(frozen=True)
class Frame:
    """One upright RGB frame. ``index`` counts decoded frames from 0."""

    index: int
    time_s: float
    image: np.ndarray  # (H, W, 3) uint8 RGB
    #: people counted in this frame by a multi-person check on the decode thread (None: not checked)
    people: int | None = None


class FrameSource(Protocol):
    """What the pipeline needs from any source of frames."""

    name: str
    kind: SourceKind
    width: int  # upright frame size, px
    height: int
    fps: float | None  # nominal frame rate, if known
    frame_count: int | None  # expected number of frames, if known

    def __iter__(self) -> Iterator[Frame]: ...


# --------------------------------------------------------------------------- video files


def cc_pixels(stream: Any) -> int:
    """Pixels in a frame of a PyAV video stream (0 when the header has no size)."""
    cc = stream.codec_context
    return int(cc.width or 0) * int(cc.height or 0)


class VideoFileSource:
    """A video file decoded with PyAV (FFmpeg). Rotation metadata is applied to every
    frame; timestamps are the frames' presentation times relative to the first frame."""

    kind: SourceKind = "video"

    def __init__(
        self, path: Path, max_frames: int | None = None, threaded_decode_above_px: int = SourceSettings.threaded_decode_above_px
    ) -> None:
        import av  # PyAV is imported here only: sources are also used for stills

        self.path = path
        self.threaded_decode_above_px = threaded_decode_above_px
        self.name = str(path)
        self.max_frames = max_frames
        try:
            container = av.open(str(path))
        except av.error.FFmpegError as e:
            raise InputError(f"{path}: not a readable video ({_ffmsg(e)})") from None
        try:
            if not container.streams.video:
                raise InputError(f"{path}: the file has no video stream")
            stream = container.streams.video[0]
            cc = stream.codec_context
            if not cc.width or not cc.height:
                raise InputError(f"{path}: the video stream has no frame size (corrupt header?)")
            self.rotation = _first_frame_rotation(container, stream, path)
            w, h = int(cc.width), int(cc.height)
            self.width, self.height = (h, w) if self.rotation % 180 else (w, h)
            rate = stream.average_rate or stream.guessed_rate
            self.fps = float(rate) if rate else None
            frames = int(stream.frames or 0)
            self.declared_frames = frames  # exact in MP4/MOV (0 = unknown, e.g. MKV/WebM)
            if not frames and stream.duration and self.fps:
                frames = int(round(float(stream.duration * stream.time_base) * self.fps))
            if max_frames is not None and frames:
                frames = min(frames, max_frames)
            self.frame_count = frames or None
        finally:
            container.close()

    def __iter__(self) -> Iterator[Frame]:
        import av

        try:
            container = av.open(str(self.path))
        except av.error.FFmpegError as e:
            raise InputError(f"{self.path}: not a readable video ({_ffmsg(e)})") from None
        with container:
            stream = container.streams.video[0]
            if cc_pixels(stream) > self.threaded_decode_above_px:
                stream.thread_type = "AUTO"  # else FFmpeg's one thread: the other core stays the model's
            t0: float | None = None
            last_t = -np.inf
            n = 0
            try:
                for vf in container.decode(stream):
                    if vf.time is not None:
                        t = float(vf.time)
                    elif self.fps:
                        t = n / self.fps
                    else:
                        t = n / 30.0
                    if t0 is None:
                        t0 = t
                    t -= t0
                    if t <= last_t:  # duplicated / out-of-order pts: keep time increasing
                        t = last_t + 1e-3
                    last_t = t
                    img = vf.to_ndarray(format="rgb24")
                    rot = getattr(vf, "rotation", 0) or self.rotation
                    if rot:
                        img = np.ascontiguousarray(np.rot90(img, k=rot // 90))
                    yield Frame(n, t, img)
                    n += 1
                    if self.max_frames is not None and n >= self.max_frames:
                        return
            except av.error.FFmpegError as e:
                raise InputError(
                    f"{self.path}: video is corrupt or truncated: decoding failed after "
                    f"{n} frames ({_ffmsg(e)})"
                ) from None
            if n == 0:
                raise InputError(f"{self.path}: the video has no decodable frames")
            if self.declared_frames and n < self.declared_frames - 1:
                raise InputError(
                    f"{self.path}: video is truncated: only {n} of {self.declared_frames} frames "
                    "decode (incomplete download or copy?)"
                )


def _ffmsg(e: Exception) -> str:
    msg = getattr(e, "strerror", None) or str(e)
    return re.sub(r"\s*:\s*'[^']*'$", "", msg)


def _first_frame_rotation(container: object, stream: object, path: Path) -> int:
    """Decode the first frame: proves the stream decodes, and gives the display rotation
    (degrees, from the display matrix side data) that PyAV reports per frame."""
    import av

    try:
        for vf in container.decode(stream):  # type: ignore[attr-defined]
            return int(getattr(vf, "rotation", 0) or 0)
    except av.error.FFmpegError as e:
        raise InputError(f"{path}: video is corrupt: the first frame does not decode ({_ffmsg(e)})") from None
    raise InputError(f"{path}: the video has no decodable frames")


# --------------------------------------------------------------------------- webcam


class CameraSource:
    """A live camera (OpenCV device index). Timestamps come from the wall clock."""

    kind: SourceKind = "webcam"

    def __init__(
        self,
        device: int | str,
        max_frames: int | None = None,
        max_duration_s: float | None = None,
    ) -> None:
        import cv2

        self.name = f"webcam:{device}"
        self.device = device
        self.max_frames = max_frames
        self.max_duration_s = max_duration_s
        from .quiet import native_stderr_silenced

        with native_stderr_silenced():  # OpenCV lists every backend it tried on fd 2
            self._cap = cv2.VideoCapture(device)
            opened = self._cap.isOpened()
        if not opened:
            raise InputError(f"cannot open camera {device!r} (is it connected and free?)")
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and fps > 0 else None
        self.frame_count = None

    def __iter__(self) -> Iterator[Frame]:
        import cv2

        start = time.monotonic()
        n = 0
        try:
            while True:
                ok, bgr = self._cap.read()
                if not ok:
                    if n == 0:
                        raise InputError(f"camera {self.device!r} delivered no frames")
                    return
                t = time.monotonic() - start
                yield Frame(n, t, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
                n += 1
                if self.max_frames is not None and n >= self.max_frames:
                    return
                if self.max_duration_s is not None and t >= self.max_duration_s:
                    return
        finally:
            self._cap.release()


# --------------------------------------------------------------------------- images


def read_image(path: Path) -> np.ndarray:
    """Read an image file upright (EXIF orientation applied) as RGB uint8."""
    import cv2

    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if bgr is None:
        raise InputError(f"{path}: not a readable image (corrupt or unsupported format)")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


class ImageSource:
    """A single still image (one frame at t = 0)."""

    kind: SourceKind = "image"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        self._image = read_image(path)
        self.height, self.width = self._image.shape[:2]
        self.fps = None
        self.frame_count = 1

    def __iter__(self) -> Iterator[Frame]:
        yield Frame(0, 0.0, self._image)


def _natural_key(p: Path) -> list[object]:
    return [int(s) if s.isdigit() else s.lower() for s in re.split(r"(\d+)", p.name)]


class ImageFolderSource:
    """A folder of image frames, in natural file-name order (frame2 before frame10), at a
    fixed frame rate. All images must have the same size. Hidden files are ignored; any
    other non-image file is an error (a folder of frames should hold only frames)."""

    kind: SourceKind = "images"

    def __init__(self, folder: Path, fps: float, max_frames: int | None = None) -> None:
        self.path = folder
        self.name = str(folder)
        files = sorted(
            (p for p in folder.iterdir() if not p.name.startswith(".")), key=_natural_key
        )
        others = [p.name for p in files if p.suffix.lower() not in IMAGE_SUFFIXES]
        self.files = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES]
        if others:
            shown = ", ".join(others[:5]) + (" ..." if len(others) > 5 else "")
            raise InputError(
                f"{folder}: the folder mixes image frames with other files ({shown}); "
                "put the frames of one clip in a folder of their own"
                if self.files
                else f"{folder}: the folder holds no images (found {shown})"
            )
        if not self.files:
            raise InputError(f"{folder}: the folder is empty (expected image frames)")
        if max_frames is not None:
            self.files = self.files[:max_frames]
        first = read_image(self.files[0])
        self.height, self.width = first.shape[:2]
        self.fps = fps
        self.frame_count = len(self.files)

    def __iter__(self) -> Iterator[Frame]:
        for i, p in enumerate(self.files):
            img = read_image(p)
            if img.shape[:2] != (self.height, self.width):
                raise InputError(
                    f"{p}: size {img.shape[1]}x{img.shape[0]} differs from the first frame's "
                    f"{self.width}x{self.height}"
                )
            yield Frame(i, i / self.fps, img)


# --------------------------------------------------------------------------- dispatch

_WEBCAM = re.compile(r"^(?:webcam|camera)(?::(\d+))?$")


def is_webcam(spec: str) -> bool:
    return bool(_WEBCAM.match(str(spec)))


def open_source(spec: str | Path, settings: SourceSettings | None = None) -> FrameSource:
    """Open ``spec``: a video file, an image file, a folder of images, or ``webcam[:N]``."""
    settings = settings or SourceSettings()
    m = _WEBCAM.match(str(spec))
    if m:
        return CameraSource(int(m.group(1) or 0), settings.max_frames, settings.max_duration_s)
    path = Path(spec)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        return ImageFolderSource(path, settings.image_folder_fps, settings.max_frames)
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return ImageSource(path)
    if suffix in VIDEO_SUFFIXES or _looks_like_video(path):
        if path.stat().st_size == 0:
            raise InputError(f"{path}: the file is empty")
        return VideoFileSource(path, settings.max_frames, settings.threaded_decode_above_px)
    raise InputError(
        f"{path}: unsupported input type '{suffix or '(none)'}' (expected a video "
        f"{sorted(VIDEO_SUFFIXES)}, an image {sorted(IMAGE_SUFFIXES)}, a folder of images, "
        "a pose CSV, or webcam[:N])"
    )


def _looks_like_video(path: Path) -> bool:
    """Sniff container magic bytes for files with an unusual or missing extension."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except OSError:
        return False
    return head[4:8] == b"ftyp" or head[:4] in (b"\x1aE\xdf\xa3", b"RIFF")


# --------------------------------------------------------------------------- prefetch


class _Prefetcher:
    """Iterator over frames decoded by a background thread; :meth:`close` stops the thread
    whether or not iteration ever started."""

    _END = object()

    def __init__(
        self, frames: Iterator[Frame] | FrameSource, depth: int, annotate: Callable[[Frame], Frame] | None = None
    ) -> None:
        self._q: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._frames = frames
        self._annotate = annotate
        self._thread = threading.Thread(target=self._work, name="hipvision-decode", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        try:
            for f in self._frames:
                if self._annotate is not None:
                    f = self._annotate(f)
                while not self._stop.is_set():
                    try:
                        self._q.put(f, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if self._stop.is_set():
                    return
            self._q.put(self._END)
        except BaseException as e:  # handed to the consumer, re-raised there
            self._q.put(e)

    def __iter__(self) -> "_Prefetcher":
        return self

    def __next__(self) -> Frame:
        if self._stop.is_set():
            raise StopIteration
        item = self._q.get()
        if item is self._END:
            self.close()
            raise StopIteration
        if isinstance(item, BaseException):
            self.close()
            raise item
        return item  # type: ignore[return-value]

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._q.get_nowait()
            except queue.Empty:
                self._thread.join(timeout=0.05)


def prefetch(
    frames: Iterator[Frame] | FrameSource, depth: int, annotate: Callable[[Frame], Frame] | None = None
) -> Iterator[Frame]:
    """Decode ahead in a background thread, at most ``depth`` frames (bounded memory), so
    that decoding overlaps with pose inference on a second core. The thread starts at once
    (so it also overlaps the model loading that usually follows); call ``close()`` on the
    result when stopping early. Exceptions raised by the source are re-raised in the
    consumer. ``annotate`` runs on each frame in that thread (e.g. the periodic
    multi-person check, using the decoder's spare time). ``depth <= 0`` disables the thread
    (``annotate`` then runs inline)."""
    if depth <= 0:
        it = iter(frames)
        return it if annotate is None else (annotate(f) for f in it)
    return _Prefetcher(frames, depth, annotate)

"""Browser-playable MP4 writing (H.264, yuv420p, ``+faststart``) with PyAV.

OpenCV's pip wheels cannot encode H.264 and their ``mp4v`` files do not play in browsers;
PyAV's wheel includes libx264. ``preset`` is x264's speed/size trade-off (annotated videos
use ``RenderSettings.video_preset``; costs per frame in ``benchmarks/extract_benchmark.py``). Frames keep their source timestamps (variable frame rate is
preserved). The file is written under a temporary name and renamed when closed without an
error, so a crash never leaves a half-written video under the final name.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import numpy as np

from .atomicfile import AtomicPath


class H264Writer:
    """Write RGB frames of one size to an MP4. Use as a context manager."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        width: int,
        height: int,
        fps: float | None,
        crf: int = 23,
        preset: str = "veryfast",
    ) -> None:
        self.path = Path(path)
        # yuv420p needs even dimensions: drop a last odd row/column
        self.width, self.height = width - width % 2, height - height % 2
        self.fps = fps or 30.0
        self.crf = crf
        self.preset = preset
        self._last_pts = -1
        self.frames = 0

    def __enter__(self) -> "H264Writer":
        import av

        self._out = AtomicPath(self.path, suffix=".part.mp4")
        self._container = av.open(str(self._out.begin()), mode="w", format="mp4", options={"movflags": "+faststart"})
        rate = Fraction(self.fps).limit_denominator(1001)
        self._stream = self._container.add_stream("libx264", rate=rate)
        self._stream.width = self.width
        self._stream.height = self.height
        self._stream.pix_fmt = "yuv420p"
        self._stream.time_base = Fraction(1, 1000)
        self._stream.codec_context.time_base = Fraction(1, 1000)
        self._stream.options = {"crf": str(self.crf), "preset": self.preset}
        return self

    def write(self, image: np.ndarray, time_s: float) -> None:
        import av
        import cv2

        img = np.ascontiguousarray(image[: self.height, : self.width])
        # RGB -> YUV 4:2:0 (BT.601, limited range: the same numbers as FFmpeg's swscale)
        # with OpenCV: about 0.5 ms at 720p against 4-9 ms in swscale
        yuv = cv2.cvtColor(img, cv2.COLOR_RGB2YUV_I420)
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        pts = max(int(round(time_s * 1000)), self._last_pts + 1)
        self._last_pts = pts
        frame.pts = pts
        frame.time_base = Fraction(1, 1000)
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                for packet in self._stream.encode():
                    self._container.mux(packet)
        finally:
            self._container.close()
        self._out.finish(exc_type is None and self.frames > 0)

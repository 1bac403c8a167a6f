"""The webcam page's per-session frame processor: pose model -> live readout -> drawing.

No Streamlit here: streamlit-webrtc calls :meth:`LiveProcessor.process` from its own thread
for every camera frame; the page reads :meth:`snapshot`. Each browser session gets its own
processor and its own VIDEO-mode landmarker (stateful: never shared between sessions).
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

import numpy as np

from .. import pipeline
from ..config import DEFAULT_SETTINGS, LIVE_SCREENING, Settings
from ..errors import HipvisionError
from .. import analyzers
from ..analyzers.rotation.live import LiveRotation, draw_live
from ..analyzers.screening.live import LiveScreening, LiveScreenState
from ..models import resolve_model
from ..render import draw_label, draw_pose
from ..sources import Frame


class LiveProcessor:
    """Feed RGB frames with increasing times; get them back annotated.

    A stream whose clock goes back or jumps (STOP then START in the browser starts a new
    connection with a new clock) starts a new recording: fresh readout, fresh landmarker
    (VIDEO mode needs increasing timestamps). Errors are drawn on the picture.
    """

    def __init__(self, test: str, settings: Settings = DEFAULT_SETTINGS, mirrored: bool = False) -> None:
        self.test = test
        self.settings = settings
        self.mirrored = mirrored
        self._lock = threading.Lock()
        self._backend: Any = None
        self._closed = False
        self.error: str | None = None
        self._new_recording()

    def _new_recording(self) -> None:
        family = analyzers.family_of(self.test)
        if family is None or family.live is None:
            raise HipvisionError(f"no live readout for the test '{self.test}'")
        self._live: LiveRotation | LiveScreening = family.live(self.test, self.settings)
        self._state: Any = None
        self._frame = 0
        self._t0: float | None = None
        self._last: float | None = None
        self._close_backend()

    def reset(self) -> None:
        """Start the readout again (peaks and reps cleared)."""
        with self._lock:
            self._new_recording()

    def _ensure_backend(self) -> Any:
        if self._backend is None:
            from ..pose.factory import make_backend

            model = resolve_model(self.settings.model, progress=False)
            self._backend = make_backend(model, stream=True, settings=self.settings)
            self._backend.__enter__()
        return self._backend

    def process(self, image: np.ndarray, time_s: float | None) -> np.ndarray:
        """One camera frame (RGB) at ``time_s`` seconds on the stream's clock (None: this
        machine's clock) -> the same frame with the readout."""
        with self._lock:
            if self._closed:
                return image
            if self.error is not None:  # e.g. no pose model: say so on every frame, try no more
                return self.process_error(image)
            now = time.monotonic() if time_s is None else float(time_s)
            if self._last is not None and (now < self._last or now - self._last > LIVE_SCREENING.restart_gap_s):
                self._new_recording()
            self._last = now
            if self._t0 is None:
                self._t0 = now
            readout = _Readout(self)
            try:
                # one frame through the pipeline: pose model -> live readout (its drawing kept)
                pipeline.push(Frame(self._frame, now - self._t0, image),
                              pipeline.pose_step(self._ensure_backend()), [readout])
            except HipvisionError as e:
                self.error = str(e)
                return self.process_error(image)
            self._frame += 1
            return readout.image

    def process_error(self, image: np.ndarray) -> np.ndarray:
        out = image.copy()
        draw_label(out, f"hipvision: {self.error}"[:120], (10, 10))
        return out

    def snapshot(self) -> Any:
        """The latest readout state (``LiveState`` or ``LiveScreenState``), or None."""
        with self._lock:
            return None if self._state is None else replace(self._state)

    def _close_backend(self) -> None:
        if self._backend is not None:
            self._backend.__exit__(None, None, None)
            self._backend = None

    def close(self) -> None:
        """Release the landmarker; later frames pass through unchanged."""
        with self._lock:
            self._closed = True
            self._close_backend()


class _Readout:
    """The live readout as a pipeline sink: updates the processor's state and keeps the
    annotated picture."""

    def __init__(self, proc: LiveProcessor) -> None:
        self.proc = proc
        self.image: np.ndarray | None = None

    def add(self, fr: Frame, pose: Any) -> None:
        p = self.proc
        person = pose.mirrored() if p.mirrored else pose  # the person's sides
        state = p._live.update(person)
        p._state = state
        if isinstance(p._live, LiveRotation):
            self.image = draw_live(fr.image, person, p._live, state)
        else:
            self.image = draw_screening_live(fr.image, person, state, p.settings)


def draw_screening_live(image: np.ndarray, pose: Any, state: LiveScreenState, settings: Settings = DEFAULT_SETTINGS) -> np.ndarray:
    """Skeleton, the rep counter and the last rep's FPPA per knee and hip shift (flags marked)."""
    out = draw_pose(image, pose, settings.render)
    h = out.shape[0]
    step = int(max(0.5, h / 900) * 40) + 10
    draw_label(out, state.message, (10, 10))
    draw_label(out, f"reps {len(state.reps)}", (10, 10 + step))
    if state.reps:
        r = state.reps[-1]
        parts = []
        for s in ("left", "right"):
            v = r.fppa_deg[s]
            parts.append(f"{s[0].upper()} FPPA {'-' if v is None else f'{v:.0f}'}{' valgus?' if r.valgus[s] else ''}")
        shift = "-" if r.hip_shift_pct is None else f"{r.hip_shift_pct:+.0f}%{' SHIFT' if r.hip_shift else ''}"
        if r.view in ("oblique", "side"):
            draw_label(out, f"rep {r.index}: {r.view} view, face the camera to judge the knees", (10, 10 + 2 * step))
        else:
            draw_label(out, f"rep {r.index}: " + "  ".join(parts) + f"  hip {shift}", (10, 10 + 2 * step))
    return out

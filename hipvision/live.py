"""Live (webcam) hip-rotation readout: a running shin angle per side with peak hold.

Causal, frame by frame: nothing here looks at future frames. The person first sits still
with relaxed shins for ``neutral_window_s``; that calibrates each shin's vertical. After
that each frame gives the current angle (+ = IR, foot lateral; One-Euro smoothed for
display) and the held peaks so far (the highest level a trailing moving median over
``hold_s`` reached). The offline analysis of the recorded sequence remains the reference
result; the live numbers are a guide while testing.

:class:`LiveRotation` is pure (PoseFrame in, state out), so the CLI window and the
dashboard's webcam page share it and tests drive it with synthetic frames.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from .cleaning import OneEuroFilter
from .config import RotationSettings
from .geometry import IMAGE_DOWN, IMAGE_UP, lateral_angle, rotate, signed_angle
from .landmarks import LANDMARK_INDEX
from .sequence import PoseFrame

SIDES = ("left", "right")


@dataclass
class LiveSide:
    angle_deg: float | None = None  # current, smoothed; + = IR
    peak_ir_deg: float | None = None
    peak_er_deg: float | None = None


@dataclass
class LiveState:
    calibrated: bool
    message: str
    sides: dict[str, LiveSide] = field(default_factory=dict)


class LiveRotation:
    """Feed :meth:`update` one :class:`PoseFrame` at a time (increasing ``time_s``)."""

    def __init__(self, test: str, settings: RotationSettings | None = None, min_visibility: float = 0.5) -> None:
        self.test = test
        self.rs = settings or RotationSettings()
        self.min_visibility = min_visibility
        self.nominal = IMAGE_DOWN if test == "seated" else IMAGE_UP
        self._raw: dict[str, deque[tuple[float, float]]] = {s: deque() for s in SIDES}
        self._held: dict[str, deque[tuple[float, float]]] = {s: deque() for s in SIDES}
        self._ref: dict[str, np.ndarray] | None = None
        self._filters = {s: OneEuroFilter(min_cutoff_hz=1.0, beta=0.02) for s in SIDES}
        self.sides = {s: LiveSide() for s in SIDES}

    def _point(self, pose: PoseFrame, name: str) -> np.ndarray | None:
        i = LANDMARK_INDEX[name]
        p = pose.xy[i]
        if not np.isfinite(p).all() or pose.visibility[i] < self.min_visibility:
            return None
        return p

    def update(self, pose: PoseFrame) -> LiveState:
        t = pose.time_s
        lh, rh = self._point(pose, "left_hip"), self._point(pose, "right_hip")
        lk, rk = self._point(pose, "left_knee"), self._point(pose, "right_knee")
        if lh is not None and rh is not None:
            lat = lh - rh
        elif lk is not None and rk is not None:
            lat = lk - rk
        else:
            lat = None
        for s in SIDES:
            knee, ankle = self._point(pose, f"{s}_knee"), self._point(pose, f"{s}_ankle")
            if knee is None or ankle is None or lat is None:
                continue
            side_lat = lat if s == "left" else -lat
            if self._ref is None:
                raw = float(lateral_angle(knee, ankle, self.nominal, side_lat))
                self._push(self._raw[s], t, raw, self.rs.neutral_window_s)
            else:
                a = float(lateral_angle(knee, ankle, self._ref[s], side_lat))
                self._push(self._held[s], t, a, self.rs.hold_s)
                side = self.sides[s]
                side.angle_deg = float(self._filters[s](t, a))
                level = float(np.median([v for _, v in self._held[s]]))
                if self._held[s][-1][0] - self._held[s][0][0] >= 0.8 * self.rs.hold_s:
                    if level > self.rs.attempt_threshold_deg:
                        side.peak_ir_deg = max(side.peak_ir_deg or 0.0, level)
                    if -level > self.rs.attempt_threshold_deg:
                        side.peak_er_deg = max(side.peak_er_deg or 0.0, -level)
        if self._ref is None:
            self._try_calibrate(lat)
            if self._ref is None:
                return LiveState(False, "sit still with relaxed shins to calibrate vertical", self.sides)
        return LiveState(True, "rotate one leg (or both), hold the end position", self.sides)

    @staticmethod
    def _push(buf: deque[tuple[float, float]], t: float, v: float, window_s: float) -> None:
        buf.append((t, v))
        while buf and buf[0][0] < t - window_s:
            buf.popleft()

    def _try_calibrate(self, lat: np.ndarray | None) -> None:
        if lat is None:
            return
        refs = {}
        for s in SIDES:
            buf = self._raw[s]
            if len(buf) < 5 or buf[-1][0] - buf[0][0] < 0.9 * self.rs.neutral_window_s:
                return
            vals = np.array([v for _, v in buf])
            if vals.std() >= self.rs.still_sd_deg or abs(np.median(vals)) >= self.rs.neutral_max_offset_deg:
                return
            side_lat = lat if s == "left" else -lat
            sign = np.sign(signed_angle(side_lat, self.nominal))
            refs[s] = rotate(self.nominal, float(np.median(vals)) * sign)
        self._ref = refs

    def reference(self) -> dict[str, np.ndarray] | None:
        return self._ref


def draw_live(image: np.ndarray, pose: PoseFrame, live: LiveRotation, state: LiveState) -> np.ndarray:
    """Skeleton, shins with their calibrated verticals, and a panel with the running angle
    and peak hold per side."""
    import cv2

    from .config import DEFAULT_SETTINGS
    from .render import draw_label, draw_pose

    out = draw_pose(image, pose, DEFAULT_SETTINGS.render)
    ref = live.reference()
    if ref is not None:
        for s in SIDES:
            knee, ankle = live._point(pose, f"{s}_knee"), live._point(pose, f"{s}_ankle")
            if knee is None or ankle is None:
                continue
            L = float(np.hypot(*(ankle - knee)))
            end = knee + ref[s] * L
            cv2.line(out, tuple(int(v) for v in knee), tuple(int(v) for v in end), (255, 255, 255), 1, cv2.LINE_AA)
    y = 10
    h = out.shape[0]
    step = int(max(0.5, h / 900) * 40) + 10
    draw_label(out, state.message, (10, y))
    for s in SIDES:
        y += step
        side = state.sides[s]
        now = "-" if side.angle_deg is None else f"{'IR' if side.angle_deg >= 0 else 'ER'} {abs(side.angle_deg):.0f}"
        ir = "-" if side.peak_ir_deg is None else f"{side.peak_ir_deg:.0f}"
        er = "-" if side.peak_er_deg is None else f"{side.peak_er_deg:.0f}"
        draw_label(out, f"{s.upper()} {now}   peak IR {ir} / ER {er}", (10, y))
    return out


def has_display() -> bool:
    import os
    import sys

    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True

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

from ...cleaning import OneEuroFilter
from ...config import RotationSettings
from ...geometry import IMAGE_DOWN, IMAGE_UP, lateral_angle, rotate, signed_angle
from ...landmarks import SIDES
from ...sequence import PoseFrame



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
        self._ref: dict[str, np.ndarray] = {}
        self._filters = {s: OneEuroFilter(min_cutoff_hz=1.0, beta=0.02) for s in SIDES}
        self.sides = {s: LiveSide() for s in SIDES}

    def _point(self, pose: PoseFrame, name: str) -> np.ndarray | None:
        return pose.seen(name, self.min_visibility)

    def update(self, pose: PoseFrame) -> LiveState:
        t = pose.time_s
        lat = self._lateral(pose)
        for s in SIDES:
            knee, ankle = self._point(pose, f"{s}_knee"), self._point(pose, f"{s}_ankle")
            if knee is None or ankle is None:
                continue
            side_lat = lat if s == "left" else -lat
            if s not in self._ref:
                raw = float(lateral_angle(knee, ankle, self.nominal, side_lat))
                self._push(self._raw[s], t, raw, self.rs.neutral_window_s)
                continue
            a = float(lateral_angle(knee, ankle, self._ref[s], side_lat))
            # the held level: median of the last 2 x hold_s, as in the offline analysis
            self._push(self._held[s], t, a, 2 * self.rs.hold_s)
            side = self.sides[s]
            side.angle_deg = float(self._filters[s](t, a))
            if self._held[s][-1][0] - self._held[s][0][0] >= 1.6 * self.rs.hold_s:
                level = float(np.median([v for _, v in self._held[s]]))
                if level > self.rs.attempt_threshold_deg:
                    side.peak_ir_deg = max(side.peak_ir_deg or 0.0, level)
                if -level > self.rs.attempt_threshold_deg:
                    side.peak_er_deg = max(side.peak_er_deg or 0.0, -level)
        if len(self._ref) < 2:
            self._try_calibrate(t, lat)
        if not self._ref:
            return LiveState(False, "sit still with relaxed shins to calibrate vertical", self.sides)
        return LiveState(True, "rotate one leg (or both), hold the end position", self.sides)

    def _lateral(self, pose: PoseFrame) -> np.ndarray:
        """Direction to the outside of the person's left leg in the image."""
        for part in ("hip", "knee"):
            a, b = self._point(pose, f"left_{part}"), self._point(pose, f"right_{part}")
            if a is not None and b is not None and np.hypot(*(a - b)) > 0:
                return a - b
        # one leg in view: the camera placement the test prescribes
        return np.array([1.0, 0.0]) if self.test == "seated" else np.array([-1.0, 0.0])

    @staticmethod
    def _push(buf: deque[tuple[float, float]], t: float, v: float, window_s: float) -> None:
        buf.append((t, v))
        while buf and buf[0][0] < t - window_s:
            buf.popleft()

    def _still_level(self, s: str, t: float) -> float | None:
        """The neutral level of side ``s`` if it has been still near vertical for a window."""
        buf = self._raw[s]
        if len(buf) < 5 or buf[-1][0] < t - 0.2 or buf[-1][0] - buf[0][0] < 0.9 * self.rs.neutral_window_s:
            return None
        vals = np.array([v for _, v in buf])
        level = float(np.median(vals))
        if vals.std() >= self.rs.still_sd_deg or abs(level) >= self.rs.neutral_max_offset_deg:
            return None
        return level

    def _try_calibrate(self, t: float, lat: np.ndarray) -> None:
        """Calibrate both sides together when both are in view (their neutrals must agree,
        as offline: a still, held rotation is not a neutral), or a lone visible side."""
        level = {s: self._still_level(s, t) for s in SIDES if s not in self._ref}
        seen = {s for s in SIDES if self._raw[s] and self._raw[s][-1][0] >= t - 0.2}
        if not self._ref and seen == {"left", "right"}:
            if level.get("left") is None or level.get("right") is None:
                return
            if abs(level["left"] + level["right"]) > self.rs.neutral_max_disagreement_deg:
                return
        for s, lv in level.items():
            if lv is None:
                continue
            side_lat = lat if s == "left" else -lat
            sign = np.sign(signed_angle(side_lat, self.nominal))
            self._ref[s] = rotate(self.nominal, lv * sign)

    def reference(self) -> dict[str, np.ndarray]:
        """The calibrated vertical of each side calibrated so far."""
        return self._ref


def draw_live(image: np.ndarray, pose: PoseFrame, live: LiveRotation, state: LiveState) -> np.ndarray:
    """Skeleton, shins with their calibrated verticals, and a panel with the running angle
    and peak hold per side."""
    import cv2

    from ...config import DEFAULT_SETTINGS
    from ...render import draw_label, draw_pose

    out = draw_pose(image, pose, DEFAULT_SETTINGS.render)
    ref = live.reference()
    for s, vertical in ref.items():
        knee, ankle = live._point(pose, f"{s}_knee"), live._point(pose, f"{s}_ankle")
        if knee is None or ankle is None:
            continue
        end = knee + vertical * float(np.hypot(*(ankle - knee)))
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

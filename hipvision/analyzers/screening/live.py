"""Live (webcam) screening readout: a causal rep counter with knee FPPA and hip shift per rep.

Frame by frame, nothing looks ahead. Standing height is the longest leg (floor to pelvis;
for hinges, the trunk: pelvis to shoulders) seen so far; frames at full height in the last
few seconds give the standing references (hip width and line, the pelvis over the feet,
each thigh's length), so no calibration pose is needed. Valgus and hip shift need a frontal
(or rear) view: a rep where the body is turned (world landmarks, as offline) is counted
without them. A rep starts when the depth
(the share of the standing leg, or the trunk for hinges, that has gone) passes
``enter_depth`` and ends when it falls below ``exit_depth`` (or, when the person goes down
again without standing up fully, at the low point between, as offline: ``rep_split_rise``):
only then is it counted, so a
rep the stream stops in is never counted (nor one it starts in: the person must first be
seen standing, and depth is measured from the tallest height seen). At the bottom (frames within
``bottom_fraction`` of the rep's deepest, leaving out frames where the thigh no longer
points down the image, as the offline analysis does) the medians of the knee FPPA per side (+ = valgus)
and the hip shift (% of hip width, + = toward the person's left) are that rep's numbers.

Pixels of the upright image; left/right are the person's. The offline analysis of the
recording (``hipvision analyze``) is the reference result; these numbers guide the session.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ...config import DEFAULT_SETTINGS, LIVE_SCREENING, LiveScreeningSettings, ScreeningSettings
from ...geometry import body_yaw_deg, fppa
from ...landmarks import SIDES
from ...sequence import PoseFrame



@dataclass
class LiveRep:
    index: int
    fppa_deg: dict[str, float | None]
    valgus: dict[str, bool]
    hip_shift_pct: float | None
    hip_shift: bool
    #: "frontal", "oblique", "side" or "unknown"; only frontal reps get FPPA and hip shift
    view: str = "frontal"


@dataclass
class LiveScreenState:
    calibrated: bool
    message: str
    depth: float | None = None
    reps: list[LiveRep] = field(default_factory=list)


class LiveScreening:
    """Feed :meth:`update` one :class:`PoseFrame` at a time (increasing ``time_s``)."""

    def __init__(
        self,
        test: str,
        settings: ScreeningSettings | None = None,
        min_visibility: float = DEFAULT_SETTINGS.cleaning.min_visibility,
        live: LiveScreeningSettings = LIVE_SCREENING,
    ) -> None:
        self.test = test
        self.ss = settings or ScreeningSettings()
        self.min_visibility = min_visibility
        self.live = live
        self.hinge = "hinge" in test
        self._tall = 0.0  # the longest leg (or trunk, hinges) seen: standing height
        self._standing: deque[tuple[float, float, float, np.ndarray, np.ndarray, float, float]] = deque()
        self._bottom: list[tuple[float, float | None, float | None, float | None]] = []
        self._yaw: list[float] = []
        self._max_depth = 0.0
        self.in_rep = False
        self.reps: list[LiveRep] = []

    def _p(self, pose: PoseFrame, name: str) -> np.ndarray | None:
        return pose.seen(name, self.min_visibility)

    def update(self, pose: PoseFrame) -> LiveScreenState:
        pts = {f"{s}_{j}": self._p(pose, f"{s}_{j}") for s in SIDES for j in ("shoulder", "hip", "knee", "ankle")}
        if any(pts[f"{s}_{j}"] is None for s in SIDES for j in ("hip", "ankle")):
            return LiveScreenState(self._ready, "keep the whole body in view", None, self.reps)
        lh, rh, la, ra = pts["left_hip"], pts["right_hip"], pts["left_ankle"], pts["right_ankle"]
        pelvis, feet = (lh + rh) / 2, (la + ra) / 2
        leg = max(la[1], ra[1]) - pelvis[1]  # the standing foot to the pelvis
        shoulders = [pts[f"{s}_shoulder"] for s in SIDES]
        if self.hinge and any(p is None for p in shoulders):
            return LiveScreenState(self._ready, "keep the shoulders in view", None, self.reps)
        height = pelvis[1] - (shoulders[0][1] + shoulders[1][1]) / 2 if self.hinge else leg  # type: ignore[index]
        self._tall = max(self._tall, float(height))
        depth = 1.0 - height / self._tall
        if depth <= self.live.standing_tolerance:
            self._remember_standing(pose.time_s, pts, pelvis, feet)
        if not self._ready:
            return LiveScreenState(False, "stand tall, whole body in view", float(depth), self.reps)
        if not self.in_rep and depth > self.live.enter_depth:
            self.in_rep, self._bottom, self._max_depth, self._yaw = True, [], 0.0, []
        if self.in_rep:
            self._max_depth = max(self._max_depth, depth)
            self._yaw.append(float(body_yaw_deg(pose.world)))
            self._bottom.append((depth, *self._measure(pts, pelvis, feet)))
            if depth < self.live.exit_depth:
                self._finish_rep()
            else:
                self._split_if_down_again()
        msg = f"rep {len(self.reps) + 1}" if self.in_rep else "ready: squat or hinge, stand tall between reps"
        return LiveScreenState(True, msg, float(depth), self.reps)

    @property
    def _ready(self) -> bool:
        return len(self._standing) >= self.live.min_standing_frames

    def _remember_standing(self, t: float, pts: dict, pelvis: np.ndarray, feet: np.ndarray) -> None:
        """Standing references: hip width, the hip line's direction, the pelvis over the feet
        and each thigh's downward length, from recent frames at full height."""
        lat = pts["left_hip"] - pts["right_hip"]
        thighs = [pts[f"{s}_knee"][1] - pts[f"{s}_hip"][1] if pts[f"{s}_knee"] is not None else np.nan for s in SIDES]
        self._standing.append((t, float(np.hypot(*lat)), 0.0, pelvis - feet, lat, *thighs))
        # never below the frames needed to be ready: one tall frame after a set without
        # standing up fully must not drop the references (and stop the count mid-rep)
        while len(self._standing) > self.live.min_standing_frames and self._standing[0][0] < t - self.live.standing_window_s:
            self._standing.popleft()

    def _reference(self) -> tuple[float, np.ndarray, np.ndarray, dict[str, float]]:
        st = list(self._standing)
        width = float(np.median([s[1] for s in st]))
        offset = np.median([s[3] for s in st], axis=0)
        lat = np.median([s[4] for s in st], axis=0)
        thigh = {side: float(np.nanmedian([s[5 + k] for s in st])) for k, side in enumerate(SIDES)}
        return width, offset, lat / max(float(np.hypot(*lat)), 1e-9), thigh

    def _measure(self, pts: dict, pelvis: np.ndarray, feet: np.ndarray) -> tuple[float | None, float | None, float | None]:
        width, offset, lateral, thigh = self._reference()
        out: list[float | None] = []
        for s, o in (("left", "right"), ("right", "left")):
            hip, knee, ankle = pts[f"{s}_hip"], pts[f"{s}_knee"], pts[f"{s}_ankle"]
            # FPPA needs a thigh that still points down the image (as offline: min_thigh_ratio)
            if knee is None or not knee[1] - hip[1] >= self.ss.min_thigh_ratio * thigh[s]:
                out.append(None)
                continue
            v = float(fppa(hip, knee, ankle, hip - pts[f"{o}_hip"]))
            out.append(v if np.isfinite(v) else None)
        shift = float(np.dot(pelvis - feet - offset, lateral)) / width * 100 if width > 0 else None
        return out[0], out[1], shift

    def _split_if_down_again(self) -> None:
        """Two reps without standing up fully in between: once the person has come back up
        from this rep's bottom by ``rep_split_rise`` of the shallower bottom and gone down
        again by ``min_rep_depth`` (the offline rule, seen as it happens), the rep up to the
        low point between them is counted and the frames from there on start the next."""
        w = self.live.median_frames
        if len(self._bottom) < w + 2:
            return
        depths = self._smoothed_depths()
        deepest = int(np.argmax(depths))
        low_at = deepest + int(np.argmin(depths[deepest:]))
        low, now, keep = depths[low_at], depths[-1], 1.0 - self.ss.rep_split_rise
        if low <= keep * min(depths[deepest], now) and now - low >= self.ss.min_rep_depth:
            low_at += w // 2  # the median's window ends at its frame: the low point is mid-window
            rest, rest_yaw = self._bottom[low_at:], self._yaw[low_at:]
            self._bottom, self._yaw = self._bottom[: low_at + 1], self._yaw[: low_at + 1]
            self._finish_rep()
            self.in_rep, self._bottom, self._yaw = True, rest, rest_yaw
            self._max_depth = max(r[0] for r in rest)

    def _smoothed_depths(self) -> np.ndarray:
        """The rep's depths as a running median of ``median_frames`` (each value at the end
        of its window): one noisy frame is neither a bottom, a rise nor a rep."""
        d = np.array([r[0] for r in self._bottom])
        w = self.live.median_frames
        return np.median(np.lib.stride_tricks.sliding_window_view(d, w), axis=1) if d.size >= w else d[:0]

    def _finish_rep(self) -> None:
        self.in_rep = False
        smooth = self._smoothed_depths()
        if self._max_depth < self.live.enter_depth or not smooth.size or smooth.max() < self.live.enter_depth:
            return
        thr = self.ss.fppa_threshold()

        def med(k: int) -> float | None:
            """Median over the deepest frames where value ``k`` is measurable (in a deep
            squat the FPPA comes from the deepest point where the thigh still points down)."""
            ok = [r for r in self._bottom if r[k] is not None]
            if not ok:
                return None
            deepest = max(r[0] for r in ok)
            return float(np.median([r[k] for r in ok if r[0] >= self.live.bottom_fraction * deepest]))

        f = {"left": med(1), "right": med(2)}
        shift = med(3)
        yaw = np.array(self._yaw)
        view = "unknown"
        if np.isfinite(yaw).any():
            y = float(np.nanmedian(yaw))
            view = "frontal" if y <= self.ss.frontal_max_yaw_deg else "side" if y >= self.ss.side_min_yaw_deg else "oblique"
        if view in ("oblique", "side"):  # valgus and hip shift need a frontal (or rear) view
            f, shift = {"left": None, "right": None}, None
        self.reps.append(
            LiveRep(
                index=len(self.reps) + 1,
                fppa_deg=f,
                valgus={s: v is not None and v > thr for s, v in f.items()},
                hip_shift_pct=shift,
                hip_shift=shift is not None and abs(shift) > self.ss.hip_shift_threshold_pct,
                view=view,
            )
        )


"""Assisted mode: the user marks knee and ankle (or heel) of each leg on one frame; each
shin is then followed through the video as a **rigid strip** along the marked line.

Why a strip and not two points: bare skin has little texture, and a marked spot changes
its look as the shin turns in 3-D and under fixed light (on rendered prone avatars the
patch around a marked point stopped correlating with the previous frame within a few
frames of movement). The shin's outline against the background and the other leg is the
strongest structure in view, and the rotation tests only need the shin line's angle, so the
whole strip (the marked knee-ankle segment, ``strip_half_width_frac`` of its length either
side, ``strip_margin_frac`` beyond each end) is aligned frame to frame with a Euclidean
(turn + shift) warp by OpenCV's ECC (enhanced correlation coefficient: insensitive to
brightness and contrast changes). Per frame and shin:

1. **search**: the strip is turned about the knee around the turn predicted from the last
   frame (``search_deg`` either side, ``search_step_deg`` steps) and the best correlation
   with the previous frame's strip is kept (large turns between frames at low frame rates);
2. **align** to the previous frame's strip with ECC (sub-pixel, sub-degree), with the other
   shin's strip masked out so a crossing leg does not drag it;
3. **de-drift**: re-align to the last *keyframe* strip; kept when it correlates
   (``min_key_cc``) and moves the ends by < ``max_key_shift_px``, otherwise the current
   strip becomes the new keyframe (the look has changed: light, 3-D turn);
4. **checks** (a failure = the shin is **lost**: NaN, never a drifted number):
   correlation with the previous frame ``min_frame_cc``; forward-backward: aligning the new
   strip back onto the previous frame must land within ``max_fb_error_px`` of where it was;
   the two shins' strips may not overlap by more than ``max_overlap_frac`` (both are NaN
   for such frames: a crossing leg makes either reading unsafe).
5. **found again**: a lost shin is searched for on every later frame, turned about its last
   knee position by up to ``reacquire_search_deg``, against its marked and its last good
   look; it is accepted when ECC correlation reaches ``reacquire_min_cc`` and the strip does
   not overlap the other shin. The report lists each loss with the frame it was found again
   (or "re-mark at frame N" when it never was).

Output per frame: knee and ankle of each marked shin (the strip's ends: their distance stays
the marked one), confidence 0.5-1 from the correlation and the forward-backward error.
Frames before the marked frame are not tracked (NaN). Marks are pixel coordinates of the
upright frame; left/right are the **person's**. The shin angle sign conventions are the
rotation analysis's (:mod:`hipvision.geometry`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..config import TrackingSettings
from ..errors import InputError
from ..landmarks import SIDES, Side
from .result import POINTS, TrackingLost

_ECC_CRITERIA = (3, 60, 1e-4)  # cv2.TERM_CRITERIA_EPS | COUNT, iterations, epsilon
_ECC_BLUR = 5


def parse_marks(specs: list[str] | None) -> dict[str, tuple[float, float]]:
    """``["left_knee=412,300", ...]`` -> {"left_knee": (412.0, 300.0), ...}. Both points
    of a leg are needed; at least one leg."""
    marks: dict[str, tuple[float, float]] = {}
    for spec in specs or []:
        name, sep, val = spec.partition("=")
        name = name.strip()
        if not sep or name not in POINTS:
            raise InputError(f"bad --mark '{spec}': expected NAME=X,Y with NAME one of {', '.join(POINTS)}")
        try:
            x, y = (float(v) for v in val.split(","))
        except ValueError:
            raise InputError(f"bad --mark '{spec}': coordinates must be X,Y in pixels, e.g. {name}=412,300") from None
        if name in marks:
            raise InputError(f"--mark {name} given twice")
        marks[name] = (x, y)
    for side in SIDES:
        got = [p for p in (f"{side}_knee", f"{side}_ankle") if p in marks]
        if len(got) == 1:
            missing = f"{side}_ankle" if got[0].endswith("knee") else f"{side}_knee"
            raise InputError(f"--mark {got[0]} needs --mark {missing} too (two points per shin)")
    if marks and len(marks) < len(POINTS):
        raise InputError(
            "assisted tracking needs both legs marked (knee and ankle of each): an unmarked leg in view "
            "can drag the marked shin's strip; add --mark for the other leg (test one leg at a time with "
            "the other leg still in view, or use stickers)"
        )
    if not marks:
        raise InputError(
            "assisted tracking needs the knee and ankle of each leg on one frame: "
            "--mark left_knee=X,Y --mark left_ankle=X,Y --mark right_knee=X,Y --mark right_ankle=X,Y [--mark-frame N]"
        )
    return marks


def ncc(a: np.ndarray, b: np.ndarray) -> float:
    """Zero-mean normalised cross-correlation of two equal-size patches (-1..1; 0 for a
    flat patch)."""
    a = a - a.mean()
    b = b - b.mean()
    d = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / d) if d > 1e-6 else 0.0


# -- strip geometry ------------------------------------------------------------------------
# A strip is a small upright image (template) whose column ``half_w`` runs along the shin;
# ``warp`` (2x3, float32) maps template pixel (x, y) to image pixel. The template's y axis
# points down the image (ECC's Euclidean warp is only defined for turns within +-90 deg), so
# for shins pointing up (prone) the template runs from ankle to knee.


def turned_about(warp: np.ndarray, pivot: np.ndarray, degrees: float) -> np.ndarray:
    """``warp`` followed by a turn of ``degrees`` (clockwise on screen, y down) about image
    point ``pivot``."""
    a = np.radians(degrees)
    c, s = np.cos(a), np.sin(a)
    rot = np.array([[c, -s], [s, c]])
    lin = rot @ warp[:, :2].astype(np.float64)
    t = rot @ (warp[:, 2].astype(np.float64) - pivot) + pivot
    return np.hstack([lin, t[:, None]]).astype(np.float32)


def warp_angle_deg(warp: np.ndarray) -> float:
    """The turn of a Euclidean warp, degrees clockwise on screen."""
    return float(np.degrees(np.arctan2(warp[1, 0], warp[0, 0])))


@dataclass
class Shin:
    """One marked shin followed as a strip (see the module docstring)."""

    side: Side  # the person's
    length: float  # marked knee-ankle distance, px
    ankle_up: bool  # the ankle is above the knee in the image (prone): template runs ankle -> knee
    half_w: int
    margin: int
    warp: np.ndarray
    reference: np.ndarray  # the strip on the marked frame
    key: np.ndarray  # the last keyframe's strip
    turn_rate: float = 0.0  # degrees per frame over the last step
    lost_at: int | None = None
    #: frames still to be followed after being found again before readings are reported
    probation: int = 0
    #: lost while touching the other shin's strip: it is probably still there, behind it
    lost_crossing: bool = False
    #: refused on the marked frame (no texture): never searched for
    refused: bool = False
    last_good: np.ndarray = field(default_factory=lambda: np.zeros((2, 3), np.float32))

    @classmethod
    def from_marks(cls, side: Side, gray: np.ndarray, knee: np.ndarray, ankle: np.ndarray, s: TrackingSettings) -> "Shin":
        length = float(np.hypot(*(ankle - knee)))
        ankle_up = bool(ankle[1] < knee[1])
        top = ankle if ankle_up else knee
        d = (knee - ankle if ankle_up else ankle - knee) / length  # unit vector down the template
        half_w = max(4, int(round(s.strip_half_width_frac * length)))
        margin = int(round(s.strip_margin_frac * length))
        c, sn = d[1], -d[0]  # template x axis (c, sn), y axis (-sn, c) = d
        origin = top - margin * d - half_w * np.array([c, sn])
        warp = np.array([[c, -sn, origin[0]], [sn, c, origin[1]]], np.float32)
        shin = cls(side, length, ankle_up, half_w, margin, warp, np.zeros((1, 1), np.float32), np.zeros((1, 1), np.float32))
        shin.reference = shin.sample(gray, warp)
        shin.key = shin.reference
        shin.last_good = warp.copy()
        return shin

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the strip image."""
        return 2 * self.half_w + 1, int(round(self.length)) + 2 * self.margin + 1

    def sample(self, gray: np.ndarray, warp: np.ndarray) -> np.ndarray:
        import cv2

        return cv2.warpAffine(gray, warp, self.size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_REPLICATE)

    def ends(self, warp: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(knee, ankle) image points of the strip at ``warp`` (default: the current pose)."""
        w = (self.warp if warp is None else warp).astype(np.float64)
        top = w[:, :2] @ np.array([self.half_w, self.margin]) + w[:, 2]
        bottom = w[:, :2] @ np.array([self.half_w, self.margin + self.length]) + w[:, 2]
        return (bottom, top) if self.ankle_up else (top, bottom)

    def polygon(self, warp: np.ndarray | None = None, grow: float = 0.0) -> np.ndarray:
        """The strip's outline in the image (4, 2) float32; ``grow``: widened by this share
        of the shin length on every side (a foot sticks out beyond the strip)."""
        w = (self.warp if warp is None else warp).astype(np.float64)
        W, H = self.size
        g = grow * self.length
        corners = np.array([[-g, -g], [W - 1 + g, -g], [W - 1 + g, H - 1 + g], [-g, H - 1 + g]], np.float64)
        return (corners @ w[:, :2].T + w[:, 2]).astype(np.float32)

    def shift(self, a: np.ndarray, b: np.ndarray) -> float:
        """Largest distance (px) between the ends of the strip at warps ``a`` and ``b``."""
        ka, aa = self.ends(a)
        kb, ab = self.ends(b)
        return float(max(np.hypot(*(ka - kb)), np.hypot(*(aa - ab))))


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Area shared by two convex outlines, as a share of the smaller one (0..1)."""
    import cv2

    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    inter, _ = cv2.intersectConvexConvex(a, b)
    small = min(cv2.contourArea(a), cv2.contourArea(b))
    return float(inter / small) if small > 0 else 0.0


def ecc_align(template: np.ndarray, gray: np.ndarray, warp: np.ndarray, mask: np.ndarray | None,
              reach: float) -> tuple[float, np.ndarray] | None:
    """Euclidean ECC alignment of ``template`` into ``gray`` starting at ``warp``, on the
    image region the strip can reach (``reach`` px around it) so the cost does not grow with
    the frame size. Returns (correlation, warp) or None when it does not converge."""
    import cv2

    h, w = gray.shape
    th, tw = template.shape
    corners = np.array([[0, 0], [tw - 1, 0], [tw - 1, th - 1], [0, th - 1]], np.float64) @ warp[:, :2].T.astype(np.float64) + warp[:, 2]
    x0 = int(max(0, np.floor(corners[:, 0].min() - reach)))
    y0 = int(max(0, np.floor(corners[:, 1].min() - reach)))
    x1 = int(min(w, np.ceil(corners[:, 0].max() + reach) + 1))
    y1 = int(min(h, np.ceil(corners[:, 1].max() + reach) + 1))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    local = warp.copy()
    local[0, 2] -= x0
    local[1, 2] -= y0
    roi = np.ascontiguousarray(gray[y0:y1, x0:x1])
    m = None if mask is None else np.ascontiguousarray(mask[y0:y1, x0:x1])
    try:
        cc, out = cv2.findTransformECC(template, roi, local, cv2.MOTION_EUCLIDEAN, _ECC_CRITERIA, m, _ECC_BLUR)
    except cv2.error:
        return None
    if not np.isfinite(out).all():
        return None
    out[0, 2] += x0
    out[1, 2] += y0
    return float(cc), out


class ShinTracker:
    """Follows the marked shins from ``mark_frame`` on. Feed every frame in order to
    :meth:`update`; it returns per point (xy, confidence), NaN/0 when not measured."""

    def __init__(self, marks: dict[str, tuple[float, float]], mark_frame: int, settings: TrackingSettings) -> None:
        self.marks = marks
        self.mark_frame = mark_frame
        self.s = settings
        self.shins: dict[str, Shin] = {}
        self.prev: np.ndarray | None = None
        self.lost: list[TrackingLost] = []
        self.started = False
        self.frame = mark_frame
        #: frames not measured because the shins crossed
        self.crossed_frames: list[int] = []

    # -- bookkeeping
    def _lose(self, shin: Shin, frame: int, reason: str) -> None:
        shin.lost_at = frame
        shin.lost_crossing = any(overlap(shin.polygon(shin.last_good), o.polygon(o.last_good)) > 0
                                 for o in self.shins.values() if o is not shin)
        self.lost.append(TrackingLost(
            f"{shin.side}_shin", frame, reason,
            f"{shin.side} shin lost at frame {frame} ({reason}); if it is not found again, re-mark it: "
            f"--mark-frame {frame} --mark {shin.side}_knee=X,Y --mark {shin.side}_ankle=X,Y "
            f"(with the other leg's points on that frame)",
        ))

    def _found(self, shin: Shin, frame: int) -> None:
        i = max(i for i, x in enumerate(self.lost) if x.point == f"{shin.side}_shin")
        x = self.lost[i]
        self.lost[i] = TrackingLost(x.point, x.frame, x.reason,
                                    f"{shin.side} shin lost at frame {x.frame} ({x.reason}), found again at frame {frame}",
                                    found_again=frame)
        shin.lost_at = None
        shin.turn_rate = 0.0
        shin.probation = self.s.reacquire_confirm_frames

    def _start(self, gray: np.ndarray, frame: int) -> None:
        h, w = gray.shape
        for name, (x, y) in self.marks.items():
            if not (0 <= x < w and 0 <= y < h):
                raise InputError(f"--mark {name}={x:g},{y:g} is outside the {w}x{h} frame")
        for side in SIDES:
            if f"{side}_knee" not in self.marks:
                continue
            knee = np.array(self.marks[f"{side}_knee"], np.float64)
            ankle = np.array(self.marks[f"{side}_ankle"], np.float64)
            if np.hypot(*(ankle - knee)) < self.s.min_mark_distance_px:
                raise InputError(f"the {side} knee and ankle marks are less than {self.s.min_mark_distance_px:g} px apart: "
                                 "mark the knee (crease or below the kneecap) and the ankle (heel or front of the ankle)")
            shin = Shin.from_marks(side, gray, knee, ankle, self.s)
            self.shins[side] = shin
            if float(shin.reference.std()) < self.s.min_strip_contrast:
                shin.refused = True
                self._lose(shin, frame, "no texture along the marked shin: the leg does not stand out from its "
                                        "surroundings (plain clothing on a plain background?)")
        if len(self.shins) == 2:
            a, b = self.shins["left"], self.shins["right"]
            if overlap(a.polygon(), b.polygon()) > self.s.max_overlap_frac:
                raise InputError("the left and right marks are on the same shin (or the shins overlap on the "
                                 "mark frame): mark each leg's own knee and ankle, on a frame where the shins are apart")
        self.started = True

    def _mask(self, gray: np.ndarray, side: Side, ahead: bool = True) -> np.ndarray | None:
        """Image mask hiding the other shin: where it is and (``ahead``) where it is heading."""
        import cv2

        others = [o for o in self.shins.values() if o.side != side and o.lost_at is None]
        if not others:
            return None
        m = np.full(gray.shape, 255, np.uint8)
        for o in others:
            knee, _ = o.ends(o.last_good)
            for wp in (o.last_good, turned_about(o.last_good, knee, o.turn_rate)) if ahead else (o.last_good,):
                cv2.fillConvexPoly(m, o.polygon(wp, self.s.mask_grow_frac).astype(np.int32), 0)
        return m

    def _behind(self, shin: Shin) -> bool:
        """A shin lost while touching the other one, recently: probably still there, hidden."""
        return shin.lost_at is not None and shin.lost_crossing and \
            self.frame - shin.lost_at <= self.s.crossing_memory_frames

    # -- one frame
    def _follow(self, shin: Shin, gray: np.ndarray, prev: np.ndarray, mask: np.ndarray | None,
                prev_mask: np.ndarray | None) -> tuple[np.ndarray, float] | str:
        """New warp and confidence, or why the shin is lost."""
        s = self.s
        prev_strip = shin.sample(prev, shin.warp)
        knee, _ = shin.ends()
        best, start = -2.0, shin.warp
        for d in np.arange(-s.search_deg, s.search_deg + 1e-9, s.search_step_deg):
            w = turned_about(shin.warp, knee, shin.turn_rate + d)
            score = ncc(prev_strip, shin.sample(gray, w))
            if score > best:
                best, start = score, w
        reach = 0.25 * shin.length
        got = ecc_align(prev_strip, gray, start, mask, reach)
        if got is None:
            return "the shin could not be matched to the previous frame"
        cc, warp = got
        if cc < s.min_frame_cc:
            return f"appearance changed (correlation with the previous frame {cc:.2f})"
        keyed = ecc_align(shin.key, gray, warp, mask, reach)
        if keyed is not None and keyed[0] >= s.min_key_cc and shin.shift(keyed[1], warp) < s.max_key_shift_px:
            warp = keyed[1]
        else:
            shin.key = shin.sample(gray, warp)
        back = ecc_align(shin.sample(gray, warp), prev, warp, prev_mask, reach)
        if back is None:
            return "forward-backward check failed"
        fb = shin.shift(back[1], shin.warp)
        if fb > s.max_fb_error_px:
            return f"forward-backward error {fb:.1f} px"
        c = min((cc - s.min_frame_cc) / (1 - s.min_frame_cc), 1 - fb / s.max_fb_error_px)
        return warp, 0.5 + 0.5 * float(np.clip(c, 0, 1))

    def _reacquire(self, shin: Shin, gray: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, float] | None:
        s = self.s
        knee, _ = shin.ends(shin.last_good)
        best, start, tmpl = -2.0, shin.last_good, shin.reference
        for d in np.arange(-s.reacquire_search_deg, s.reacquire_search_deg + 1e-9, s.search_step_deg):
            w = turned_about(shin.last_good, knee, d)
            strip = shin.sample(gray, w)
            for t in (shin.reference, shin.key):
                score = ncc(t, strip)
                if score > best:
                    best, start, tmpl = score, w, t
        got = ecc_align(tmpl, gray, start, mask, 0.25 * shin.length)
        if got is None or got[0] < s.reacquire_min_cc:
            return None
        for o in self.shins.values():  # never where the other shin is (or was, when lost crossing)
            if o is not shin and (o.lost_at is None or self._behind(o)) and \
                    overlap(shin.polygon(got[1]), o.polygon(o.last_good)) > s.max_overlap_frac:
                return None
        return got[1], 0.5

    def update(self, image_rgb: np.ndarray, frame: int) -> dict[str, tuple[np.ndarray, float]]:
        import cv2

        nan = np.array([np.nan, np.nan])
        out = {p: (nan, 0.0) for p in POINTS}
        if frame < self.mark_frame:
            return out
        self.frame = frame
        img = image_rgb if image_rgb.ndim == 3 else image_rgb[..., None].repeat(3, axis=2)
        gray = cv2.cvtColor(np.ascontiguousarray(img[..., :3]), cv2.COLOR_RGB2GRAY).astype(np.float32)
        conf: dict[str, float] = {}
        if not self.started:
            self._start(gray, frame)
            conf = {side: 1.0 for side, sh in self.shins.items() if sh.lost_at is None}
        elif self.prev is not None:
            masks = {side: self._mask(gray, side) for side in self.shins}
            prev_masks = {side: self._mask(gray, side, ahead=False) for side in self.shins}
            for side, shin in self.shins.items():
                if shin.lost_at is None:
                    res = self._follow(shin, gray, self.prev, masks[side], prev_masks[side])
                    if isinstance(res, str):
                        self._lose(shin, frame, res)
                        continue
                    warp, c = res
                    if shin.probation > 0:
                        shin.probation -= 1  # found again: not reported until followed a while
                    else:
                        conf[side] = c
                    shin.turn_rate = warp_angle_deg(warp) - warp_angle_deg(shin.warp)
                    shin.warp = warp
                    shin.last_good = warp.copy()
            for side, shin in self.shins.items():
                if shin.lost_at is not None and shin.lost_at < frame and not shin.refused:
                    res2 = self._reacquire(shin, gray, masks[side])
                    if res2 is not None:
                        shin.warp = res2[0]
                        shin.last_good = res2[0].copy()
                        shin.key = shin.sample(gray, res2[0])
                        self._found(shin, frame)
            # crossing shins: each is aligned on what the other leaves visible, but where
            # they overlap that much neither reading is safe (which leg is in front is unknown)
            # (a shin lost while touching the other counts where it was last seen)
            near = [sh for sh in self.shins.values() if sh.lost_at is None or self._behind(sh)]
            if len(near) == 2 and overlap(*(sh.polygon(sh.last_good) for sh in near)) > self.s.max_overlap_frac:
                self.crossed_frames.append(frame)
                conf = {}
                # a shin that moves onto one lost in the crossing may have taken the other
                # leg: it must be found again by its own look once they are apart
                for sh in near:
                    if sh.lost_at is None and any(self._behind(o) for o in near if o is not sh):
                        self._lose(sh, frame, "crossed the other shin, which was lost there")
        self.prev = gray
        for side, c in conf.items():
            knee, ankle = self.shins[side].ends()
            out[f"{side}_knee"] = (knee, c)
            out[f"{side}_ankle"] = (ankle, c)
        return out

"""Assisted mode: the user marks knee and ankle (or heel) of each leg on one frame; the
points are followed with pyramidal Lucas-Kanade optical flow.

Every step is checked, and a point that fails a check is **lost**: it is NaN from then on
(never a drifted number) and a :class:`TrackingLost` says where to re-mark it.

* forward-backward: tracking the new position back to the previous frame must land within
  ``max_fb_error_px`` of where it started (drift, occlusion, texture-less regions fail);
* appearance: the patch around the point must correlate (normalised cross-correlation) with
  the previous frame's patch (``min_patch_ncc``) and with the patch at the marked frame
  turned by as much as the shin line has turned since (``min_template_ncc``);
* shin length: a leg's two points must stay within ``max_shin_length_change`` of their
  marked distance;
* texture: a marked point needs some texture (smallest eigenvalue of the structure tensor
  over the flow window), else it cannot be tracked.

After each optical-flow step that passes, the point is re-aligned (within
``anchor_reach_px``) to where the marked patch, turned as the shin turned, matches best:
frame-to-frame flow drifts slowly (about 1 deg of overestimated rotation on generated
clips), the marked patch does not. The re-alignment is skipped when the match is weak.

Frames before the marked frame are not tracked (NaN). Marks are pixel coordinates of the
upright frame; left/right are the person's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import TrackingSettings
from ..errors import InputError
from .result import POINTS, TrackingLost


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
    for side in ("left", "right"):
        got = [p for p in (f"{side}_knee", f"{side}_ankle") if p in marks]
        if len(got) == 1:
            missing = f"{side}_ankle" if got[0].endswith("knee") else f"{side}_knee"
            raise InputError(f"--mark {got[0]} needs --mark {missing} too (two points per shin)")
    if not marks:
        raise InputError(
            "assisted tracking needs the knee and ankle of each leg on one frame: "
            "--mark left_knee=X,Y --mark left_ankle=X,Y --mark right_knee=X,Y --mark right_ankle=X,Y [--mark-frame N]"
        )
    return marks


def _gray(image_rgb: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(image_rgb, cv2.COLOR_RGB2GRAY)


def _patch(gray: np.ndarray, xy: np.ndarray, size: int) -> np.ndarray:
    import cv2

    return cv2.getRectSubPix(gray, (size, size), (float(xy[0]), float(xy[1]))).astype(np.float32)


def _patch_turned(gray: np.ndarray, xy: np.ndarray, size: int, degrees: float) -> np.ndarray:
    """The patch around ``xy`` turned back by ``degrees`` (clockwise on screen, as the shin
    turned since the mark), so it can be compared with the marked patch."""
    import cv2

    big = 2 * size + 1
    p = cv2.getRectSubPix(gray, (big, big), (float(xy[0]), float(xy[1]))).astype(np.float32)
    M = cv2.getRotationMatrix2D((big / 2 - 0.5, big / 2 - 0.5), degrees, 1.0)
    p = cv2.warpAffine(p, M, (big, big), flags=cv2.INTER_LINEAR)
    o = (big - size) // 2
    return p[o : o + size, o : o + size]


def anchor_to_template(gray: np.ndarray, xy: np.ndarray, template: np.ndarray, degrees: float, reach: int) -> tuple[np.ndarray, float]:
    """Refine ``xy`` to where the marked patch ``template`` (turned by ``degrees``, as the
    shin turned) matches best within ``reach`` px: removes the slow drift frame-to-frame
    optical flow accumulates. Returns (refined xy, correlation at the best match)."""
    import cv2

    size = template.shape[0]
    region = _patch_turned(gray, xy, size + 2 * reach, degrees)
    res = cv2.matchTemplate(region, template, cv2.TM_CCOEFF_NORMED)
    _, best, _, (bx, by) = cv2.minMaxLoc(res)

    def vertex(m: float, c: float, p: float) -> float:
        d = m - 2 * c + p
        return 0.0 if d >= 0 else 0.5 * (m - p) / d

    dx = bx - reach + (vertex(res[by, bx - 1], res[by, bx], res[by, bx + 1]) if 0 < bx < res.shape[1] - 1 else 0.0)
    dy = by - reach + (vertex(res[by - 1, bx], res[by, bx], res[by + 1, bx]) if 0 < by < res.shape[0] - 1 else 0.0)
    # the offset was measured in the turned-back patch: turn it forward into the image
    a = np.radians(degrees)
    c, s_ = np.cos(a), np.sin(a)
    off = np.array([c * dx - s_ * dy, s_ * dx + c * dy])
    return xy + off, float(best)


def ncc(a: np.ndarray, b: np.ndarray) -> float:
    """Zero-mean normalised cross-correlation of two equal-size patches (-1..1; 0 for a
    flat patch)."""
    a = a - a.mean()
    b = b - b.mean()
    d = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / d) if d > 1e-6 else 0.0


@dataclass
class _Point:
    name: str
    xy: np.ndarray
    template: np.ndarray
    alive: bool = True


class PointTracker:
    """Follows marked points from ``mark_frame`` on. Feed every frame in order to
    :meth:`update`; it returns per point (xy, confidence), NaN/0 when not tracked."""

    def __init__(self, marks: dict[str, tuple[float, float]], mark_frame: int, settings: TrackingSettings) -> None:
        self.marks = marks
        self.mark_frame = mark_frame
        self.s = settings
        self.points: dict[str, _Point] = {}
        self.prev: np.ndarray | None = None
        self.lost: list[TrackingLost] = []
        self.started = False
        self.shin0: dict[str, float] = {}

    def _lose(self, p: _Point, frame: int, reason: str) -> None:
        p.alive = False
        self.lost.append(
            TrackingLost(
                p.name, frame, reason,
                f"{p.name} lost at frame {frame} ({reason}); re-mark at frame {frame}: "
                f"--mark-frame {frame} --mark {p.name}=X,Y (with the other points on that frame)",
            )
        )

    def _start(self, gray: np.ndarray, frame: int) -> None:
        import cv2

        h, w = gray.shape
        # texture over the optical-flow window (camera noise on a plain surface stays ~5x below)
        eig = cv2.cornerMinEigenVal(gray.astype(np.float32) / 255.0, self.s.lk_window_px)
        for name, (x, y) in self.marks.items():
            if not (0 <= x < w and 0 <= y < h):
                raise InputError(f"--mark {name}={x:g},{y:g} is outside the {w}x{h} frame")
            xy = np.array([x, y], np.float64)
            p = _Point(name, xy, _patch(gray, xy, self.s.patch_px))
            self.points[name] = p
            if float(eig[int(y), int(x)]) < self.s.min_texture:
                self._lose(p, frame, "no texture at the marked point: mark a visible edge or spot (e.g. the heel's outline, a skin crease)")
        for side in ("left", "right"):
            k, a = f"{side}_knee", f"{side}_ankle"
            if k in self.points and a in self.points:
                self.shin0[side] = float(np.hypot(*(self.points[a].xy - self.points[k].xy)))
        self.started = True

    def _shin_turn(self, new_xy: dict[str, np.ndarray]) -> dict[str, float]:
        """Per side, how far (degrees, clockwise on screen) the shin line turned since the
        mark, from the new positions of its two points (both must still be tracked)."""
        out = {}
        for side in self.shin0:
            k, a = f"{side}_knee", f"{side}_ankle"
            if k in new_xy and a in new_xy:
                d0 = np.subtract(self.marks[a], self.marks[k])
                d1 = new_xy[a] - new_xy[k]
                out[side] = float(np.degrees(np.arctan2(d1[1], d1[0]) - np.arctan2(d0[1], d0[0])))
        return out

    def update(self, image_rgb: np.ndarray, frame: int) -> dict[str, tuple[np.ndarray, float]]:
        import cv2

        nan = np.array([np.nan, np.nan])
        gray = _gray(image_rgb)
        if frame < self.mark_frame:
            return {p: (nan, 0.0) for p in POINTS}
        conf: dict[str, float] = {}
        if not self.started:
            self._start(gray, frame)
            conf = {n: 1.0 for n, p in self.points.items() if p.alive}
        else:
            alive = [p for p in self.points.values() if p.alive]
            if alive and self.prev is not None:
                p0 = np.array([p.xy for p in alive], np.float32).reshape(-1, 1, 2)
                lk = dict(winSize=(self.s.lk_window_px, self.s.lk_window_px), maxLevel=self.s.lk_levels,
                          criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 0.01))
                p1, st1, _ = cv2.calcOpticalFlowPyrLK(self.prev, gray, p0, None, **lk)
                pb, st2, _ = cv2.calcOpticalFlowPyrLK(gray, self.prev, p1, None, **lk)
                fb = np.hypot(*(pb - p0).reshape(-1, 2).T)
                turn = self._shin_turn({p.name: p1[i, 0].astype(np.float64) for i, p in enumerate(alive)})
                for i, p in enumerate(alive):
                    new = p1[i, 0].astype(np.float64)
                    if not (st1[i, 0] and st2[i, 0]) or not np.isfinite(new).all():
                        self._lose(p, frame, "optical flow found no match")
                        continue
                    if fb[i] > self.s.max_fb_error_px:
                        self._lose(p, frame, f"forward-backward error {fb[i]:.1f} px")
                        continue
                    local = ncc(_patch(self.prev, p.xy, self.s.patch_px), _patch(gray, new, self.s.patch_px))
                    if local < self.s.min_patch_ncc:
                        self._lose(p, frame, f"appearance changed (patch correlation {local:.2f})")
                        continue
                    deg = turn.get(p.name.split("_")[0], 0.0)
                    if self.s.anchor_reach_px > 0:
                        anchored, score = anchor_to_template(gray, new, p.template, deg, self.s.anchor_reach_px)
                        if score >= self.s.min_template_ncc and np.hypot(*(anchored - new)) < self.s.anchor_reach_px:
                            new = anchored
                    tmpl = ncc(p.template, _patch_turned(gray, new, self.s.patch_px, deg))
                    if tmpl < self.s.min_template_ncc:
                        self._lose(p, frame, f"no longer looks like the marked point (correlation {tmpl:.2f})")
                        continue
                    p.xy = new
                    c = min((local - self.s.min_patch_ncc) / (1 - self.s.min_patch_ncc), 1 - fb[i] / self.s.max_fb_error_px)
                    conf[p.name] = 0.5 + 0.5 * float(np.clip(c, 0, 1))
            for side, L0 in self.shin0.items():
                k, a = self.points[f"{side}_knee"], self.points[f"{side}_ankle"]
                if k.alive and a.alive:
                    L = float(np.hypot(*(a.xy - k.xy)))
                    if abs(L / L0 - 1) > self.s.max_shin_length_change:
                        for p in (k, a):
                            self._lose(p, frame, f"shin length changed by {100 * (L / L0 - 1):+.0f} %")
        self.prev = gray
        out = {}
        for name in POINTS:
            p = self.points.get(name)
            if p is not None and p.alive and name in conf:
                out[name] = (p.xy.copy(), conf[name])
            else:
                out[name] = (nan, 0.0)
        return out

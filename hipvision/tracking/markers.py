"""Marker mode: round, saturated, solid-colour stickers found by colour and shape.

Default sticker: a fluorescent GREEN disc 25-40 mm across, two per shin on the shin line as
the camera sees it (prone, camera at the foot end: calf just below the knee crease and back
of the heel/Achilles; seated, camera in front: below the kneecap and front of the ankle).

Per frame, :func:`detect_markers` finds candidate blobs: pixels within the colour's HSV
range, then outlines that are round (circularity), solid (fill of the enclosing circle),
big enough (glare and specks are small) and saturated. :class:`MarkerTracker` starts on
the first frame showing four stickers arranged as two near-vertical shins, assigns them to
the person's sides and to knee (proximal) / ankle (distal), then follows each sticker from
frame to frame (nearest candidate within a search radius, one candidate per sticker; only
the region the stickers can reach is searched, and when all four have been missing for
``reinit_after_missed_frames`` frames the search starts again on the whole frame). A
sticker that is missing, partly covered (area or shape off) or implausible (shin length off)
is NaN for that frame, never a guess.

Sides (the caller says which view): prone from the foot end, the person's left is on the
image LEFT; seated facing the camera, the person's left is on the image RIGHT.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from ..config import MARKER_COLORS, MarkerColor, TrackingSettings
from ..errors import InputError
from ..geometry import IMAGE_DOWN, IMAGE_UP, signed_angle
from ..landmarks import SIDES
from .result import POINTS, person_left_on_image_left, shin_points_up


@dataclass(frozen=True)
class Blob:
    """A sticker candidate: centre (px, sub-pixel), equivalent radius, shape and colour."""

    x: float
    y: float
    radius: float  # sqrt(area / pi), px
    area: float
    circularity: float  # 4 pi A / P^2 (1 = disc)
    fill: float  # area / enclosing-circle area
    saturation: float  # mean S (0..255) inside

    @property
    def xy(self) -> np.ndarray:
        return np.array([self.x, self.y])


def marker_color(name: str) -> MarkerColor:
    try:
        return MARKER_COLORS[name]
    except KeyError:
        raise InputError(f"unknown marker colour '{name}' (known: {', '.join(MARKER_COLORS)})") from None


def color_mask(image_rgb: np.ndarray, color: MarkerColor) -> tuple[np.ndarray, np.ndarray]:
    """(mask uint8 0/255 of pixels of the sticker colour, HSV image)."""
    import cv2

    hsv = cv2.cvtColor(image_rgb, cv2.COLOR_RGB2HSV)
    mask = np.zeros(hsv.shape[:2], np.uint8)
    for lo, hi in color.hue_ranges:
        mask |= cv2.inRange(hsv, (lo, color.min_saturation, color.min_value), (hi, 255, 255))
    return mask, hsv


def detect_markers(
    image_rgb: np.ndarray, color: MarkerColor, settings: TrackingSettings,
    roi: tuple[int, int, int, int] | None = None,
) -> list[Blob]:
    """Sticker candidates in one RGB frame (or only in ``roi`` = x0, y0, x1, y1; positions
    stay in full-frame pixels), largest first. Rejects specks and glare (too small),
    stripes and blotches (not round), mostly covered discs (not solid) and pale surfaces
    (not saturated)."""
    import cv2

    w = image_rgb.shape[1]
    ox = oy = 0
    if roi is not None:
        ox, oy, x1, y1 = roi
        image_rgb = image_rgb[oy:y1, ox:x1]
    mask, hsv = color_mask(image_rgb, color)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))  # fill glare pin-holes
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    r_min = settings.min_marker_radius_px
    r_max = settings.max_marker_radius_frac * w
    out: list[Blob] = []
    for c in contours:
        area = float(cv2.contourArea(c))
        if area < np.pi * r_min**2 or area > np.pi * r_max**2:
            continue
        perim = float(cv2.arcLength(c, True))
        circ = 4 * np.pi * area / perim**2 if perim > 0 else 0.0
        (_, _), rc = cv2.minEnclosingCircle(c)
        fill = area / (np.pi * rc**2) if rc > 0 else 0.0
        # small discs have jagged outlines: relax the shape tests below ~5 px radius
        r = float(np.sqrt(area / np.pi))
        slack = 0.15 if r < 5 else 0.0
        if circ < settings.min_circularity - slack or fill < settings.min_fill - slack:
            continue
        m = cv2.moments(c)
        if m["m00"] <= 0:
            continue
        x0, y0, bw, bh = cv2.boundingRect(c)
        inside = np.zeros((bh, bw), np.uint8)
        cv2.drawContours(inside, [c - [x0, y0]], -1, 255, -1)
        sat = float(hsv[y0 : y0 + bh, x0 : x0 + bw, 1][inside > 0].mean())
        if sat < color.min_saturation:
            continue
        out.append(Blob(ox + m["m10"] / m["m00"], oy + m["m01"] / m["m00"], r, area, min(circ, 1.0), min(fill, 1.0), sat))
    out.sort(key=lambda b: -b.area)
    return out


def _shape_score(b: Blob, settings: TrackingSettings) -> float:
    """0..1: how clearly the blob is a face-on disc."""
    c = (b.circularity - settings.min_circularity) / (1.0 - settings.min_circularity)
    f = (b.fill - settings.min_fill) / (1.0 - settings.min_fill)
    return float(np.clip(min(c, f), 0.0, 1.0))


@dataclass
class _Track:
    name: str
    xy: np.ndarray
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(2))
    areas: list[float] = field(default_factory=list)
    missed: int = 0

    @property
    def area(self) -> float:
        return float(np.median(self.areas[-30:]))


@dataclass(frozen=True)
class FrameMarkers:
    """Result of one frame: position (NaN = missing) and confidence (0 = missing) per point,
    and how many candidates were rejected as not part of the shins."""

    xy: dict[str, np.ndarray]
    confidence: dict[str, float]
    candidates: int


class MarkerTracker:
    """Frame-to-frame tracker of four stickers (two per shin). Feed frames in order with
    :meth:`update`; ``test`` ('prone' or 'seated') fixes the view conventions (see the
    module docstring)."""

    def __init__(self, test: str, settings: TrackingSettings, color: str | None = None) -> None:
        self.test = test
        self.settings = settings
        self.color = marker_color(color or settings.marker_color)
        self.left_on_image_left = person_left_on_image_left(test)
        self.up = IMAGE_UP if shin_points_up(test) else IMAGE_DOWN
        self.tracks: dict[str, _Track] | None = None
        self.shin_len: dict[str, float] = {}
        #: neutral places (see :meth:`_home`): knees in px, ankles as offsets from their knee
        self.home: dict[str, np.ndarray] = {}
        self.init_frame: int | None = None
        self.rejected = {"area_change": 0, "shin_length": 0, "not_found": 0, "identity_ambiguous": 0}
        self.restarts = 0

    # ------------------------------------------------------------------ start
    def _initialise(self, blobs: list[Blob]) -> dict[str, Blob] | None:
        """Pick four candidates forming two near-vertical shins; None if none do."""
        cands = blobs[:8]
        if len(cands) < 4:
            return None
        best: tuple[float, dict[str, Blob]] | None = None
        for four in itertools.combinations(cands, 4):
            for pairing in (((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2))):
                shins = []
                cost = 0.0
                for i, j in pairing:
                    a, b = four[i], four[j]
                    # knee = the end the shin starts from (below the ankle when prone)
                    knee, ankle = (a, b) if (b.xy - a.xy) @ self.up > 0 else (b, a)
                    seg = ankle.xy - knee.xy
                    length = float(np.hypot(*seg))
                    if length < 4 * max(a.radius, b.radius):
                        cost = np.inf
                        break
                    tilt = abs(float(signed_angle(seg, self.up)))
                    cost += tilt
                    shins.append((knee, ankle, length, tilt))
                if not np.isfinite(cost) or max(s[3] for s in shins) > self.settings.init_max_tilt_deg:
                    continue
                l1, l2 = shins[0][2], shins[1][2]
                radii = [b.radius for b in four]
                cost += 30 * abs(np.log(l1 / l2)) + 20 * float(np.std(radii) / np.mean(radii))
                # the two shins side by side, not one above the other
                mid = [(s[0].xy + s[1].xy) / 2 for s in shins]
                if abs(mid[0][0] - mid[1][0]) < 0.2 * min(l1, l2):
                    continue
                if best is None or cost < best[0]:
                    shins.sort(key=lambda s: (s[0].x + s[1].x))
                    image_left, image_right = shins
                    left, right = (image_left, image_right) if self.left_on_image_left else (image_right, image_left)
                    best = (cost, {"left_knee": left[0], "left_ankle": left[1], "right_knee": right[0], "right_ankle": right[1]})
        return None if best is None else best[1]

    # ------------------------------------------------------------------ per frame
    def update(self, image_rgb: np.ndarray, frame: int) -> FrameMarkers:
        s = self.settings
        if self.tracks is not None and all(t.missed >= s.reinit_after_missed_frames for t in self.tracks.values()):
            self.tracks = None  # all stickers gone for a while (person moved?): start again
            self.restarts += 1
        blobs = detect_markers(image_rgb, self.color, s, self._roi(image_rgb.shape))
        nan = {p: np.array([np.nan, np.nan]) for p in POINTS}
        if self.tracks is None:
            init = self._initialise(blobs)
            if init is None:
                return FrameMarkers(nan, {p: 0.0 for p in POINTS}, len(blobs))
            self.tracks = {p: _Track(p, b.xy.copy(), areas=[b.area]) for p, b in init.items()}
            for side in SIDES:
                self.shin_len[side] = float(np.hypot(*(init[f"{side}_ankle"].xy - init[f"{side}_knee"].xy)))
            for side in ("left", "right"):
                self.home[f"{side}_knee"] = init[f"{side}_knee"].xy.copy()
                self.home[f"{side}_ankle"] = init[f"{side}_ankle"].xy - init[f"{side}_knee"].xy
            self.init_frame = frame
            matched = init
        else:
            matched = self._match(blobs)
        xy, conf = dict(nan), {p: 0.0 for p in POINTS}
        for p, b in matched.items():
            t = self.tracks[p]
            size = 1.0 - abs(np.log(b.area / t.area)) / np.log(s.max_area_change)
            conf[p] = 0.5 + 0.5 * float(np.clip(min(_shape_score(b, s), size), 0.0, 1.0))
            xy[p] = b.xy
        # a shin whose sticker distance is off is a wrong match or a covered sticker: drop it
        for side in SIDES:
            k, a = f"{side}_knee", f"{side}_ankle"
            if k in matched and a in matched:
                length = float(np.hypot(*(xy[a] - xy[k])))
                if abs(length / self.shin_len[side] - 1) > s.max_shin_length_change:
                    self.rejected["shin_length"] += 1
                    for p in (k, a):
                        matched.pop(p)
                        xy[p], conf[p] = nan[p], 0.0
                else:
                    self.shin_len[side] = 0.95 * self.shin_len[side] + 0.05 * length
        for p, t in self.tracks.items():
            if p in matched:
                new = matched[p].xy
                t.velocity = (new - t.xy) / (t.missed + 1)
                t.xy = new.copy()
                t.areas.append(matched[p].area)
                t.missed = 0
            else:
                t.missed += 1
                self.rejected["not_found"] += 1
        return FrameMarkers(xy, conf, len(blobs))

    def _search_radius(self, t: _Track) -> float:
        s = self.settings
        growth = min(1.0 + s.step_growth_per_miss * t.missed, 2.0)
        return max(s.max_step_frac * self.shin_len[t.name.split("_")[0]], 3.0) * growth

    def _roi(self, shape: tuple[int, ...]) -> tuple[int, int, int, int] | None:
        """Once tracking runs, only the region the stickers can reach is searched."""
        if self.tracks is None:
            return None
        h, w = shape[:2]
        lo, hi = np.array([np.inf, np.inf]), np.array([-np.inf, -np.inf])
        for t in self.tracks.values():
            m = self._search_radius(t) + 4 * np.sqrt(t.area / np.pi) + 4
            for c in (t.xy, self._predict(t)):
                lo, hi = np.minimum(lo, c - m), np.maximum(hi, c + m)
        x0, y0 = max(int(lo[0]), 0), max(int(lo[1]), 0)
        x1, y1 = min(int(np.ceil(hi[0])), w), min(int(np.ceil(hi[1])), h)
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    def _predict(self, t: _Track) -> np.ndarray:
        """Where the sticker would be now had it kept its last velocity (carried on for at
        most ``lost_predict_frames`` frames while it is missing, and at most
        ``max_lost_path_frac`` of the shin length)."""
        s = self.settings
        step = t.velocity * min(t.missed + 1, s.lost_predict_frames)
        reach = s.max_lost_path_frac * self.shin_len[t.name.split("_")[0]]
        n = float(np.hypot(*step))
        return t.xy + (step if n <= reach or t.missed == 0 else step * reach / n)

    def _home(self, name: str, matched: dict[str, Blob]) -> np.ndarray:
        """The sticker's place in the neutral pose the test starts from and returns to: a
        knee where it was when tracking started, an ankle at its start offset from its own
        knee (where that knee is now, or was last seen)."""
        side, part = name.split("_")
        if part == "knee":
            return self.home[name]
        knee = f"{side}_knee"
        assert self.tracks is not None
        at = matched[knee].xy if knee in matched else self.tracks[knee].xy
        return at + self.home[name]

    def _distance(self, t: _Track, xy: np.ndarray, matched: dict[str, Blob]) -> float:
        """Distance (px) of ``xy`` from where the sticker can be. Seen in the last frame: its
        prediction. Missing: the path from its last place to :meth:`_predict` (a sticker
        hidden mid-turn may have turned on or stopped), or its neutral place (:meth:`_home`:
        the leg went back to rest while hidden), whichever is nearer."""
        end = self._predict(t)
        if t.missed == 0:
            return float(np.hypot(*(xy - end)))
        seg = end - t.xy
        L2 = float(seg @ seg)
        u = 0.0 if L2 == 0 else float(np.clip((xy - t.xy) @ seg / L2, 0.0, 1.0))
        path = float(np.hypot(*(xy - t.xy - u * seg)))
        return min(path, float(np.hypot(*(xy - self._home(t.name, matched)))))

    def _match(self, blobs: list[Blob]) -> dict[str, Blob]:
        """One candidate per tracked sticker: nearest to the prediction, within the search
        radius, with a consistent area.

        Identity (a sticker found again after being missing must be given to its own leg,
        e.g. an ankle sticker hidden while the other shin crossed over it): stickers seen in
        the previous frame are matched first and keep their candidates; the missing ones
        then share what is left (by :meth:`_distance`). In both rounds a pick is kept only
        if it cannot as well be the other leg's same sticker (:meth:`_identity_ok`);
        candidates failing this are left out (NaN) and counted as ``identity_ambiguous``."""
        from scipy.optimize import linear_sum_assignment

        assert self.tracks is not None
        s = self.settings
        if not blobs:
            return {}
        gate = np.log(s.max_area_change)
        out: dict[str, Blob] = {}
        wrong_size: dict[str, bool] = {}
        free = list(range(len(blobs)))
        seen = [p for p, t in self.tracks.items() if t.missed == 0]
        lost = [p for p, t in self.tracks.items() if t.missed > 0]
        for names in (seen, lost):
            cost = np.full((len(names), len(free)), 1e9)
            for i, p in enumerate(names):
                t = self.tracks[p]
                radius = self._search_radius(t)
                wrong_size[p] = False
                for jj, j in enumerate(free):
                    b = blobs[j]
                    if self._distance(t, b.xy, out) > radius:
                        continue
                    if abs(np.log(b.area / t.area)) <= gate:
                        cost[i, jj] = self._distance(t, b.xy, out)
                    else:
                        wrong_size[p] = True
            if not names or not free:
                continue
            rows, cols = linear_sum_assignment(cost)
            got = {names[i]: blobs[free[jj]] for i, jj in zip(rows, cols) if cost[i, jj] < 1e9}
            for p in [p for p in got if not self._identity_ok(p, got, out)]:
                self.rejected["identity_ambiguous"] += 1
                got.pop(p)
            out.update(got)
            free = [j for j in free if not any(blobs[j] is b for b in got.values())]
        # something near but of the wrong size: partly covered, merged, a reflection
        self.rejected["area_change"] += int(sum(w for p, w in wrong_size.items() if p not in out))
        return out

    def _identity_ok(self, name: str, picked: dict[str, Blob], matched: dict[str, Blob]) -> bool:
        """Is the candidate ``picked[name]`` the sticker ``name`` and not the other leg's
        same sticker (its twin)? ``picked``: this round's picks (stickers seen in the
        previous frame, or the missing ones); ``matched``: picks of the earlier round.

        * The twin picked in the same round: the two picks must explain the two candidates
          clearly better than the two swapped (``identity_margin`` times smaller summed
          distance), else both are left out (two stickers crossing).
        * The twin in the same round and left without a candidate: this one must be
          ``identity_margin`` times nearer this sticker than the twin (one sticker hides
          the other, or a hidden one is found again where the other leg's is expected).
        * Found again after being missing: the shin it makes with its leg's other sticker
          may have turned at most ``max_turn_deg_per_frame`` per frame since this sticker
          was last seen."""
        assert self.tracks is not None
        s = self.settings
        side, part = name.split("_")
        own = self.tracks[name]
        twin = self.tracks[f"{'right' if side == 'left' else 'left'}_{part}"]
        blob = picked[name]
        d_own = self._distance(own, blob.xy, matched)
        if twin.name in picked:
            other_blob = picked[twin.name]
            direct = d_own + self._distance(twin, other_blob.xy, matched)
            swapped = self._distance(own, other_blob.xy, matched) + self._distance(twin, blob.xy, matched)
            if swapped < s.identity_margin * direct:
                return False
        elif twin.name not in matched and (twin.missed > 0) == (own.missed > 0):
            d_twin = self._distance(twin, blob.xy, matched)
            if d_twin <= self._search_radius(twin) and d_twin < s.identity_margin * d_own:
                return False
        if own.missed == 0:
            return True
        other = self.tracks[f"{side}_{'ankle' if part == 'knee' else 'knee'}"]
        anchor = matched[other.name].xy if other.name in matched else (
            picked[other.name].xy if other.name in picked else other.xy)
        old_seg = (own.xy - other.xy) if part == "ankle" else (other.xy - own.xy)
        new_seg = (blob.xy - anchor) if part == "ankle" else (anchor - blob.xy)
        turn = abs(float(signed_angle(new_seg, old_seg)))
        return turn <= s.max_turn_deg_per_frame * (own.missed + 1)

"""Whole-skeleton plausibility gate: frames whose skeleton no body can take are found and
left out before any number is computed.

The pose model sometimes returns such a skeleton with high confidence: the legs drawn on the
arms, a thigh half again as long as in every other frame, the left and right legs swapped for
a few frames, a knee thrown across the picture and back. Every check compares a frame with
the clip itself (no population norms), so it works at any size, distance and frame rate:

* **segment lengths** (thigh, shin, hip width, trunk): in the world landmarks (metres; they
  do not foreshorten) against their median over the clip, either way (the hip width against
  a high percentile: the pose model's failure there is to draw the two hips together, which
  can hold for most of a clip); in the image only too long (foreshortening only shortens)
  against their 90th percentile;
* **jumps**: a hip, knee, ankle or shoulder further from the median of its own track over a
  short window than a body moving at a physiological top speed could get, or one frame off
  the midpoint of its two (agreeing) neighbours by more than that speed allows;
* **leg on an arm**: a knee or ankle on a wrist or elbow while far from where it is the
  rest of the time;
* **sides swapped** (only when asked, frontal views): hips (knees) in the reverse left-right
  order. The rotation tests swap such frames back instead (:mod:`hipvision.sides`).

A failed check rejects one leg (its hip, knee, ankle, heel and toe) or the whole skeleton in
that frame; :func:`hipvision.cleaning.clean_and_check` sets them to NaN before gap filling
and filtering, so no number and no chart uses them. Pure numpy; image pixels and world
metres; left/right are the person's. The unit of distance and speed is the clip's leg length
in the image (90th percentile of thigh plus shin).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .config import PlausibilitySettings
from .errors import AnalysisError
from .landmarks import LANDMARK_INDEX, SIDES, Side
from .results import QualityWarning
from .sides import reversed_order

#: the landmarks a rejected leg loses
LEG_PARTS = ("hip", "knee", "ankle", "heel", "foot_index")
#: reasons in report order, with the words a message uses
REASONS = {
    "segment_length": "segment lengths",
    "jump": "jumps",
    "leg_on_arm": "legs on an arm",
    "sides_swapped": "left and right swapped",
}
#: a length or track needs this many frames to calibrate against
MIN_FRAMES = 5


def _i(name: str) -> int:
    return LANDMARK_INDEX[name]


@dataclass(frozen=True)
class PoseCheck:
    """What the gate rejected. ``leg[side]`` (N,): that leg's landmarks are left out;
    ``body`` (N,): the whole skeleton is; ``reasons``: per reason, (N,) frames where any
    part failed it; ``checked`` (N,): frames with a person (a hip, knee or ankle seen)."""

    body: np.ndarray
    leg: dict[str, np.ndarray]
    reasons: dict[str, np.ndarray]
    checked: np.ndarray

    @classmethod
    def none(cls, n: int, checked: np.ndarray | None = None) -> "PoseCheck":
        z = np.zeros(n, bool)
        return cls(z, {s: z for s in SIDES}, {r: z for r in REASONS}, z if checked is None else checked)

    @property
    def doubtful(self) -> np.ndarray:
        """(N,) frames with any part rejected."""
        return self.body | self.leg["left"] | self.leg["right"]

    def side_doubtful(self, side: Side) -> np.ndarray:
        """(N,) frames where ``side``'s leg was left out (alone or with the whole skeleton)."""
        return self.body | self.leg[side]

    def share(self) -> float:
        """Share of the frames with a person that had a part rejected (0..1)."""
        n = int(self.checked.sum())
        return float((self.doubtful & self.checked).sum()) / n if n else 0.0

    def reject(self, values: np.ndarray) -> np.ndarray:
        """``values`` (N, 33, ...) with the rejected landmarks set to NaN (a copy)."""
        out = np.array(values, dtype=np.float64, copy=True)
        out[self.body] = np.nan
        for s in SIDES:
            idx = [_i(f"{s}_{p}") for p in LEG_PARTS]
            rows = np.flatnonzero(self.leg[s])
            out[rows[:, None], idx] = np.nan
        return out

    def describe(self) -> str:
        """The reasons with their share of frames, e.g. "segment lengths 3 %, jumps 1 %"."""
        n = max(int(self.checked.sum()), 1)
        parts = [f"{words} {100 * float(self.reasons[r].sum()) / n:.0f} %" for r, words in REASONS.items() if self.reasons[r].any()]
        return ", ".join(parts) if parts else "none"

    def to_dict(self) -> dict[str, object]:
        """The report's ``pose_check`` section."""
        return {
            "frames_checked": int(self.checked.sum()),
            "doubtful_frames": int((self.doubtful & self.checked).sum()),
            "doubtful_pct": round(100 * self.share(), 1),
            "reasons": {r: int(self.reasons[r].sum()) for r in REASONS},
        }


# --------------------------------------------------------------------------- lengths


def _segments(a: np.ndarray) -> dict[str, list[np.ndarray]]:
    """(N,) lengths of the thigh and shin per side and of the hip width and trunk
    ("body"), from landmark positions ``a`` (N, 33, 2 or 3)."""

    def between(p: str, q: str) -> np.ndarray:
        return np.linalg.norm(a[:, _i(p)] - a[:, _i(q)], axis=-1)

    shoulders = (a[:, _i("left_shoulder")] + a[:, _i("right_shoulder")]) / 2
    hips = (a[:, _i("left_hip")] + a[:, _i("right_hip")]) / 2
    out: dict[str, list[np.ndarray]] = {
        s: [between(f"{s}_hip", f"{s}_knee"), between(f"{s}_knee", f"{s}_ankle")] for s in SIDES
    }
    out["body"] = [between("left_hip", "right_hip"), np.linalg.norm(shoulders - hips, axis=-1)]
    return out


def inconsistent_lengths(
    length: np.ndarray, min_ratio: float, max_ratio: float, noise_k: float, percentile: float = 50.0
) -> np.ndarray:
    """(N,) True where ``length`` is below ``min_ratio`` or above ``max_ratio`` times its
    ``percentile`` over the clip (the median by default). Both bounds widen to ``noise_k``
    times the relative frame-to-frame scatter of the length when that is wider (1 -+ that)."""
    ok = np.isfinite(length)
    if ok.sum() < MIN_FRAMES:
        return np.zeros(len(length), bool)
    med = float(np.percentile(length[ok], percentile))
    if med <= 0:
        return np.zeros(len(length), bool)
    d = np.diff(length[ok])
    scatter = 1.4826 * float(np.median(np.abs(d - np.median(d)))) / np.sqrt(2) / med
    wide = noise_k * scatter
    q = np.where(ok, length / med, 1.0)
    return (q > max(max_ratio, 1.0 + wide)) | (q < min(min_ratio, 1.0 - wide))


def too_long(length: np.ndarray, max_ratio: float, percentile: float, min_excess: float = 0.0) -> np.ndarray:
    """(N,) True where ``length`` exceeds ``max_ratio`` times its ``percentile`` over the
    clip, and that percentile by more than ``min_excess``."""
    ok = np.isfinite(length)
    if ok.sum() < MIN_FRAMES:
        return np.zeros(len(length), bool)
    ref = float(np.percentile(length[ok], percentile))
    x = np.where(ok, length, 0.0)
    return ok & (x > max_ratio * ref) & (x > ref + min_excess)


def leg_length(xy: np.ndarray, percentile: float = 90.0) -> float:
    """The clip's leg length in the image (px): ``percentile`` of the thigh plus that of the
    shin, averaged over the sides (a side without a thigh counts its shin twice); NaN when
    no shin is seen."""
    segs = _segments(xy)
    legs = []
    for s in SIDES:
        thigh, shin = segs[s]
        if np.isfinite(shin).sum() < MIN_FRAMES:
            continue
        sh = float(np.nanpercentile(shin, percentile))
        th = float(np.nanpercentile(thigh, percentile)) if np.isfinite(thigh).sum() >= MIN_FRAMES else sh
        legs.append(sh + th)
    return float(np.mean(legs)) if legs else float("nan")


# --------------------------------------------------------------------------- jumps


def rolling_median(p: np.ndarray, half: int) -> np.ndarray:
    """(N, D) median of each coordinate of ``p`` (N, D) over the samples within ``half`` of
    each one (NaN ignored); NaN where fewer than 3 are finite."""
    n = len(p)
    pad = np.full((half,) + p.shape[1:], np.nan)
    win = np.lib.stride_tricks.sliding_window_view(np.concatenate([pad, p, pad]), 2 * half + 1, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows: NaN, as wanted
        med = np.nanmedian(win, axis=-1)
    enough = np.isfinite(win).all(axis=1).sum(axis=-1) >= 3 if p.ndim > 1 else np.isfinite(win).sum(axis=-1) >= 3
    med[~enough[:n]] = np.nan
    return med


def jumped(t: np.ndarray, p: np.ndarray, leg: float, s: PlausibilitySettings) -> np.ndarray:
    """(N,) True where the track ``p`` (N, 2, px) moves faster than ``max_speed_leg_per_s``
    (times ``leg``, px) allows: further in x or y from its rolling median than that speed can
    take it, or a one-frame spike off its neighbours' midpoint. A track sampled evenly and
    never faster than that is never flagged."""
    n = len(p)
    out = np.zeros(n, bool)
    if n < 3 or np.isfinite(p).all(axis=1).sum() < MIN_FRAMES:
        return out
    dt = float(np.median(np.diff(t)))
    v = s.max_speed_leg_per_s * leg  # px/s
    half = max(1, int(round(0.5 * s.jump_window_s / dt)))
    # a coordinate changing at most v per second lies within v dt ceil(half / 2) of the
    # median of its samples within +-half (the worst case: a reversal in the middle), also
    # at the clip's ends where the window is one-sided
    dev = np.max(np.abs(p - rolling_median(p, half)), axis=1)
    with np.errstate(invalid="ignore"):
        out |= dev > v * dt * -(-half // 2)
    # a single frame off its neighbours, which agree with each other
    prev, cur, nxt = p[:-2], p[1:-1], p[2:]
    span = t[2:] - t[:-2]
    floor = s.min_spike_leg * leg
    off = np.linalg.norm(cur - (prev + nxt) / 2, axis=1)
    agree = np.linalg.norm(nxt - prev, axis=1)
    with np.errstate(invalid="ignore"):
        out[1:-1] |= (off > np.maximum(v * span / 2, floor)) & (agree <= np.maximum(v * span, floor))
    return out


def on_arm(t: np.ndarray, xy: np.ndarray, j: int, leg: float, s: PlausibilitySettings) -> np.ndarray:
    """(N,) True where landmark ``j`` lies on a wrist or elbow (either side) while far from
    the median of its own track over ``arm_window_s``."""
    arms = [_i(f"{side}_{p}") for side in SIDES for p in ("wrist", "elbow")]
    p = xy[:, j]
    with np.errstate(invalid="ignore"):
        near = np.nanmin(np.linalg.norm(xy[:, arms] - p[:, None], axis=-1), axis=1, initial=np.inf) < s.arm_radius_leg * leg
    out = np.zeros(len(p), bool)
    if not near.any() or len(t) < 2:
        return out
    half = max(1, int(round(0.5 * s.arm_window_s / float(np.median(np.diff(t))))))
    for k in np.flatnonzero(near):
        w = p[max(0, k - half) : k + half + 1]
        w = w[np.isfinite(w).all(axis=1)]
        if len(w) >= MIN_FRAMES:
            out[k] = np.linalg.norm(p[k] - np.median(w, axis=0)) > s.arm_displacement_leg * leg
    return out


# --------------------------------------------------------------------------- the gate


def check_pose(
    t: np.ndarray,
    xy: np.ndarray,
    world: np.ndarray,
    settings: PlausibilitySettings,
    swap_parts: tuple[str, ...] = (),
) -> PoseCheck:
    """Check every frame of a clip. ``t`` (N,) s; ``xy`` (N, 33, 2) px and ``world``
    (N, 33, 3) m with unseen landmarks already NaN (the visibility gate); ``swap_parts``:
    the parts whose left-right order is checked ("hip", "knee"), none by default."""
    n = len(t)
    lower = [_i(f"{s}_{p}") for s in SIDES for p in ("hip", "knee", "ankle")]
    checked = np.isfinite(xy[:, lower, 0]).any(axis=1)
    leg = leg_length(xy, settings.image_length_percentile)
    if not settings.enabled or n < MIN_FRAMES or not np.isfinite(leg) or leg <= 0:
        return PoseCheck.none(n, checked)
    reasons = {r: np.zeros(n, bool) for r in REASONS}
    parts = {g: np.zeros(n, bool) for g in (*SIDES, "body")}

    def fail(reason: str, group: str, mask: np.ndarray) -> None:
        reasons[reason] |= mask
        parts[group] |= mask

    # segment lengths: world (both ways) where the model gave a 3-D skeleton, image (too long)
    flat = not np.isfinite(world[..., 2]).any() or np.nanmax(np.abs(world[..., 2])) == 0
    world_segs = None if flat else _segments(world)
    for group, segs in _segments(xy).items():
        for k, length in enumerate(segs):
            stretched = too_long(length, settings.max_image_length_ratio, settings.image_length_percentile, settings.min_stretch_leg * leg)
            fail("segment_length", group, stretched)
            if world_segs is not None:
                hip_width = group == "body" and k == 0
                fail("segment_length", group, inconsistent_lengths(
                    world_segs[group][k], settings.min_world_length_ratio, settings.max_world_length_ratio, settings.world_length_noise_k,
                    settings.world_hip_width_percentile if hip_width else 50.0,
                ))
    # jumps: the legs' joints reject their leg, the shoulders the whole skeleton
    for s in SIDES:
        for p in ("hip", "knee", "ankle"):
            fail("jump", s, jumped(t, xy[:, _i(f"{s}_{p}")], leg, settings))
        fail("jump", "body", jumped(t, xy[:, _i(f"{s}_shoulder")], leg, settings))
        for p in ("knee", "ankle"):
            fail("leg_on_arm", s, on_arm(t, xy, _i(f"{s}_{p}"), leg, settings))
    # left/right order, in views where the hips are clearly apart
    hips = xy[:, _i("left_hip")] - xy[:, _i("right_hip")]
    ok = np.isfinite(hips).all(axis=1)
    if swap_parts and ok.sum() >= MIN_FRAMES and np.hypot(*np.median(hips[ok], axis=0)) >= settings.swap_min_hip_width_leg * leg:
        for p in swap_parts:
            d = xy[:, _i(f"left_{p}")] - xy[:, _i(f"right_{p}")]
            fail("sides_swapped", "body", reversed_order(d, settings.swap_min_separation))
    leg_masks = {s: parts[s] & checked for s in SIDES}
    return PoseCheck(parts["body"] & checked, leg_masks, {r: m & checked for r, m in reasons.items()}, checked)


# --------------------------------------------------------------------------- verdicts


def refuse_if_unreliable(check: PoseCheck, settings: PlausibilitySettings) -> None:
    """Raise :class:`AnalysisError` when more than ``refuse_share`` of the frames with a
    person were rejected: numbers from the rest would not describe the clip."""
    share = check.share()
    if share > settings.refuse_share:
        raise AnalysisError(
            f"the pose could not be followed reliably: in {100 * share:.0f} % of the frames with a person the "
            f"skeleton is one no body can take ({check.describe()} of the frames). Film the whole body, "
            "alone in the picture, in good light and with the camera still"
        )


def doubtful_warning(check: PoseCheck, affected: list[str], settings: PlausibilitySettings) -> QualityWarning | None:
    """The ``doubtful_pose`` warning (value: % of the frames with a person that had a part
    rejected) when a number rests on rejected frames (``affected`` names them, e.g.
    "rep 2") or more than ``doubtful_clip_warn_share`` of the clip was rejected; else None."""
    share = check.share()
    if not affected and share <= settings.doubtful_clip_warn_share:
        return None
    msg = (
        f"the skeleton was implausible in {100 * share:.0f} % of the frames ({check.describe()}); "
        "those landmarks were left out of every number and chart"
    )
    if affected:
        msg += (
            f". {', '.join(affected)} rest{'s' if len(affected) == 1 else ''} on such frames (bridged over or "
            "missing there): check them in the annotated video"
        )
    return QualityWarning("doubtful_pose", msg, round(100 * share, 1))


def rests_on(rejected: np.ndarray, used: np.ndarray, max_share: float) -> bool:
    """True when more than ``max_share`` of the frames from the first to the last ``used``
    one (N,) (the gaps between them included) are ``rejected`` (N,)."""
    idx = np.flatnonzero(used)
    return bool(idx.size) and float(rejected[idx[0] : idx[-1] + 1].mean()) > max_share

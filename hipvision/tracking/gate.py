"""Model mode's plausibility gate: accept the pose model's knee/ankle points only where they
make sense for a rotation test. Pure numpy.

Checks (per side unless noted; a failed frame check blanks that side's knee and ankle in
that frame, a failed clip check rejects the side):

* ``visibility``: knee and ankle visibility at least ``gate_min_visibility`` (frame).
* ``shin_length``: knee-ankle distance within ``gate_max_length_change`` of its median (frame).
* ``jump``: knee and ankle within ``gate_max_jump_frac`` of the shin of their moving
  median over ``gate_jump_window`` frames (the model's points hop between frames; frame).
* ``thigh_length``: hip-knee distance within the same share of the median shin of its own
  median, when hips are known (frame).
* ``left_right_order`` (both sides): the knees in the order the camera placement implies
  (prone from the foot end: the person's left on the image left; seated from the front: on
  the image right) and on the same sides as the hips (frame). This judges the labels as the
  model gives them: in a mirrored video the model (like the marker tracker) labels the legs
  as if it were not mirrored, and the analyzer's ``mirrored`` setting swaps them afterwards.
* ``collapsed``: the median shin shorter than ``gate_min_shin_frac`` of the image height
  (a skeleton folded onto itself; clip).
* ``neutral_start``: the median shin over the first ``neutral_start_within_s`` seconds of
  accepted frames within ``gate_max_start_tilt_deg`` of the image vertical (prone: ankle
  above knee; seated: below; clip).

The gate passes when every side keeps knee+ankle in at least ``min_usable_fraction`` of the
frames and, prone, no side's knee/ankle fail any frame check in more than
``gate_max_failed_share_prone`` of the frames they were found in (``failed_share``: on the
rendered prone clips the frames that passed were wrong too; seated has no such limit, see
``hipvision/config.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..config import TrackingSettings
from ..geometry import IMAGE_DOWN, IMAGE_UP, signed_angle
from ..landmarks import LANDMARK_INDEX, SIDES
from ..sequence import PoseSequence
from .result import person_left_on_image_left, shin_points_up


@dataclass
class GateCheck:
    """One check: which side (or 'both'), whether it passed, the share of frames it failed
    (frame checks) and why."""

    name: str
    side: str
    passed: bool
    failed_fraction: float | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "side": self.side, "passed": self.passed,
            "failed_fraction": None if self.failed_fraction is None else round(self.failed_fraction, 3),
            "detail": self.detail,
        }


@dataclass
class GateResult:
    sequence: PoseSequence  # knee/ankle blanked (NaN) where rejected
    accepted: dict[str, np.ndarray]  # side -> (N,) bool
    usable: dict[str, float]
    checks: list[GateCheck] = field(default_factory=list)
    passed: bool = False
    #: side -> share of the frames with knee and ankle found that failed a frame check
    failed_share: dict[str, float] = field(default_factory=dict)

    def failures(self) -> list[GateCheck]:
        return [c for c in self.checks if not c.passed]

    def reason(self) -> str:
        bad = self.failures()
        if not bad:
            return "all plausibility checks passed"
        return "; ".join(f"{c.side} {c.name}: {c.detail}" for c in bad)


def _frame_check(name: str, side: str, ok: np.ndarray, considered: np.ndarray, detail: str) -> GateCheck:
    n = int(considered.sum())
    failed = float((considered & ~ok).sum()) / n if n else None
    return GateCheck(name, side, bool(failed is not None and failed == 0.0), failed,
                     detail if failed else "ok")


def _moving_median(x: np.ndarray, window: int) -> np.ndarray:
    """Centred moving median over ``window`` frames of (N, 2) points, ignoring NaN."""
    half = window // 2
    padded = np.pad(x, ((half, half), (0, 0)), constant_values=np.nan)
    stack = np.stack([padded[i : i + len(x)] for i in range(2 * half + 1)])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(stack, axis=0)


def gate_legs(
    seq: PoseSequence,
    test: str,
    settings: TrackingSettings,
    *,
    neutral_start_within_s: float = 1.0,
) -> GateResult:
    """Gate the knee/ankle points of ``seq`` (a pose-model sequence) for the rotation test
    ``test`` ('prone' or 'seated'); see the module docstring."""
    n = len(seq)
    s = settings
    left_img_left = person_left_on_image_left(test)
    up = IMAGE_UP if shin_points_up(test) else IMAGE_DOWN
    checks: list[GateCheck] = []
    accepted: dict[str, np.ndarray] = {}
    failed_share: dict[str, float] = {}
    pts = {f"{sd}_{p}": seq.point(f"{sd}_{p}") for sd in SIDES for p in ("hip", "knee", "ankle")}
    vis = {k: seq.visibility[:, LANDMARK_INDEX[k]] for k in pts}
    # left/right order of the knees (both sides at once)
    lk, rk, lh, rh = pts["left_knee"], pts["right_knee"], pts["left_hip"], pts["right_hip"]
    both = np.isfinite(lk).all(axis=1) & np.isfinite(rk).all(axis=1)
    dx = lk[:, 0] - rk[:, 0]
    order_ok = (dx < 0) if left_img_left else (dx > 0)
    hips = np.isfinite(lh).all(axis=1) & np.isfinite(rh).all(axis=1)
    with np.errstate(invalid="ignore"):
        hip_agree = np.einsum("ij,ij->i", lk - rk, lh - rh) > 0
    order_ok = order_ok & np.where(hips, hip_agree, True)
    want = "left" if left_img_left else "right"
    checks.append(_frame_check("left_right_order", "both", order_ok, both,
                               f"the knees are swapped (the person's left knee should be on the image {want}"
                               + (" and on the left hip's side" if hips.any() else "") + ")"))
    t = seq.time_s
    for sd in SIDES:
        k, a, h = pts[f"{sd}_knee"], pts[f"{sd}_ankle"], pts[f"{sd}_hip"]
        present = np.isfinite(k).all(axis=1) & np.isfinite(a).all(axis=1)
        ok = present.copy()
        with np.errstate(invalid="ignore"):
            v_ok = ~(vis[f"{sd}_knee"] < s.gate_min_visibility) & ~(vis[f"{sd}_ankle"] < s.gate_min_visibility)
        checks.append(_frame_check("visibility", sd, v_ok, present, f"knee or ankle visibility below {s.gate_min_visibility:g}"))
        ok &= v_ok
        L = np.hypot(*(a - k).T)
        medL = float(np.nanmedian(L[ok])) if ok.any() else np.nan
        if not np.isfinite(medL):
            checks.append(GateCheck("present", sd, False, 1.0, "knee and ankle never seen (with enough visibility)"))
            accepted[sd] = np.zeros(n, bool)
            failed_share[sd] = 1.0
            continue
        collapsed = medL < s.gate_min_shin_frac * seq.image_size[1]
        checks.append(GateCheck("collapsed", sd, not collapsed, None,
                                f"median shin {medL:.0f} px is below {s.gate_min_shin_frac:.0%} of the image height: a collapsed skeleton"
                                if collapsed else "ok"))
        with np.errstate(invalid="ignore"):
            l_ok = np.abs(L / medL - 1) <= s.gate_max_length_change
        checks.append(_frame_check("shin_length", sd, l_ok, ok, f"shin length off its median ({medL:.0f} px) by more than {s.gate_max_length_change:.0%}"))
        ok &= l_ok
        j_ok = np.ones(n, bool)
        for pt in (k, a):
            dev = np.hypot(*(pt - _moving_median(np.where(ok[:, None], pt, np.nan), s.gate_jump_window)).T)
            with np.errstate(invalid="ignore"):
                j_ok &= ~(dev > s.gate_max_jump_frac * medL)
        checks.append(_frame_check("jump", sd, j_ok, ok, f"knee or ankle jumps more than {s.gate_max_jump_frac:.0%} of the shin off its neighbours"))
        ok &= j_ok
        T = np.hypot(*(k - h).T)
        has_hip = np.isfinite(T)
        if has_hip.any():
            medT = float(np.nanmedian(T[ok & has_hip])) if (ok & has_hip).any() else float(np.nanmedian(T))
            with np.errstate(invalid="ignore"):
                t_ok = ~has_hip | (np.abs(T - medT) <= s.gate_max_length_change * medL)
            checks.append(_frame_check("thigh_length", sd, t_ok, ok & has_hip, "thigh length jumps (hip or knee misplaced)"))
            ok &= t_ok
        ok &= np.where(both, order_ok, True)
        failed_share[sd] = float((present & ~ok).sum()) / max(int(present.sum()), 1)
        # neutral start: the first second of accepted frames
        start = ok & (t <= t[ok][0] + neutral_start_within_s) if ok.any() else ok
        if start.any():
            shin = np.nanmedian((a - k)[start], axis=0)
            tilt = abs(float(signed_angle(shin, up)))
            good = tilt <= s.gate_max_start_tilt_deg
            where = "above" if shin_points_up(test) else "below"
            checks.append(GateCheck("neutral_start", sd, good, None,
                                    "ok" if good else f"the shin is {tilt:.0f} deg from vertical at the start (ankle should be {where} the knee, shin near vertical)"))
        else:
            good = False
            checks.append(GateCheck("neutral_start", sd, False, None, "no accepted frames"))
        accepted[sd] = ok if (good and not collapsed) else np.zeros(n, bool)
    xy = seq.xy.copy()
    for sd in SIDES:
        for p in ("knee", "ankle"):
            xy[~accepted[sd], LANDMARK_INDEX[f"{sd}_{p}"]] = np.nan
    gated = replace(seq, xy=xy)
    usable = {sd: float(accepted[sd].mean()) if n else 0.0 for sd in SIDES}
    passed = all(usable[sd] >= s.min_usable_fraction for sd in SIDES)
    if not passed:
        low = [f"{sd} {usable[sd]:.0%}" for sd in SIDES if usable[sd] < s.min_usable_fraction]
        checks.append(GateCheck("usable_fraction", "both", False, None,
                                f"usable frames {', '.join(low)} (need {s.min_usable_fraction:.0%})"))
    limit = s.gate_max_failed_share_prone if test == "prone" else s.gate_max_failed_share_seated
    often = [sd for sd in SIDES if failed_share[sd] > limit]
    if often:
        passed = False
        checks.append(GateCheck("failed_share", "both" if len(often) == 2 else often[0], False,
                                max(failed_share[sd] for sd in often),
                                f"the {' and '.join(f'{sd} leg failed a check in {failed_share[sd]:.0%}' for sd in often)} "
                                f"of the frames (at most {limit:.0%} allowed for the {test} test: a model that "
                                "misplaces the legs that often is wrong in the other frames too)"))
    return GateResult(gated, accepted, usable, checks, passed, failed_share)

"""Which test does a clip show? A rough guess from the pose, used to suggest the right test
when the one picked does not fit (the analyzers make the real checks).

Image coordinates (pixels, y down). Signals, per frame:
* shins pointing up the image (ankle above knee): a prone test seen from the feet end;
* thighs much shorter than shins in the image (pointing at the camera) all the time, ankles
  below knees: a seated test;
* otherwise a standing movement: how far the hips come down towards the ankles (squat) or
  the shoulders towards the hips (hinge), and one ankle held well above the other
  (single-leg variants).
"""

from __future__ import annotations

import numpy as np

from .config import SUGGEST, SuggestSettings
from .landmarks import SIDES
from .sequence import PoseSequence



def _mean_sides(seq: PoseSequence, part: str) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.nanmean(np.stack([seq.point(f"{s}_{part}") for s in SIDES]), axis=0)


def suggest_test(seq: PoseSequence, cfg: SuggestSettings = SUGGEST) -> tuple[str | None, str]:
    """``(test name or None, reason in plain words)``."""
    ok = seq.detected
    if ok.sum() < cfg.min_frames:
        return None, "no person was found in enough frames"
    knee_l, knee_r = seq.point("left_knee")[ok], seq.point("right_knee")[ok]
    ankle_l, ankle_r = seq.point("left_ankle")[ok], seq.point("right_ankle")[ok]
    with np.errstate(invalid="ignore"):
        shin_up = np.nanmean(np.stack([ankle_l[:, 1] < knee_l[:, 1], ankle_r[:, 1] < knee_r[:, 1]]), axis=0)
    if np.nanmean(shin_up) > cfg.prone_shins_up_share:
        return "prone", "the shins point up in the picture (lying face down, knees bent)"
    hip = _mean_sides(seq, "hip")[ok]
    knee = _mean_sides(seq, "knee")[ok]
    ankle = _mean_sides(seq, "ankle")[ok]
    shoulder = _mean_sides(seq, "shoulder")[ok]
    thigh = np.linalg.norm(knee - hip, axis=1)
    shin = np.linalg.norm(ankle - knee, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = thigh / shin
    if np.isfinite(ratio).sum() >= cfg.min_frames and np.nanmean(ratio < cfg.seated_thigh_ratio) > cfg.seated_share:
        return "seated", "the thighs point at the camera and the shins hang down the whole time (sitting)"
    with np.errstate(invalid="ignore"):
        floor_y = np.nanmax(np.stack([ankle_l[:, 1], ankle_r[:, 1]]), axis=0)  # the standing foot
    leg = floor_y - hip[:, 1]
    trunk = hip[:, 1] - shoulder[:, 1]
    if np.isfinite(leg).sum() < cfg.min_frames:
        return None, "the legs were not seen well enough"
    leg_depth = 1.0 - np.nanpercentile(leg, 5) / np.nanpercentile(leg, 95)
    trunk_depth = 1.0 - np.nanpercentile(trunk, 5) / np.nanpercentile(trunk, 95) if np.isfinite(trunk).sum() >= cfg.min_frames else 0.0
    lift = np.abs(ankle_l[:, 1] - ankle_r[:, 1]) / np.nanmedian(shin)
    single = bool(np.nanmean(lift > cfg.single_leg_lift) > cfg.single_leg_share)
    prefix = "single-leg-" if single else ""
    one_leg = " on one leg" if single else ""
    if leg_depth >= cfg.squat_min_depth and leg_depth >= 0.5 * trunk_depth:
        return f"{prefix}squat", f"standing{one_leg}; the hips come down {100 * leg_depth:.0f} % of the leg length (squatting)"
    if trunk_depth >= cfg.hinge_min_depth:
        return f"{prefix}hinge", f"standing{one_leg}; the shoulders come down {100 * trunk_depth:.0f} % of the trunk length with little knee bend (hinging)"
    return None, "standing without a clear squat or hinge"


def standing_test(seq: PoseSequence, cfg: SuggestSettings = SUGGEST) -> tuple[str, str] | None:
    """``(test, reason)`` when ``seq`` clearly shows a person standing and the guess is a
    standing test (squat, hinge or a single-leg variant), else None. Stricter than
    :func:`suggest_test`: the body must also be upright in the median frame (shoulders above
    hips above knees above ankles, each by a margin), which a person lying or sitting is not."""
    ok = seq.detected
    if ok.sum() < cfg.min_frames or ok.mean() < cfg.standing_min_detected:
        return None
    guess, why = suggest_test(seq, cfg)
    if guess is None or guess in ("prone", "seated"):
        return None
    with np.errstate(invalid="ignore"):
        shin = np.nanmedian(np.concatenate(
            [np.linalg.norm(seq.point(f"{s}_ankle")[ok] - seq.point(f"{s}_knee")[ok], axis=1) for s in SIDES]))
        y = {p: _mean_sides(seq, p)[ok, 1] for p in ("shoulder", "hip", "knee", "ankle")}
        drops = [np.nanmedian(y[lower] - y[upper]) / shin
                 for upper, lower in (("shoulder", "hip"), ("hip", "knee"), ("knee", "ankle"))]
    need = (cfg.standing_min_trunk, cfg.standing_min_thigh, cfg.standing_min_shin)
    if not all(np.isfinite(d) and d >= n for d, n in zip(drops, need)):
        return None
    return guess, why

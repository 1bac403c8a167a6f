"""Tracking failures named as such, not as the person's compensation (issue 15).

The rotation analyzer judges the person from the points it is given: ``pelvis_moved`` from
the hips, ``thigh_moved`` from the knees, ``multiple_people`` from the pose model's count,
``one_direction_only`` from the held angles. When those points come from a tracker, the
same findings can be the tracker's doing:

* **stickers or marks** (``markers``, ``assisted``): the "knee" is a point on the shin
  below the knee, which sweeps sideways as the shin turns (24-29 % of the shin on the
  rendered prone clips with the thighs held still), and the point set has no pelvis; a
  side lost for at least a hold's length may have hidden the direction it did not measure;
* **the pose model** (``model``): where its legs failed the plausibility gate's frame
  checks in some frames (or the gate did not pass), its hips, knees and person count are
  suspect too.

:func:`name_tracking_doubts` turns such warnings into ``tracking_doubtful`` warnings that
say what was seen and that the tracking may be at fault, keeping the value. Warnings with
no evidence against the tracking are left as they are.
"""

from __future__ import annotations

from typing import Any

from ..config import RotationSettings
from ..landmarks import SIDES

CODE = "tracking_doubtful"


def _pct(value: Any) -> str:
    return "?" if value is None else f"{float(value):.0f}"


def _side(message: str) -> str | None:
    """The side a rotation warning names first ("left knee moved ...", "right side: ...")."""
    word = message.split(" ", 1)[0]
    return word if word in SIDES else None


def _failed_share(tracking: dict[str, Any]) -> dict[str, float]:
    """Model mode: per side, the share of frames whose legs failed a gate check (older
    reports: the largest share of any of the side's checks)."""
    checks = tracking.get("checks") or {}
    share = checks.get("failed_share")
    if isinstance(share, dict):
        return {s: float(share.get(s) or 0.0) for s in SIDES}
    out = {s: 0.0 for s in SIDES}
    for c in checks.get("gate") or []:
        f = c.get("failed_fraction") or 0.0
        for s in SIDES if c.get("side") == "both" else [c.get("side")]:
            if s in out:
                out[s] = max(out[s], float(f))
    return out


def name_tracking_doubts(report: dict[str, Any], settings: RotationSettings) -> None:
    """Reword, in ``report["warnings"]``, the compensation and coverage warnings that the
    report's ``tracking`` section shows may be tracking artefacts (see the module doc)."""
    tracking = report.get("tracking")
    if not tracking:
        return
    mode = tracking.get("mode")
    warnings = report.setdefault("warnings", [])
    if mode == "model":
        share = _failed_share(tracking)
        gate_passed = (tracking.get("checks") or {}).get("passed", True)
        why = (f"the pose model's legs failed the plausibility checks in "
               f"{', '.join(f'{100 * share[s]:.0f} % ({s})' for s in SIDES)} of the frames")
        for w in warnings:
            side = _side(w["message"])
            if w["code"] == "pelvis_moved" and (max(share.values()) > 0 or not gate_passed):
                w["code"], w["message"] = CODE, (
                    f"the pose model's pelvis moved by {_pct(w.get('value'))} % of the hip width, but {why}: "
                    "the tracking may have lost the pelvis rather than the pelvis moving; check the video")
            elif w["code"] == "thigh_moved" and side and (share[side] > 0 or not gate_passed):
                w["code"], w["message"] = CODE, (
                    f"the pose model's {side} knee moved by {_pct(w.get('value'))} % of the shin length, but {why}: "
                    "the tracking may have misplaced the knee rather than the thigh moving; check the video")
            elif w["code"] == "multiple_people" and (max(share.values()) > 0 or not gate_passed):
                w["code"], w["message"] = CODE, (
                    f"the pose model counted more than one person in {_pct(w.get('value'))} checked frames, and {why}: "
                    "it may have split the body or followed someone else; check the video")
        if not gate_passed:  # model mode asked for explicitly: say the numbers rest on it
            warnings.append({"code": CODE, "value": round(100 * max(share.values()), 1), "message": (
                f"{why} (the gate did not pass): the numbers may be wrong; check the video, or use "
                "stickers (--track markers) or marked shins (--track assisted)")})
    elif mode in ("markers", "assisted"):
        what = "sticker" if mode == "markers" else "marked point"
        usable = tracking.get("usable_fraction") or {}
        lost_s = {s: (1.0 - float(usable.get(s) or 0.0)) * float(report.get("duration_s") or 0.0) for s in SIDES}
        for w in warnings:
            side = _side(w["message"])
            if w["code"] == "thigh_moved" and side:
                w["code"], w["message"] = CODE, (
                    f"the {side} knee {what} moved by {_pct(w.get('value'))} % of the shin length; it sits on the shin "
                    "below the knee and moves as the shin turns, so this does not show that the thigh moved "
                    "(check the thighs in the video)")
            elif w["code"] == "pelvis_moved":
                w["code"], w["message"] = CODE, (
                    f"the tracked points have no pelvis ({mode}): a pelvis movement of {_pct(w.get('value'))} % "
                    "cannot be measured from them; check the video")
            elif (w["code"] == "one_direction_only" and side and "was tested, no" in w["message"]
                  and lost_s[side] >= settings.hold_s):
                done, missing = ("IR", "ER") if "only IR" in w["message"] else ("ER", "IR")
                w["code"], w["message"] = CODE, (
                    f"{side} side: only {done} was measured; the {side} shin's {what}s were lost for "
                    f"{lost_s[side]:.1f} s, so {missing} may have been tested where they were not seen "
                    "(check the video)")

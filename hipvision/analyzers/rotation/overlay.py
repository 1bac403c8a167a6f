"""Analysis overlays for annotated videos (our own OpenCV drawing; RGB images)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from .config import DEFAULT_SETTINGS
from .render import draw_label
from .wording import fppa_caveat

if TYPE_CHECKING:
    from .analyzers.rotation import RotationRun

_COLORS = {"left": DEFAULT_SETTINGS.render.left_color, "right": DEFAULT_SETTINGS.render.right_color}


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(p[0])), int(round(p[1]))


def draw_rotation(image: np.ndarray, run: "RotationRun", frame: int) -> np.ndarray:
    """Shin line per side, its vertical reference from the knee (white), the current angle
    (+ = IR) next to the knee and the held peaks so far in a corner panel."""
    out = image.copy()
    h, w = out.shape[:2]
    scale = max(1, round(min(h, w) / 360))
    k = int(np.searchsorted(run.frame, frame))
    if k >= len(run.frame) or run.frame[k] != frame:
        k = -1  # a frame the analysis has no row for: only the peak panel
    t_now = run.time_s[k] if k >= 0 else None
    lines = []
    for side in ("left", "right"):
        color = _COLORS[side]
        if k >= 0:
            knee, ankle = run.knee[side][k], run.ankle[side][k]
            if np.isfinite(knee).all() and np.isfinite(ankle).all():
                L = float(np.hypot(*(ankle - knee)))
                ref_end = knee + run.reference[side] * L
                cv2.line(out, _pt(knee), _pt(ref_end), (255, 255, 255), scale, cv2.LINE_AA)
                cv2.line(out, _pt(knee), _pt(ankle), color, 3 * scale, cv2.LINE_AA)
                cv2.circle(out, _pt(knee), 4 * scale, color, -1, cv2.LINE_AA)
                cv2.circle(out, _pt(ankle), 4 * scale, color, -1, cv2.LINE_AA)
                a = run.angles[side][k]
                if np.isfinite(a):
                    label = f"{'IR' if a >= 0 else 'ER'} {abs(a):.0f}"
                    draw_label(out, label, (_pt(knee)[0] + 8 * scale, _pt(knee)[1] - 20 * scale))
        held = []
        for key in ("ir", "er"):
            hold = run.peaks[side].get(key)
            if hold is not None and t_now is not None and hold.at_s <= t_now:
                held.append(f"{key.upper()} {hold.value:.0f}")
        lines.append(f"{side.upper()} peak " + (" / ".join(held) if held else "-"))
    y = 10
    for text in lines:
        draw_label(out, text, (10, y))
        y += int(max(0.5, h / 900) * 40) + 10
    return out


def draw_screening(image: np.ndarray, run, frame: int) -> np.ndarray:
    """Rep counter (complete reps only); during each rep's bottom, the hip-knee-ankle lines per knee coloured by
    the valgus flag (red = valgus, green = not) with the FPPA, and a hip-shift arrow from
    the feet's midpoint to the pelvis midpoint (red when flagged)."""
    out = image.copy()
    h, w = out.shape[:2]
    scale = max(1, round(min(h, w) / 360))
    red, green, yellow = (230, 40, 40), (40, 200, 80), (250, 210, 0)
    k = int(np.searchsorted(run.frame, frame))
    if k >= len(run.frame) or run.frame[k] != frame:
        k = -1
    done = 0
    current = None
    for sp, rep in zip(run.spans, run.reps):
        if k >= 0 and k >= sp.end and rep.get("complete", True):  # cut-off reps do not count
            done += 1
        if k >= 0 and sp.start <= k <= sp.end:
            current = (sp, rep)
    draw_label(out, f"reps {done}", (10, 10))
    if current is None or k < 0:
        return out
    sp, rep = current
    near_bottom = run.depth[k] >= 0.9 * run.depth[sp.bottom] if np.isfinite(run.depth[k]) else False
    if not near_bottom:
        return out
    P = run.clean
    labels = []
    for s in ("left", "right"):
        d = rep.get(s)
        if not d or d.get("fppa_deg") is None:
            continue
        pts = [P.point(f"{s}_{p}")[k] for p in ("hip", "knee", "ankle")]
        if not all(np.isfinite(p).all() for p in pts):
            continue
        color = red if d["valgus"] else green
        cv2.line(out, _pt(pts[0]), _pt(pts[1]), color, 3 * scale, cv2.LINE_AA)
        cv2.line(out, _pt(pts[1]), _pt(pts[2]), color, 3 * scale, cv2.LINE_AA)
        caveat = fppa_caveat(d, short=True)  # not read at this (the bottom) frame: say where
        labels.append(([f"FPPA {d['fppa_deg']:.0f}"] + ([caveat] if caveat else []), _pt(pts[1])))
    if len(labels) == 2:  # each knee's label on its outer side
        labels.sort(key=lambda lab: lab[1][0])
    for n, (texts, (x, y)) in enumerate(labels):  # after the lines, so no knee's lines cover a label
        right = len(labels) == 2 and n == 0
        for text in texts:
            y += draw_label(out, text, (x - 8 * scale if right else x + 8 * scale, y), right=right)
    if rep.get("hip_shift_pct") is not None:
        pelvis = (P.point("left_hip")[k] + P.point("right_hip")[k]) / 2
        if run.reps and run.report.get("working_side"):
            feet = P.point(f"{run.report['working_side']}_ankle")[k]
        else:
            feet = (P.point("left_ankle")[k] + P.point("right_ankle")[k]) / 2
        if np.isfinite(pelvis).all() and np.isfinite(feet).all():
            color = red if rep["hip_shift"] else yellow
            cv2.arrowedLine(out, _pt(feet), _pt(pelvis), color, 2 * scale, cv2.LINE_AA, tipLength=0.05)
            draw_label(out, f"hip shift {abs(rep['hip_shift_pct']):.0f}% {rep['hip_shift_toward']}", (10, 10 + int(max(0.5, h / 900) * 40) + 10))
    return out

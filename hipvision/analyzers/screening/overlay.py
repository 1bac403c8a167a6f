"""The screening tests' overlay for annotated videos (our own OpenCV drawing; RGB images).
Imported only when drawing (the family's ``draw`` hook, :func:`hipvision.analyzers.overlay`)."""

from __future__ import annotations

import cv2
import numpy as np

from ...render import draw_label
from ...wording import fppa_caveat
from .schema import ScreeningReport


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(p[0])), int(round(p[1]))


def draw_screening(image: np.ndarray, run, report: ScreeningReport, frame: int) -> np.ndarray:
    """Rep counter (complete reps only); during each rep's bottom, the hip-knee-ankle lines per knee coloured by
    the valgus flag (red = valgus, amber = borderline: within its error band of the
    threshold, green = not) with the FPPA and its band, and a hip-shift arrow from the feet's
    midpoint to the pelvis midpoint (red when flagged) with the shift and its band."""
    out = image.copy()
    h, w = out.shape[:2]
    scale = max(1, round(min(h, w) / 360))
    red, green, yellow, amber = (230, 40, 40), (40, 200, 80), (250, 210, 0), (255, 150, 0)
    k = int(np.searchsorted(run.frame, frame))
    if k >= len(run.frame) or run.frame[k] != frame:
        k = -1
    done = 0
    current = None
    for sp, rep in zip(run.spans, report.reps):
        if k >= 0 and k >= sp.end and rep.complete:  # cut-off reps do not count
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
        d = rep.knee(s)
        if not d or d.fppa_deg is None:
            continue
        pts = [P.point(f"{s}_{p}")[k] for p in ("hip", "knee", "ankle")]
        if not all(np.isfinite(p).all() for p in pts):
            continue
        color = red if d.valgus else amber if d.valgus_borderline else green
        cv2.line(out, _pt(pts[0]), _pt(pts[1]), color, 3 * scale, cv2.LINE_AA)
        cv2.line(out, _pt(pts[1]), _pt(pts[2]), color, 3 * scale, cv2.LINE_AA)
        caveat = fppa_caveat(d, short=True)  # not read at this (the bottom) frame: say where
        labels.append(([f"FPPA {_with_band(d.fppa_deg, d.fppa_band_deg)}"] + ([caveat] if caveat else []), _pt(pts[1])))
    if len(labels) == 2:  # each knee's label on its outer side
        labels.sort(key=lambda lab: lab[1][0])
    for n, (texts, (x, y)) in enumerate(labels):  # after the lines, so no knee's lines cover a label
        right = len(labels) == 2 and n == 0
        for text in texts:
            y += draw_label(out, text, (x - 8 * scale if right else x + 8 * scale, y), right=right)
    if rep.hip_shift_pct is not None:
        pelvis = (P.point("left_hip")[k] + P.point("right_hip")[k]) / 2
        working = report.working_side if run.reps else None
        if working:
            feet = P.point(f"{working}_ankle")[k]
        else:
            feet = (P.point("left_ankle")[k] + P.point("right_ankle")[k]) / 2
        if np.isfinite(pelvis).all() and np.isfinite(feet).all():
            color = red if rep.hip_shift else amber if rep.hip_shift_borderline else yellow
            cv2.arrowedLine(out, _pt(feet), _pt(pelvis), color, 2 * scale, cv2.LINE_AA, tipLength=0.05)
            shift = _with_band(abs(rep.hip_shift_pct), rep.hip_shift_band_pct, "%")
            draw_label(out, f"hip shift {shift} {rep.hip_shift_toward}", (10, 10 + int(max(0.5, h / 900) * 40) + 10))
    return out


def _with_band(value: float, band: float | None, unit: str = "") -> str:
    """"12 +/-7" (OpenCV's font has no "±" or "°"): the number as the report gives it."""
    return f"{value:.0f}{unit}" if band is None else f"{value:.0f}{unit} +/-{band:.0f}{unit}"

"""The rotation tests' overlay for annotated videos (our own OpenCV drawing; RGB images).
Imported only when drawing (the family's ``draw`` hook, :func:`hipvision.analyzers.overlay`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from ...config import DEFAULT_SETTINGS
from ...render import draw_label
from .schema import RotationReport

if TYPE_CHECKING:
    from .analysis import RotationRun

_COLORS = {"left": DEFAULT_SETTINGS.render.left_color, "right": DEFAULT_SETTINGS.render.right_color}


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(p[0])), int(round(p[1]))


def draw_rotation(image: np.ndarray, run: RotationRun, report: RotationReport, frame: int) -> np.ndarray:
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
    sides = report.sides
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
        doc = sides.of(side)
        for key in ("ir", "er"):
            hold = run.peaks[side].get(key)
            value, band = (doc.peak_ir_deg, doc.peak_ir_band_deg) if key == "ir" else (doc.peak_er_deg, doc.peak_er_band_deg)
            if hold is not None and value is not None and t_now is not None and hold.at_s <= t_now:
                # the report's number with its band (OpenCV's font has no "±"); a peak the
                # report withholds is not drawn
                held.append(f"{key.upper()} {value:.0f}" + (f" +/-{band:.0f}" if band is not None else ""))
        lines.append(f"{side.upper()} peak " + (" / ".join(held) if held else "-"))
    y = 10
    for text in lines:
        draw_label(out, text, (10, y))
        y += int(max(0.5, h / 900) * 40) + 10
    return out

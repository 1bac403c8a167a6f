"""A printable sheet of marker stickers: an A4 SVG page with discs at true size (mm).

Print at 100 % (no "fit to page") on matt paper or matt label sheets; a 30 mm disc must
measure 30 mm. Cut the discs out and stick them on the shins (docs/TRACKING.md).
"""

from __future__ import annotations

from pathlib import Path

from ..atomicfile import check_target, write_atomic
from ..config import MARKER_COLORS

#: print colours (sRGB hex): as saturated as a printer gets; fluorescent labels are better
PRINT_HEX: dict[str, str] = {"green": "#19e632", "pink": "#ff1fb4", "orange": "#ff7a00", "blue": "#1450ff"}

PAGE_W_MM, PAGE_H_MM = 210.0, 297.0


def sticker_sheet_svg(color: str = "green", diameter_mm: float = 30.0, margin_mm: float = 15.0) -> str:
    """The SVG text of an A4 page filled with ``diameter_mm`` discs of ``color``."""
    if color not in MARKER_COLORS:
        raise ValueError(f"unknown colour {color!r} (known: {', '.join(MARKER_COLORS)})")
    if not 5.0 <= diameter_mm <= 80.0:
        raise ValueError(f"diameter {diameter_mm:g} mm is outside 5-80 mm")
    fill = PRINT_HEX[color]
    pitch = diameter_mm + 8.0
    top = margin_mm + 22.0
    cols = int((PAGE_W_MM - 2 * margin_mm + 8.0) // pitch)
    rows = int((PAGE_H_MM - top - margin_mm - 12.0 + 8.0) // pitch)
    r = diameter_mm / 2
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W_MM:g}mm" height="{PAGE_H_MM:g}mm" '
        f'viewBox="0 0 {PAGE_W_MM:g} {PAGE_H_MM:g}">',
        f'<rect width="{PAGE_W_MM:g}" height="{PAGE_H_MM:g}" fill="white"/>',
        f'<text x="{margin_mm:g}" y="{margin_mm + 4:g}" font-family="sans-serif" font-size="5">'
        f"hipvision marker stickers: {color}, {diameter_mm:g} mm</text>",
        f'<text x="{margin_mm:g}" y="{margin_mm + 11:g}" font-family="sans-serif" font-size="3.2">'
        "Print at 100 % (no scaling). Two per shin on the shin line the camera sees: prone (camera at the feet): "
        "calf below the knee crease + back of the heel.</text>",
        f'<text x="{margin_mm:g}" y="{margin_mm + 15.5:g}" font-family="sans-serif" font-size="3.2">'
        "Seated (camera in front): below the kneecap + front of the ankle. Matt surface, no tape over it.</text>",
    ]
    x0 = (PAGE_W_MM - (cols * pitch - 8.0)) / 2 + r
    for i in range(rows):
        for j in range(cols):
            cx, cy = x0 + j * pitch, top + r + i * pitch
            parts.append(f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="{r:.2f}" fill="{fill}"/>')
            parts.append(f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="{r + 1.5:.2f}" fill="none" stroke="#bbbbbb" stroke-width="0.2" stroke-dasharray="1,1"/>')
    # a 50 mm scale bar to check the print size
    y = PAGE_H_MM - margin_mm
    parts.append(f'<line x1="{margin_mm:g}" y1="{y:g}" x2="{margin_mm + 50:g}" y2="{y:g}" stroke="black" stroke-width="0.4"/>')
    parts.append(f'<text x="{margin_mm + 53:g}" y="{y + 1.2:g}" font-family="sans-serif" font-size="3.2">'
                 "this line must measure 50 mm</text>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_sticker_sheet(path: str | Path, color: str = "green", diameter_mm: float = 30.0) -> Path:
    """Write :func:`sticker_sheet_svg` to ``path`` atomically."""
    target = Path(path)
    check_target(target)
    try:
        text = sticker_sheet_svg(color, diameter_mm)
    except ValueError as e:
        from ..errors import InputError

        raise InputError(str(e)) from None
    return write_atomic(target, text)

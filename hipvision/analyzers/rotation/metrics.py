"""The rotation tests' key numbers as flat rows (see :mod:`hipvision.flatten`)."""

from __future__ import annotations

from typing import Any

from ...landmarks import SIDES
from ...results import ResultRow, add_row
from .schema import RotationReport

#: metric -> what it is
METRICS: dict[str, str] = {
    # rotation, per side
    "ir_peak_deg": "held internal-rotation end range (deg)",
    "er_peak_deg": "held external-rotation end range (deg)",
    "total_arc_deg": "IR + ER (deg)",
    "range_deg": "max - min of the held shin angle (deg)",
    # rotation, whole body
    "ir_left_minus_right_deg": "IR left minus right (deg)",
    "er_left_minus_right_deg": "ER left minus right (deg)",
    "arc_left_minus_right_deg": "total arc left minus right (deg)",
    "ir_peak_band_deg": "95 % error band (half-width) of ir_peak_deg (deg)",
    "er_peak_band_deg": "95 % error band (half-width) of er_peak_deg (deg)",
    "total_arc_band_deg": "95 % error band (half-width) of total_arc_deg (deg)",
    "ir_left_minus_right_band_deg": "95 % error band of the IR difference (deg)",
    "er_left_minus_right_band_deg": "95 % error band of the ER difference (deg)",
    "arc_left_minus_right_band_deg": "95 % error band of the arc difference (deg)",
}


def flatten_rotation(report: dict[str, Any] | RotationReport) -> list[ResultRow]:
    """Per side: ``ir_peak_deg``, ``er_peak_deg``, ``total_arc_deg``, ``range_deg``; whole
    body: ``{ir,er,arc}_left_minus_right_deg``."""
    rep = RotationReport.coerce(report)
    rows: list[ResultRow] = []
    for s in SIDES:
        d = rep.sides.of(s)
        add_row(rows, "ir_peak_deg", s, 0, d.peak_ir_deg)
        add_row(rows, "er_peak_deg", s, 0, d.peak_er_deg)
        add_row(rows, "total_arc_deg", s, 0, d.total_arc_deg)
        add_row(rows, "range_deg", s, 0, d.range_deg)
        add_row(rows, "ir_peak_band_deg", s, 0, d.peak_ir_band_deg)
        add_row(rows, "er_peak_band_deg", s, 0, d.peak_er_band_deg)
        add_row(rows, "total_arc_band_deg", s, 0, d.total_arc_band_deg)
    for key, a in rep.asymmetry.items():
        if a is not None:
            add_row(rows, f"{key}_left_minus_right_deg", "", 0, a.left_minus_right_deg)
            add_row(rows, f"{key}_left_minus_right_band_deg", "", 0, a.band_deg)
    return rows

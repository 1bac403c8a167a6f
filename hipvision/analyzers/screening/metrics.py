"""The screening tests' key numbers as flat rows (see :mod:`hipvision.flatten`)."""

from __future__ import annotations

import math
from typing import Any

from ...landmarks import SIDES
from ...results import ResultRow, add_row, finite_number
from .schema import ScreeningReport

#: metric -> what it is
METRICS: dict[str, str] = {
    # screening, per rep (rep >= 1)
    "fppa_deg": "knee frontal-plane projection angle at the bottom, + = valgus (deg)",
    "fppa_peak_deg": "the most valgus FPPA over the loaded part of the rep, down and up (deg)",
    "fppa_at_depth_pct": "only when the thigh pointed at the camera at the bottom: the depth (%) fppa_deg was read at instead of the bottom (compare with published norms with care)",
    "fppa_peak_s": "when fppa_peak_deg happened (s into the clip)",
    "fppa_peak_depth_pct": "the rep's depth (%) when fppa_peak_deg happened",
    "valgus": "1 when the rep's peak FPPA is beyond the valgus threshold by more than its band, else 0",
    "hip_shift_pct": "lateral hip shift at the bottom, % of hip width, + = towards the left",
    "depth_pct": "depth of the rep (% of the standing leg or trunk)",
    "knee_flexion_deg": "knee flexion at the bottom, side view (deg)",
    "trunk_lean_deg": "trunk lean at the bottom, side view (deg)",
    # screening, whole session (rep 0)
    "reps": "number of complete reps",
    "reps_incomplete": "reps the clip cuts off (it starts or ends mid-rep): not counted or summarised",
    "valgus_reps": "reps with knee valgus beyond the threshold, per knee",
    "hip_shift_reps": "reps with a flagged hip shift",
    "fppa_mean_deg": "mean FPPA over the reps, per knee (deg)",
    "fppa_sd_deg": "standard deviation of FPPA over the reps, per knee (deg)",
    "fppa_max_deg": "largest peak FPPA (most valgus) over the reps, per knee (deg)",
    "hip_shift_mean_pct": "mean hip shift over the reps (%)",
    "fppa_left_minus_right_deg": "mean FPPA left minus right (deg)",
    "fppa_band_deg": "95 % error band (half-width) of fppa_deg (deg)",
    "fppa_peak_band_deg": "95 % error band (half-width) of fppa_peak_deg (deg)",
    "valgus_borderline": "1 when the judged FPPA is within its band of the valgus threshold (no flag), else 0",
    "hip_shift_band_pct": "95 % error band (half-width) of hip_shift_pct (% of hip width)",
    "hip_shift_borderline": "1 when the hip shift is within its band of the threshold (no flag), else 0",
    "valgus_borderline_reps": "reps whose knee valgus was borderline (within its band of the threshold), per knee",
    "hip_shift_borderline_reps": "reps whose hip shift was borderline",
}


def flatten_screening(report: dict[str, Any] | ScreeningReport) -> list[ResultRow]:
    """Per rep: ``fppa_deg`` and ``valgus`` per knee, ``hip_shift_pct``, ``depth_pct`` (and
    ``knee_flexion_deg`` / ``trunk_lean_deg`` from side views); per session (rep 0):
    ``reps``, ``valgus_reps`` and ``fppa_mean_deg`` / ``fppa_sd_deg`` (bottom values) /
    ``fppa_max_deg`` (the highest peak) per knee, ``hip_shift_reps``, ``hip_shift_mean_pct``, ``fppa_left_minus_right_deg``,
    ``reps_incomplete``. Reps the clip cuts off (``complete`` false) give no per-rep rows and
    count in nothing but ``reps_incomplete``, as in the report's summary."""
    rep = ScreeningReport.coerce(report)
    rows: list[ResultRow] = []
    worst: dict[str, float] = {}
    for r in rep.complete_reps:
        i = int(r.index)
        for s in SIDES:
            d = r.knee(s)
            if not d:
                continue
            add_row(rows, "fppa_deg", s, i, finite_number(d.fppa_deg))
            add_row(rows, "fppa_peak_deg", s, i, finite_number(d.fppa_peak_deg))
            add_row(rows, "fppa_at_depth_pct", s, i, d.fppa_at_depth_pct)
            add_row(rows, "fppa_peak_s", s, i, d.fppa_peak_s)
            add_row(rows, "fppa_peak_depth_pct", s, i, d.fppa_peak_depth_pct)
            add_row(rows, "fppa_band_deg", s, i, d.fppa_band_deg)
            add_row(rows, "fppa_peak_band_deg", s, i, d.fppa_peak_band_deg)
            if d.valgus is not None:
                add_row(rows, "valgus", s, i, 1.0 if d.valgus else 0.0)
            if d.valgus_borderline is not None:
                add_row(rows, "valgus_borderline", s, i, 1.0 if d.valgus_borderline else 0.0)
            f = finite_number(d.judged_deg)  # what the flag was judged on: the peak, else the bottom
            if f is not None:
                worst[s] = max(worst.get(s, -math.inf), f)
        add_row(rows, "hip_shift_pct", "", i, r.hip_shift_pct)
        add_row(rows, "hip_shift_band_pct", "", i, r.hip_shift_band_pct)
        if r.hip_shift_pct is not None and r.hip_shift_borderline is not None:
            add_row(rows, "hip_shift_borderline", "", i, 1.0 if r.hip_shift_borderline else 0.0)
        add_row(rows, "depth_pct", "", i, r.depth_pct)
        add_row(rows, "knee_flexion_deg", "", i, r.knee_flexion_deg)
        add_row(rows, "trunk_lean_deg", "", i, r.trunk_lean_deg)
    sm = rep.summary
    add_row(rows, "reps", "", 0, sm.reps if sm.has("reps") else len(rep.reps))
    if sm.reps_incomplete:
        add_row(rows, "reps_incomplete", "", 0, sm.reps_incomplete)
    for s in SIDES:
        if s in worst:  # a knee that was judged in at least one rep
            add_row(rows, "valgus_reps", s, 0, sm.valgus_reps.of(s) if sm.has("valgus_reps") else None)
            add_row(rows, "valgus_borderline_reps", s, 0, sm.valgus_borderline_reps.of(s) if sm.valgus_borderline_reps else None)
        add_row(rows, "fppa_mean_deg", s, 0, sm.fppa_mean(s))
        add_row(rows, "fppa_sd_deg", s, 0, sm.fppa_sd(s))
        add_row(rows, "fppa_max_deg", s, 0, worst.get(s))
    if any(r.hip_shift_pct is not None for r in rep.complete_reps):
        add_row(rows, "hip_shift_reps", "", 0, sm.hip_shift_reps if sm.has("hip_shift_reps") else None)
        add_row(rows, "hip_shift_borderline_reps", "", 0, sm.hip_shift_borderline_reps)
    add_row(rows, "hip_shift_mean_pct", "", 0, sm.hip_shift_mean_pct)
    add_row(rows, "fppa_left_minus_right_deg", "", 0, sm.fppa_left_minus_right_deg)
    return rows

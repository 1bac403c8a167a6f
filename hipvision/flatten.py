"""Key numbers of a report as flat rows ``(metric, side, rep, value)``: what the history
database stores for fast progress queries, what the results CSV export holds, and what
batch summaries can reuse.

``side`` is the person's ``"left"`` / ``"right"``, or ``""`` for the whole body. ``rep`` is
the repetition number (1, 2, ...) of a screening test, or 0 for a whole-session value.
Numbers the report leaves ``null`` (not measured) give no row. Signs follow the report:
rotation peaks are positive magnitudes; FPPA + = valgus; hip shift + = towards the
person's left; ``*_left_minus_right_deg`` = left minus right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

from .landmarks import SIDES
from .wording import fppa_judged

ROTATION_TESTS = frozenset({"seated", "prone"})
SCREENING_TESTS = frozenset({"squat", "single-leg-squat", "hinge", "single-leg-hinge"})

#: metric -> what it is (for --help, the app's metric picker and the docs)
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
    # screening, per rep (rep >= 1)
    "fppa_deg": "knee frontal-plane projection angle at the bottom, + = valgus (deg)",
    "fppa_peak_deg": "the most valgus FPPA over the loaded part of the rep, down and up (deg)",
    "valgus": "1 when the rep's peak FPPA is beyond the valgus threshold, else 0",
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
}


@dataclass(frozen=True)
class ResultRow:
    """One key number of a session."""

    metric: str
    side: str  # "left" | "right" | "" (whole body)
    rep: int  # 0 = whole session
    value: float


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _add(rows: list[ResultRow], metric: str, side: str, rep: int, v: Any) -> None:
    f = _num(v)
    if f is not None:
        rows.append(ResultRow(metric, side, rep, f))


def flatten_rotation(report: dict[str, Any]) -> list[ResultRow]:
    """Per side: ``ir_peak_deg``, ``er_peak_deg``, ``total_arc_deg``, ``range_deg``; whole
    body: ``{ir,er,arc}_left_minus_right_deg``."""
    rows: list[ResultRow] = []
    sides = report.get("sides") or {}
    for s in SIDES:
        d = sides.get(s) or {}
        _add(rows, "ir_peak_deg", s, 0, d.get("peak_ir_deg"))
        _add(rows, "er_peak_deg", s, 0, d.get("peak_er_deg"))
        _add(rows, "total_arc_deg", s, 0, d.get("total_arc_deg"))
        _add(rows, "range_deg", s, 0, d.get("range_deg"))
    for key, a in (report.get("asymmetry") or {}).items():
        if isinstance(a, dict):
            _add(rows, f"{key}_left_minus_right_deg", "", 0, a.get("left_minus_right_deg"))
    return rows


def flatten_screening(report: dict[str, Any]) -> list[ResultRow]:
    """Per rep: ``fppa_deg`` and ``valgus`` per knee, ``hip_shift_pct``, ``depth_pct`` (and
    ``knee_flexion_deg`` / ``trunk_lean_deg`` from side views); per session (rep 0):
    ``reps``, ``valgus_reps`` and ``fppa_mean_deg`` / ``fppa_sd_deg`` (bottom values) /
    ``fppa_max_deg`` (the highest peak) per knee, ``hip_shift_reps``, ``hip_shift_mean_pct``, ``fppa_left_minus_right_deg``,
    ``reps_incomplete``. Reps the clip cuts off (``complete`` false) give no per-rep rows and
    count in nothing but ``reps_incomplete``, as in the report's summary."""
    rows: list[ResultRow] = []
    reps = report.get("reps") or []
    worst: dict[str, float] = {}
    for r in reps:
        if not r.get("complete", True):
            continue
        i = int(r["index"])
        for s in SIDES:
            d = r.get(s)
            if not d:
                continue
            _add(rows, "fppa_deg", s, i, _num(d.get("fppa_deg")))
            _add(rows, "fppa_peak_deg", s, i, _num(d.get("fppa_peak_deg")))
            if d.get("valgus") is not None:
                _add(rows, "valgus", s, i, 1.0 if d["valgus"] else 0.0)
            f = _num(fppa_judged(d))  # what the flag was judged on: the peak, else the bottom
            if f is not None:
                worst[s] = max(worst.get(s, -math.inf), f)
        _add(rows, "hip_shift_pct", "", i, r.get("hip_shift_pct"))
        _add(rows, "depth_pct", "", i, r.get("depth_pct"))
        _add(rows, "knee_flexion_deg", "", i, r.get("knee_flexion_deg"))
        _add(rows, "trunk_lean_deg", "", i, r.get("trunk_lean_deg"))
    sm = report.get("summary") or {}
    _add(rows, "reps", "", 0, sm.get("reps", len(reps)))
    if sm.get("reps_incomplete"):
        _add(rows, "reps_incomplete", "", 0, sm["reps_incomplete"])
    for s in SIDES:
        if s in worst:  # a knee that was judged in at least one rep
            _add(rows, "valgus_reps", s, 0, (sm.get("valgus_reps") or {}).get(s))
        _add(rows, "fppa_mean_deg", s, 0, sm.get(f"{s}_fppa_mean_deg"))
        _add(rows, "fppa_sd_deg", s, 0, sm.get(f"{s}_fppa_sd_deg"))
        _add(rows, "fppa_max_deg", s, 0, worst.get(s))
    if any(r.get("hip_shift_pct") is not None for r in reps if r.get("complete", True)):
        _add(rows, "hip_shift_reps", "", 0, sm.get("hip_shift_reps"))
    _add(rows, "hip_shift_mean_pct", "", 0, sm.get("hip_shift_mean_pct"))
    _add(rows, "fppa_left_minus_right_deg", "", 0, sm.get("fppa_left_minus_right_deg"))
    return rows


_FAMILIES: dict[frozenset[str], Callable[[dict[str, Any]], list[ResultRow]]] = {
    ROTATION_TESTS: flatten_rotation,
    SCREENING_TESTS: flatten_screening,
}


def flatten_report(report: dict[str, Any]) -> list[ResultRow]:
    """The key numbers of any report (by its ``test``); an unknown test gives no rows."""
    test = report.get("test")
    for tests, fn in _FAMILIES.items():
        if test in tests:
            return fn(report)
    return []

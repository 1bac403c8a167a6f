"""The screening tests' section of the HTML report (:mod:`hipvision.report_html`): numbers,
charts, key frame."""

from __future__ import annotations

from html import escape
from typing import Any, Sequence

from ...config import Settings
from ...report_html import _column, _f, _table
from ...svgplot import HLine, Line, VSpan, line_chart
from ...wording import (
    BAND_LEGEND, FPPA_CAVEAT_LEGEND, FPPA_DEFINITION, fppa_caveat, fppa_peak, has_fppa_caveat, knee_band_note, shift_band_note,
    with_band,
)
from .schema import ScreeningReport, SideCounts


def key_frame_time(report: dict[str, Any] | ScreeningReport) -> float | None:
    """The moment worth showing: the bottom of the worst (else the first complete, else the
    first) rep. None when the report has no rep."""
    rep_ = ScreeningReport.coerce(report)
    reps = rep_.reps
    if not reps:
        return None
    worst = rep_.summary.worst_rep.index if rep_.summary.worst_rep else None
    rep = next((r for r in reps if r.index == worst), next((r for r in reps if r.complete), reps[0]))
    return rep.bottom_s


def _screening_numbers(report: dict[str, Any] | ScreeningReport) -> str:
    rep_ = ScreeningReport.coerce(report)
    reps = rep_.reps
    thr = rep_.thresholds
    sm = rep_.summary
    html = []
    if not reps:
        html.append(f'<p class="flag">No reps found. {escape(rep_.no_reps_reason or "")}</p>')
        return "\n".join(html)
    worst = sm.worst_rep.index if sm.worst_rep else None
    side_view = any(r.knee_flexion_deg is not None or r.trunk_lean_deg is not None for r in reps)
    header = ["Rep", "Depth", "View", "FPPA left", "FPPA right", "Hip shift"]
    if side_view:
        header += ["Knee flexion", "Trunk lean"]
    rows, classes = [], []
    for r in reps:
        cut = "" if r.complete else f' <span class="flag" title="{escape(r.incomplete_reason or "")}">incomplete, not counted</span>'
        cells = [str(r.index) + (" (worst)" if r.index == worst else "") + cut, "#" + _f(r.depth_pct, " %"), escape(r.view)]
        for s in ("left", "right"):
            d = r.knee(s)
            if not d or d.fppa_deg is None:
                cells.append("#–")
                continue
            flag = ' <span class="flag">valgus</span>' if d.valgus else ' <span class="borderline">borderline</span>' if d.valgus_borderline else ""
            notes = [n for n in (fppa_caveat(d) and f"bottom: {fppa_caveat(d)}", fppa_peak(d), knee_band_note(d, thr.fppa_valgus_deg)) if n]
            cells.append("#" + escape(with_band(d.fppa_deg, d.fppa_band_deg)) + flag + "".join(f'<br><span class="small">{escape(n)}</span>' for n in notes))
        hs = r.hip_shift_pct
        if hs is None:
            cells.append("#–")
        else:
            flag = ' <span class="flag">flag</span>' if r.hip_shift else ' <span class="borderline">borderline</span>' if r.hip_shift_borderline else ""
            note = shift_band_note(r, thr.hip_shift_pct)
            cells.append(f"#{escape(with_band(abs(hs), r.hip_shift_band_pct, ' %'))} to the {escape(str(r.hip_shift_toward))}{flag}"
                         + (f'<br><span class="small">{escape(note)}</span>' if note else ""))
        if side_view:
            cells += ["#" + _f(r.knee_flexion_deg), "#" + _f(r.trunk_lean_deg)]
        rows.append(cells)
        classes.append("worst" if r.index == worst else "")
    html.append(_table(header, rows, classes))
    html.append(f'<p class="small">{escape(FPPA_DEFINITION)}</p>')
    html.append(f'<p class="small">{escape(BAND_LEGEND)} Here: {escape(rep_.band_basis or "")}.</p>')
    if has_fppa_caveat(rep_.knees()):
        html.append(f'<p class="small">{escape(FPPA_CAVEAT_LEGEND)}</p>')
    vr = sm.valgus_borderline_reps or SideCounts()
    html.append(
        "<p>"
        f"Reps: <b>{sm.reps}</b>"
        + (f" (plus {sm.reps_incomplete} incomplete, not counted: "
           + escape("; ".join(f"rep {r.index}, {r.incomplete_reason}" for r in reps if not r.complete)) + ")"
           if sm.reps_incomplete else "")
        + f". Valgus beyond {_f(thr.fppa_valgus_deg)}: "
        f"left knee in <b>{sm.valgus_reps.left}</b>, right knee in <b>{sm.valgus_reps.right}</b> reps. "
        f"Hip shift beyond {_f(thr.hip_shift_pct, ' %', 0)} of hip width in <b>{sm.hip_shift_reps}</b> reps. "
        + (f"Borderline (within the error band of the threshold, not flagged): valgus left {vr.left}, "
           f"right {vr.right}, hip shift {sm.hip_shift_borderline_reps or 0} reps. "
           if sm.hip_shift_borderline_reps or vr.left or vr.right else "")
        + f"Mean FPPA left {_f(sm.left_fppa_mean_deg)} (sd {_f(sm.left_fppa_sd_deg)}), "
        f"right {_f(sm.right_fppa_mean_deg)} (sd {_f(sm.right_fppa_sd_deg)})."
        "</p>"
    )
    if sm.fppa_left_minus_right_deg is not None:
        html.append(
            f"<p>Left − right FPPA {_f(sm.fppa_left_minus_right_deg)}: "
            + ("<span class=\"flag\">a real difference</span>" if sm.fppa_side_difference_real else '<span class="ok">within the change that counts as real</span>')
            + "</p>"
        )
    html.append(
        '<p class="small">FPPA = frontal-plane projection angle of the knee, + = valgus (knee moves inward). '
        f"Thresholds: {escape(thr.sources)}. {escape(thr.hip_shift_note)}.</p>"
    )
    return "\n".join(html)


def _screening_plots(report: dict[str, Any] | ScreeningReport, series: tuple[Sequence[str], Sequence[Sequence[Any]]], settings: Settings) -> list[str]:
    cols, rows = series
    t = [float(r[0]) for r in rows]
    rs = settings.render
    rep_ = ScreeningReport.coerce(report)
    thr = rep_.thresholds
    worst = rep_.summary.worst_rep.index if rep_.summary.worst_rep else None
    spans = [
        VSpan(r.start_s, r.end_s, (240, 140, 0) if r.index == worst else (120, 120, 120), f"rep {r.index}", 0.22 if r.index == worst else 0.1)
        for r in rep_.reps
        if r.start_s is not None and r.end_s is not None
    ]
    w, h = settings.report.plot_width, settings.report.plot_height
    charts = []
    f_thr = thr.fppa_valgus_deg if rep_.has("thresholds") else None
    charts.append(line_chart(
        [Line("left knee", t, _column(cols, rows, "left_fppa_deg"), rs.left_color), Line("right knee", t, _column(cols, rows, "right_fppa_deg"), rs.right_color)],
        title="Knee FPPA over time (+ = valgus); shaded = reps, orange = worst rep; gaps = thigh foreshortened, no FPPA",
        x_label="time (s)", y_label="FPPA (°)", vspans=spans, width=w, height=h,
        hlines=[HLine(f_thr, "#b00020", f"valgus {f_thr:g}°")] if f_thr is not None else [],
    ))
    hs = _column(cols, rows, "hip_shift_pct")
    if any(v is not None for v in hs):
        h_thr = thr.hip_shift_pct if rep_.has("thresholds") else None
        charts.append(line_chart(
            [Line("hip shift", t, hs, "#6a3d9a")],
            title="Lateral hip shift over time (+ = towards the person's left)",
            x_label="time (s)", y_label="% of hip width", vspans=spans, width=w, height=h,
            hlines=[HLine(h_thr, "#b00020", f"±{h_thr:g} %"), HLine(-h_thr, "#b00020", "")] if h_thr is not None else [],
        ))
    return charts

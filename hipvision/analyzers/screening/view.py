"""The screening tests' results view in the dashboard (Streamlit; imported only by the app)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ...dashboard import charts
from ...dashboard.jobs import Outcome
from ...dashboard.results_view import _deg
from ...wording import BAND_LEGEND, FPPA_CAVEAT_LEGEND, FPPA_DEFINITION, fppa_with_caveat, has_fppa_caveat
from .schema import ScreeningReport, SideCounts


def rep_table(report: dict[str, Any] | ScreeningReport) -> pd.DataFrame:
    """One row per rep: timing, depth, view, FPPA and flags per knee (the person's), hip shift,
    and whether the rep is complete (the reason when the clip cuts it off). An FPPA read
    above the bottom says so beside the number (:func:`hipvision.wording.fppa_with_caveat`)."""
    rows = []
    for r in ScreeningReport.coerce(report).reps:
        row: dict[str, Any] = {"rep": r.index, "bottom (s)": r.bottom_s, "depth %": r.depth_pct, "view": r.view}
        for side in ("left", "right"):
            d = r.knee(side)
            row[f"FPPA {side}"] = fppa_with_caveat(d)
            row[f"valgus {side}"] = d.valgus if d else None
            row[f"borderline {side}"] = d.valgus_borderline if d else None
        row["hip shift %"] = r.hip_shift_pct
        row["hip shift ± %"] = r.hip_shift_band_pct
        row["toward"] = r.hip_shift_toward
        row["hip shift"] = r.hip_shift
        row["hip shift borderline"] = r.hip_shift_borderline
        row["complete"] = r.complete
        row["not counted because"] = r.incomplete_reason or ""
        rows.append(row)
    return pd.DataFrame(rows).set_index("rep") if rows else pd.DataFrame()


def _screening(report: dict[str, Any] | ScreeningReport, outcome: Outcome) -> None:
    rep = ScreeningReport.coerce(report)
    st.subheader(f"{outcome.test.replace('-', ' ').capitalize()} screening")
    summary = rep.summary
    thr = rep.thresholds
    c1, c2, c3, c4 = st.columns(4)
    n_cut = summary.reps_incomplete
    c1.metric("Reps", summary.reps, help=f"{n_cut} incomplete rep(s) (cut off by the clip, or a tracking jump), not counted" if n_cut else None)
    c2.metric("Valgus reps (left knee)", summary.valgus_reps.left)
    c3.metric("Valgus reps (right knee)", summary.valgus_reps.right)
    c4.metric("Hip-shift reps", summary.hip_shift_reps)
    table = rep_table(rep)
    if table.empty:
        st.info(rep.no_reps_reason or "No repetitions found.")
        return
    w = summary.worst_rep
    worst = w.index if w else None

    def highlight(row: pd.Series) -> list[str]:
        return ["background-color: #ffebee" if row.name == worst else "" for _ in row]

    st.table(table.style.apply(highlight, axis=1).format(precision=1, na_rep="–"))
    if w is not None:
        st.markdown(f"Worst rep: **{w.index}** ({w.side} knee, FPPA {fppa_with_caveat(rep.worst_knee()) or _deg(w.fppa_deg)}), highlighted.")
    st.caption(FPPA_DEFINITION)
    if rep.band_basis:
        st.caption(f"{BAND_LEGEND} Here: {rep.band_basis}.")
    bl = summary.valgus_borderline_reps or SideCounts()
    if bl.left or bl.right or summary.hip_shift_borderline_reps:
        st.caption(
            f"Borderline (within the error band of the threshold, neither flagged nor ruled out): valgus left knee "
            f"{bl.left}, right knee {bl.right}; hip shift {summary.hip_shift_borderline_reps or 0} rep(s)."
        )
    if has_fppa_caveat(rep.knees()):
        st.caption(FPPA_CAVEAT_LEGEND)
    st.caption(
        f"FPPA + = valgus (knee inside the hip–ankle line); flag above {thr.fppa_valgus_deg}° "
        f"({thr.sex}). Hip shift: % of hip width, flag above {thr.hip_shift_pct} % "
        "(descriptive: no validated cut-off). Sources: " + thr.sources
    )
    bars = charts.screening_rep_chart(rep)
    if bars is not None:
        st.altair_chart(bars, width="stretch")
    st.subheader("Knee angle over time")
    st.caption("FPPA per knee, + = valgus. The lines break where the thigh is foreshortened (deep in a squat) and the 2-D angle has no meaning.")
    st.altair_chart(charts.screening_time_chart(rep, outcome.series), width="stretch")

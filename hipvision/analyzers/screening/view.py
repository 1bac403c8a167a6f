"""The screening tests' results view in the dashboard (Streamlit; imported only by the app)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ...dashboard import charts
from ...dashboard.jobs import Outcome
from ...dashboard.results_view import _deg
from ...wording import BAND_LEGEND, FPPA_CAVEAT_LEGEND, FPPA_DEFINITION, fppa_with_caveat, has_fppa_caveat, worst_knee


def rep_table(rep: dict[str, Any]) -> pd.DataFrame:
    """One row per rep: timing, depth, view, FPPA and flags per knee (the person's), hip shift,
    and whether the rep is complete (the reason when the clip cuts it off). An FPPA read
    above the bottom says so beside the number (:func:`hipvision.wording.fppa_with_caveat`)."""
    rows = []
    for r in rep.get("reps", []):
        row: dict[str, Any] = {"rep": r["index"], "bottom (s)": r["bottom_s"], "depth %": r.get("depth_pct"), "view": r.get("view")}
        for side in ("left", "right"):
            d = r.get(side) or {}
            row[f"FPPA {side}"] = fppa_with_caveat(d)
            row[f"valgus {side}"] = d.get("valgus")
            row[f"borderline {side}"] = d.get("valgus_borderline")
        row["hip shift %"] = r.get("hip_shift_pct")
        row["hip shift ± %"] = r.get("hip_shift_band_pct")
        row["toward"] = r.get("hip_shift_toward")
        row["hip shift"] = r.get("hip_shift")
        row["hip shift borderline"] = r.get("hip_shift_borderline")
        row["complete"] = r.get("complete", True)
        row["not counted because"] = r.get("incomplete_reason") or ""
        rows.append(row)
    return pd.DataFrame(rows).set_index("rep") if rows else pd.DataFrame()


def _screening(rep: dict[str, Any], outcome: Outcome) -> None:
    st.subheader(f"{outcome.test.replace('-', ' ').capitalize()} screening")
    summary = rep.get("summary") or {}
    thr = rep.get("thresholds") or {}
    c1, c2, c3, c4 = st.columns(4)
    n_cut = summary.get("reps_incomplete") or 0
    c1.metric("Reps", summary.get("reps", len(rep.get("reps", []))), help=f"{n_cut} incomplete rep(s) (cut off by the clip, or a tracking jump), not counted" if n_cut else None)
    vr = summary.get("valgus_reps") or {}
    c2.metric("Valgus reps (left knee)", vr.get("left", "–"))
    c3.metric("Valgus reps (right knee)", vr.get("right", "–"))
    c4.metric("Hip-shift reps", summary.get("hip_shift_reps", "–"))
    table = rep_table(rep)
    if table.empty:
        st.info(rep.get("no_reps_reason", "No repetitions found."))
        return
    worst = (summary.get("worst_rep") or {}).get("index")

    def highlight(row: pd.Series) -> list[str]:
        return ["background-color: #ffebee" if row.name == worst else "" for _ in row]

    st.table(table.style.apply(highlight, axis=1).format(precision=1, na_rep="–"))
    if worst is not None:
        w = summary["worst_rep"]
        st.markdown(f"Worst rep: **{w['index']}** ({w['side']} knee, FPPA {fppa_with_caveat(worst_knee(rep)) or _deg(w['fppa_deg'])}), highlighted.")
    st.caption(FPPA_DEFINITION)
    if rep.get("band_basis"):
        st.caption(f"{BAND_LEGEND} Here: {rep['band_basis']}.")
    bl = summary.get("valgus_borderline_reps") or {}
    if any(bl.values()) or summary.get("hip_shift_borderline_reps"):
        st.caption(
            f"Borderline (within the error band of the threshold, neither flagged nor ruled out): valgus left knee "
            f"{bl.get('left', 0)}, right knee {bl.get('right', 0)}; hip shift {summary.get('hip_shift_borderline_reps', 0)} rep(s)."
        )
    if has_fppa_caveat(rep):
        st.caption(FPPA_CAVEAT_LEGEND)
    st.caption(
        f"FPPA + = valgus (knee inside the hip–ankle line); flag above {thr.get('fppa_valgus_deg', '?')}° "
        f"({thr.get('sex', 'unspecified')}). Hip shift: % of hip width, flag above {thr.get('hip_shift_pct', '?')} % "
        "(descriptive: no validated cut-off). Sources: " + str(thr.get("sources", ""))
    )
    bars = charts.screening_rep_chart(rep)
    if bars is not None:
        st.altair_chart(bars, width="stretch")
    st.subheader("Knee angle over time")
    st.caption("FPPA per knee, + = valgus. The lines break where the thigh is foreshortened (deep in a squat) and the 2-D angle has no meaning.")
    st.altair_chart(charts.screening_time_chart(rep, outcome.series), width="stretch")

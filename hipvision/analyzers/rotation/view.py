"""The rotation tests' results view in the dashboard (Streamlit; imported only by the app)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ...dashboard import charts
from ...dashboard.jobs import Outcome
from ...wording import BAND_LEGEND, asymmetry_sentence, norm_sentence, with_band
from .schema import RotationReport


def _rotation(report: dict[str, Any] | RotationReport, outcome: Outcome) -> None:
    rep = RotationReport.coerce(report)
    st.subheader(f"{outcome.test.capitalize()} hip rotation")
    cols = st.columns(2)
    for col, side in zip(cols, ("left", "right")):
        d = rep.sides.of(side)
        with col.container(border=True):
            st.markdown(f"**{side.capitalize()} hip** (the person's {side})")
            if not d.measured:
                st.info("not measured: this leg was not seen well enough")
                continue
            a, b, c = st.columns(3)
            a.metric("IR", with_band(d.peak_ir_deg, d.peak_ir_band_deg))
            b.metric("ER", with_band(d.peak_er_deg, d.peak_er_band_deg))
            c.metric("Total arc", with_band(d.total_arc_deg, d.total_arc_band_deg))
            for key, n in d.norms.items():
                if n.verdict:
                    icon = "✅" if n.verdict == "within" else "❔" if n.verdict == "borderline" else "⚠️"
                    st.caption(f"{icon} {norm_sentence(side, key, n)} ({n.source})")
    lines = []
    for key, a in rep.asymmetry.items():
        if a:
            lines.append(f"- **{key.upper()}**: {asymmetry_sentence(a)}")
    if lines:
        st.markdown("**Left vs right**\n" + "\n".join(lines))
    v = rep.vertical_reference
    if v:
        st.caption(f"Vertical reference: {v.method} (confidence {v.confidence}).")
    if rep.band_basis:
        st.caption(f"{BAND_LEGEND} Here: {rep.band_basis}.")
    st.subheader("Shin angle over time")
    st.caption("+ = internal rotation (foot outward), − = external rotation; diamonds: held peaks; green: usual range.")
    st.altair_chart(charts.rotation_chart(rep, outcome.series), width="stretch")

"""The rotation tests' results view in the dashboard (Streamlit; imported only by the app)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ...dashboard import charts
from ...dashboard.jobs import Outcome
from ...dashboard.results_view import _deg
from ...wording import asymmetry_sentence


def _rotation(rep: dict[str, Any], outcome: Outcome) -> None:
    st.subheader(f"{outcome.test.capitalize()} hip rotation")
    cols = st.columns(2)
    for col, side in zip(cols, ("left", "right")):
        d = rep["sides"][side]
        with col.container(border=True):
            st.markdown(f"**{side.capitalize()} hip** (the person's {side})")
            if not d["measured"]:
                st.info("not measured: this leg was not seen well enough")
                continue
            a, b, c = st.columns(3)
            a.metric("IR", _deg(d["peak_ir_deg"]))
            b.metric("ER", _deg(d["peak_er_deg"]))
            c.metric("Total arc", _deg(d["total_arc_deg"]))
            for key, n in d["norms"].items():
                if n.get("verdict"):
                    lo, hi = n["band_deg"]
                    icon = "✅" if n["verdict"] == "within" else "⚠️"
                    st.caption(f"{icon} {key.upper()} {n['verdict']} the usual {lo:g}–{hi:g}° ({n['source']})")
    lines = []
    for key, a in rep.get("asymmetry", {}).items():
        if a:
            lines.append(f"- **{key.upper()}**: {asymmetry_sentence(a)}")
    if lines:
        st.markdown("**Left vs right**\n" + "\n".join(lines))
    v = rep.get("vertical_reference") or {}
    if v:
        st.caption(f"Vertical reference: {v.get('method')} (confidence {v.get('confidence')}).")
    st.subheader("Shin angle over time")
    st.caption("+ = internal rotation (foot outward), − = external rotation; diamonds: held peaks; green: usual range.")
    st.altair_chart(charts.rotation_chart(rep, outcome.series), width="stretch")

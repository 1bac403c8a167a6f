"""Drawing an :class:`~hipvision.dashboard.jobs.Outcome` in Streamlit: the test family's
view (``Family.show``: cards per side, a rep table, charts), warnings, the annotated video."""

from __future__ import annotations

import streamlit as st

from .. import analyzers
from .jobs import Outcome



def _deg(v: float | None) -> str:
    return "–" if v is None else f"{v:.1f}°"


def show(outcome: Outcome) -> None:
    rep = outcome.report
    family = analyzers.family_of(outcome.test)
    if family is not None and family.show is not None:
        family.show(outcome)
    else:  # a family without a view: the report as it is
        st.json(rep)
    for w in analyzers.typed_report(rep).warnings:
        st.warning(w.message)
    if outcome.annotated_video is not None and outcome.annotated_video.exists():
        st.subheader("Annotated video")
        st.video(str(outcome.annotated_video))

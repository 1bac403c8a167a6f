"""History page: people or athletes, their saved sessions, progress over time, reports,
exports and deletions. Reads and writes the local SQLite history (hipvision.history)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from .. import export
from ..errors import HipvisionError
from .. import analyzers
from ..flatten import metrics as all_metrics
from ..history import Deleted, History, Session
from ..report_html import render_session_report
from . import charts

#: the metrics worth a progress chart first, per test family


def render() -> None:
    st.header("History")
    try:
        _render()
    except HipvisionError as e:
        st.error(str(e))
    except Exception as e:  # never a traceback in the page
        st.error(f"Something went wrong with the history ({type(e).__name__}: {e}).")


def _render() -> None:
    try:
        h = History()
    except HipvisionError as e:
        st.error(f"The history database cannot be opened: {e}")
        return
    with h:
        st.caption(f"History file: {h.path} (local; set HIPVISION_DATA to keep it elsewhere)")
        if msg := st.session_state.pop("history_deleted", None):
            st.success(msg)
        people = h.people()
        if not people:
            st.info("No one saved yet. Analyse a recording and use **Save to history** under the result.")
            return
        names = {f"{p.name} ({p.sessions} session{'s' if p.sessions != 1 else ''})": p for p in people}
        person = names[st.selectbox("Person or athlete", list(names), key="history_person")]
        sessions = h.sessions(person.id)
        if not sessions:
            st.info(f"{person.name} has no sessions.")
        else:
            _progress(h, person.id, sessions)
            _sessions(h, sessions)
        st.download_button(
            f"All of {person.name}'s results (CSV)",
            export.records_csv(h.result_records(person.id)),
            f"{person.name}.results.csv",
            "text/csv",
        )
        with st.expander(f"Delete {person.name} and all their sessions"):
            st.caption(
                "Deletes their sessions, results and the annotated videos saved with them (in the data "
                "folder's videos/). Video files saved elsewhere (e.g. `hipvision analyze --save-video`) are kept."
            )
            sure = st.checkbox(f"Yes, delete {person.name} for good", key=f"sure_person_{person.id}")
            if st.button("Delete person", disabled=not sure, key=f"del_person_{person.id}"):
                done = h.delete_person(person.id)
                st.session_state.history_deleted = f"Deleted {person.name}{_files_text(done)}."
                st.rerun()


def _files_text(done: Deleted) -> str:
    """", with 2 annotated videos" and the files kept, for a deletion message."""
    n = len(done.removed)
    text = f" with {n} annotated video{'s' if n != 1 else ''}" if n else ""
    if done.kept:
        text += "; kept (not in hipvision's videos folder): " + ", ".join(str(p) for p in done.kept)
    return text


def _video(session: Session) -> None:
    """The session's annotated video, or a plain word when its file is gone."""
    if not session.video_path:
        return
    path = Path(session.video_path)
    if not path.is_file():
        st.info(f"The annotated video of this session is no longer on this computer ({path.name} was moved or deleted).")
        return
    if st.toggle("Show the annotated video", key=f"show_video_{session.id}"):
        st.video(str(path))  # a path: Streamlit reads the file itself (see docs/DESIGN.md)


def _progress(h: History, person_id: int, sessions: list[Any]) -> None:
    tests = sorted({s.test for s in sessions})
    test = st.selectbox("Test", tests, key="history_test")
    family = analyzers.family_of(test)
    preferred = family.preferred_metrics if family is not None else ()
    METRICS = all_metrics()
    metrics = h.metrics(person_id, test)
    ordered = [m for m in preferred if m in metrics] + [m for m in metrics if m not in preferred]
    if not ordered:
        return
    metric = st.selectbox("Measure", ordered, key="history_metric", format_func=lambda m: f"{m}: {METRICS.get(m, '')}")
    rows = [r for r in h.progress(person_id, test, metric) if r.rep == 0]
    if not rows:  # per-rep values only: show each session's mean per side
        per_rep = pd.DataFrame([r.__dict__ for r in h.progress(person_id, test, metric)])
        rows_df = per_rep.groupby(["session_id", "recorded_at", "side"], as_index=False)["value"].mean()
    else:
        rows_df = pd.DataFrame([r.__dict__ for r in rows])
    rows_df["side"] = rows_df["side"].replace("", "both")
    st.subheader(f"{METRICS.get(metric, metric)} over time")
    st.altair_chart(charts.progress_chart(rows_df.to_dict("records"), metric), width="stretch")


def _sessions(h: History, sessions: list[Any]) -> None:
    st.subheader("Sessions")
    table = pd.DataFrame(
        [{"session": s.id, "recorded": s.recorded_at.replace("T", " ")[:16], "test": s.test, "source": s.source} for s in reversed(sessions)]
    ).set_index("session")
    st.table(table)
    ids = [s.id for s in reversed(sessions)]
    sid = st.selectbox("Session", ids, key="history_session", format_func=lambda i: f"session {i}")
    session = h.session(sid)
    _video(session)
    c1, c2, c3 = st.columns(3)
    c1.download_button("Printable report (HTML)", render_session_report(session), f"session-{sid}.report.html", "text/html", key=f"rep_{sid}")
    c2.download_button("Report (JSON)", export.report_json(session.report), f"session-{sid}.json", "application/json", key=f"json_{sid}")
    with c3:
        sure = st.checkbox("Delete this session", key=f"sure_session_{sid}", help="Its results and its saved annotated video go too.")
        if st.button("Delete", disabled=not sure, key=f"del_session_{sid}"):
            done = h.delete_session(sid)
            st.session_state.history_deleted = f"Deleted session {sid}{_files_text(done)}."
            st.rerun()

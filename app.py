"""hipvision dashboard (Streamlit): ``streamlit run app.py``.

Today: analyse a pose CSV (a bundled sample or an upload) for any test and see the result:
per-side rotation cards or a per-rep screening table, warnings in plain words, and the
signal over time. Coming next (issue #7): video and webcam input, history per person,
printable reports. The page is a thin layer over hipvision.api: no math here.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd  # a streamlit dependency
import streamlit as st

from hipvision import __version__, analyzers
from hipvision.api import run_analysis
from hipvision.config import DEFAULT_SETTINGS
from hipvision.errors import HipvisionError
from hipvision.posecsv import read_pose_csv
from hipvision.quality import summarize

SAMPLES = Path(__file__).resolve().parent / "samples"
SAMPLE_FILES = {
    "Seated hip rotation (sample)": ("seated_rotation.pose.csv", "seated"),
    "Prone hip rotation (sample)": ("prone_rotation.pose.csv", "prone"),
    "Squat (sample)": ("demo_squat_front.pose.csv", "squat"),
}

st.set_page_config(page_title="hipvision", layout="wide")
st.title("hipvision")
st.caption(f"version {__version__}: camera-based hip mobility and movement screening")
st.markdown(
    "hipvision turns a phone video, a webcam or recorded clips into clinical numbers: "
    "**seated and prone hip rotation** (internal/external rotation per side, asymmetry) and "
    "**squat/hinge screening** (knee valgus and lateral hip shift per rep). This page analyses "
    "pose data; video and webcam input, history and reports are being built."
)

choice = st.radio("Pose data", [*SAMPLE_FILES, "Upload a pose CSV"], horizontal=True)
tests = sorted(analyzers.available())
path: Path | None = None
default_test = "seated"
if choice in SAMPLE_FILES:
    name, default_test = SAMPLE_FILES[choice]
    path = SAMPLES / name
else:
    up = st.file_uploader("Pose CSV (frame,time_s,landmark,x_px,y_px,...)", type=["csv"])
    if up is not None:
        tmp = Path(tempfile.mkdtemp(prefix="hipvision-")) / Path(up.name).name
        tmp.write_bytes(up.getvalue())
        path = tmp
test = st.selectbox("Test", tests, index=tests.index(default_test))

if path is not None:
    try:
        seq = read_pose_csv(path)
    except HipvisionError as e:
        st.error(f"This file cannot be read as a pose CSV: {e}")
        st.stop()
    info = summarize(seq, DEFAULT_SETTINGS.cleaning.min_visibility)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Frames", info["frames"])
    c2.metric("Person found", f"{100 * info['detection_rate']:.0f} %")
    c3.metric("Duration", f"{info['duration_s']:.1f} s")
    c4.metric("Frame rate", f"{info['median_fps']:.0f} fps" if info["median_fps"] else "n/a")
    low = {k: v for k, v in info["lower_limb_visible"].items() if v < 0.9}
    if low:
        st.warning(
            "Some leg landmarks are often hidden or uncertain: "
            + ", ".join(f"{k.replace('_', ' ')} {100 * v:.0f} %" for k, v in low.items())
            + ". Keep the whole body in frame, in good light."
        )
    try:
        run = run_analysis(seq, test)
    except HipvisionError as e:
        st.error(str(e))
        st.stop()
    rep = run.report
    columns = analyzers.get(test).series_columns
    series = pd.DataFrame(run.series_rows(), columns=columns).set_index("time_s")

    if test in ("seated", "prone"):
        st.subheader(f"{test.capitalize()} hip rotation")
        cols = st.columns(2)
        for col, side in zip(cols, ("left", "right")):
            d = rep["sides"][side]
            col.markdown(f"**{side.capitalize()} hip** (the person's {side})")
            if not d["measured"]:
                col.info("not measured")
                continue
            a, b, c = col.columns(3)
            a.metric("IR", "-" if d["peak_ir_deg"] is None else f"{d['peak_ir_deg']:.1f}°")
            b.metric("ER", "-" if d["peak_er_deg"] is None else f"{d['peak_er_deg']:.1f}°")
            c.metric("Total arc", "-" if d["total_arc_deg"] is None else f"{d['total_arc_deg']:.1f}°")
            for key, n in d["norms"].items():
                if n["verdict"]:
                    col.caption(f"{key.upper()}: {n['verdict']} the usual {n['band_deg'][0]:g}–{n['band_deg'][1]:g}°")
        for key, a in rep["asymmetry"].items():
            if a:
                st.write(
                    f"{key.upper()} left − right: {a['left_minus_right_deg']:+.1f}° → **{a['verdict']}** "
                    f"(equal within {a['equal_within_deg']:g}°, measurement error {a['measurement_error_deg']:g}°)"
                )
        v = rep["vertical_reference"]
        st.caption(f"Vertical: {v['method']} (confidence {v['confidence']}).")
        st.subheader("Shin angle over time (+ = IR, foot outward)")
    else:
        st.subheader(f"{test} screening")
        rows = []
        for r in rep["reps"]:
            row = {"rep": r["index"], "bottom (s)": r["bottom_s"], "depth %": r["depth_pct"], "view": r["view"]}
            for side in ("left", "right"):
                d = r[side]
                row[f"FPPA {side}"] = None if not d else d["fppa_deg"]
                row[f"valgus {side}"] = None if not d else d["valgus"]
            row["hip shift %"] = r["hip_shift_pct"]
            row["hip shift"] = r["hip_shift"]
            rows.append(row)
        if rows:
            st.dataframe(pd.DataFrame(rows).set_index("rep"))
            w = rep["summary"]["worst_rep"]
            if w:
                st.write(f"Worst rep: **{w['index']}**, {w['side']} knee FPPA {w['fppa_deg']:.1f}°")
        else:
            st.info(rep.get("no_reps_reason", "no reps found"))
        st.subheader("Depth, FPPA and hip shift over time")
    for w in rep["warnings"]:
        st.warning(w["message"])
    st.line_chart(series)

"""hipvision dashboard (Streamlit): ``streamlit run app.py``.

Today: look at a pose CSV (upload one, or use the bundled sample): frames, detection,
lower-limb visibility and the leg landmark tracks over time. Coming next (issues #3, #5,
#7): video and webcam input, the seated/prone hip-rotation tests, squat/hinge screening,
history per person and printable reports. The page is a thin layer over hipvision.api.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import streamlit as st

from hipvision import __version__
from hipvision.config import DEFAULT_SETTINGS
from hipvision.errors import HipvisionError
from hipvision.posecsv import read_pose_csv
from hipvision.quality import LOWER_LIMB, summarize

SAMPLE = Path(__file__).resolve().parent / "samples" / "demo_squat_front.pose.csv"

st.set_page_config(page_title="hipvision", layout="wide")
st.title("hipvision")
st.caption(f"version {__version__}: camera-based hip mobility and movement screening")
st.markdown(
    "hipvision turns a phone video, a webcam or recorded clips into clinical numbers: "
    "**seated and prone hip rotation** (internal/external rotation per side, asymmetry, "
    "progress over weeks) and **squat/hinge screening** (knee valgus and lateral hip shift "
    "per rep). This first version shows the pose data the analyses will run on; the tests, "
    "video/webcam input, history and reports are being built."
)

source = st.radio("Pose data", ["Bundled sample", "Upload a pose CSV"], horizontal=True)
path: Path | None = None
if source == "Bundled sample":
    path = SAMPLE
else:
    up = st.file_uploader("Pose CSV (frame,time_s,landmark,x_px,y_px,...)", type=["csv"])
    if up is not None:
        tmp = Path(tempfile.mkdtemp(prefix="hipvision-")) / Path(up.name).name
        tmp.write_bytes(up.getvalue())
        path = tmp

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
    if info["multi_person_frames"]:
        st.warning("More than one person was in view: the tracked person may switch.")
    low = {k: v for k, v in info["lower_limb_visible"].items() if v < 0.9}
    if low:
        st.warning(
            "Some leg landmarks are often hidden or uncertain: "
            + ", ".join(f"{k.replace('_', ' ')} {100 * v:.0f} %" for k, v in low.items())
            + ". Keep the whole body in frame, in good light."
        )
    st.subheader("Leg landmarks, height in the image over time")
    st.caption("Pixels from the top of the frame (higher on the chart = lower in the image).")
    chart = {name.replace("_", " "): seq.point(name)[:, 1] for name in LOWER_LIMB}
    import pandas as pd  # a streamlit dependency

    df = pd.DataFrame(chart, index=pd.Index(np.round(seq.time_s, 3), name="time (s)"))
    st.line_chart(df)

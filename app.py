"""hipvision dashboard (Streamlit): ``streamlit run app.py``.

A thin layer over hipvision's Python API; the pages live in ``hipvision/dashboard``.
"""

from __future__ import annotations

import streamlit as st
from streamlit import config as st_config

from hipvision import __version__
from hipvision.config import DASHBOARD
from hipvision.dashboard import access, page_analyse, page_history, page_live, workdirs

# Streamlit's own upload limit follows hipvision's (HIPVISION_MAX_UPLOAD_MB): the browser and
# the server refuse a larger file before it is held in memory.
st_config.set_option("server.maxUploadSize", DASHBOARD.streamlit_upload_limit_mb())
workdirs.sweep_if_due()  # session folders unused for a day go (at start, then hourly)

st.set_page_config(page_title="hipvision", layout="wide")
st.title("hipvision")
st.caption(
    f"version {__version__} · camera-based hip mobility and movement screening · everything stays on this machine"
)

if not access.gate():  # off loopback: nothing without the password
    st.stop()

pages = [
    st.Page(page_analyse.render, title="Analyse", icon="📐", url_path="analyse", default=True),
    st.Page(page_live.render, title="Live camera", icon="🎥", url_path="live"),
    st.Page(page_history.render, title="History", icon="📈", url_path="history"),
]
st.navigation(pages).run()

"""Live camera page: the browser's camera (laptop or phone) through streamlit-webrtc, with a
real-time readout: per-side angle and peak hold for the rotation tests, rep count and flags
for screening. Frames never leave this machine: the browser streams them to this server only.
"""

from __future__ import annotations

import streamlit as st

from .. import analyzers
from ..config import DEFAULT_SETTINGS
from .instructions import instructions
from .live_processor import LiveProcessor


def live_tests() -> list[str]:
    """The tests with a live readout, in registry order (the first is the default)."""
    return [t for f in analyzers.families().values() if f.live is not None for t in f.tests]


def render() -> None:
    st.header("Live camera")
    st.markdown(
        "Point the camera as described below, press **START** and allow the camera. The numbers on "
        "the picture are a guide while testing: they carry no error band and no view check, so a "
        "\"valgus?\" here is a hint, not a finding; for the record, film the test and analyse the video."
    )
    tests = live_tests()
    test = st.selectbox("Test", sorted(tests), index=sorted(tests).index(tests[0]), key="live_test")
    mirrored = st.checkbox(
        "Mirrored picture", value=False, key="live_mirrored",
        help="Browsers send the camera picture unmirrored; tick only if your camera mirrors it "
        "itself (left and right are swapped back to the person's for every test).",
    )
    with st.expander(f"How to set up the {test} test"):
        st.markdown(instructions(test))
    try:
        from streamlit_webrtc import WebRtcMode, webrtc_streamer
    except ImportError:
        st.error("The live camera needs the streamlit-webrtc package: pip install streamlit-webrtc")
        return
    import av

    key = (test, mirrored)
    if st.session_state.get("live_key") != key:
        old = st.session_state.get("live_processor")
        if old is not None:
            old.close()
        st.session_state.live_processor = LiveProcessor(test, DEFAULT_SETTINGS, mirrored=mirrored)
        st.session_state.live_key = key
    proc: LiveProcessor = st.session_state.live_processor

    def callback(frame: "av.VideoFrame") -> "av.VideoFrame":
        img = frame.to_ndarray(format="rgb24")
        try:
            out = proc.process(img, None if frame.time is None else float(frame.time))
        except Exception as e:  # drawn on the picture from now on, never a dead stream
            proc.error = f"{type(e).__name__}: {e}"
            out = proc.process_error(img)
        return av.VideoFrame.from_ndarray(out, format="rgb24")

    webrtc_streamer(
        key=f"live-{test}-{mirrored}",
        mode=WebRtcMode.SENDRECV,
        video_frame_callback=callback,
        media_stream_constraints={"video": True, "audio": False},
        rtc_configuration={"iceServers": []},  # local network only: nothing leaves the machine
        async_processing=True,
    )
    if st.button("Reset the readout", help="Clear the peaks or the rep count and start again"):
        proc.reset()

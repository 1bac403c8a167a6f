"""Who may open the dashboard.

By default the server listens on the loopback address only (``.streamlit/config.toml``):
nobody else can reach it and no password is asked. Any other address (``--server.address``,
e.g. for the live camera in a phone's browser) lets the network in, and the dashboard then
shows nothing until the password from ``HIPVISION_DASHBOARD_PASSWORD`` is entered; without
one it refuses to run. A password that is set is asked for on loopback too (a proxy may be
forwarding the network to it).

:func:`decide` and :func:`password_matches` are pure; :func:`gate` is the Streamlit part.
"""

from __future__ import annotations

import hmac
import ipaddress
from enum import Enum

from ..config import DASHBOARD, ENV_DASHBOARD_PASSWORD, DashboardSettings

_UNLOCKED = "hipvision_access_unlocked"


class Access(Enum):
    OPEN = "open"  # loopback and no password: only this machine can connect
    ASK = "ask"  # a password is set: ask for it once per browser session
    REFUSE = "refuse"  # reachable from the network and no password: show nothing


def is_loopback(address: str | None) -> bool:
    """True when a server bound to ``address`` (Streamlit's ``server.address``) can be reached
    from this machine only. None or '' means every interface; a host name other than
    ``localhost`` or a unix socket (usually behind a proxy) does not count as loopback."""
    if not address:
        return False
    host = address.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def decide(address: str | None, password: str) -> Access:
    if password:
        return Access.ASK
    return Access.OPEN if is_loopback(address) else Access.REFUSE


def password_matches(entered: str, password: str) -> bool:
    """Constant-time comparison; an empty password never matches."""
    return bool(password) and hmac.compare_digest(entered.encode(), password.encode())


def gate(settings: DashboardSettings = DASHBOARD) -> bool:
    """True when the pages may be shown; otherwise shows the password box or the refusal."""
    import streamlit as st
    from streamlit import config

    address = config.get_option("server.address")
    password = settings.password()
    access = decide(address, password)
    if access is Access.OPEN or (access is Access.ASK and st.session_state.get(_UNLOCKED)):
        return True
    if access is Access.REFUSE:
        st.error(
            f"The dashboard listens on {address or 'every network interface'}, where other computers can "
            f"reach it, and no password is set: set {ENV_DASHBOARD_PASSWORD} and restart, or run it on "
            "this machine only (`streamlit run app.py`, no --server.address)."
        )
        return False
    with st.form("hipvision_password"):
        entered = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Open")
    if submitted:
        if password_matches(entered, password):
            st.session_state[_UNLOCKED] = True
            st.rerun()
        st.error("Wrong password.")
    return False

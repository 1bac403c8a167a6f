"""Who may open the dashboard (hipvision/dashboard/access.py): the decision, and the gate in
app.py as a user meets it (AppTest, with Streamlit's server.address set as the flag would)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from hipvision.config import ENV_DASHBOARD_PASSWORD
from hipvision.dashboard.access import Access, decide, is_loopback, password_matches

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _asks_password(at: AppTest) -> bool:
    return any(t.label == "Password" for t in at.text_input)


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_addresses(address: str) -> None:
    assert is_loopback(address)


@pytest.mark.parametrize(
    "address", [None, "", "0.0.0.0", "::", "192.168.1.20", "fd00::2", "myhost.local", "unix:///tmp/st.sock"]
)
def test_addresses_the_network_can_reach(address: str | None) -> None:
    assert not is_loopback(address)


def test_the_decision() -> None:
    assert decide("127.0.0.1", "") is Access.OPEN
    assert decide("0.0.0.0", "") is Access.REFUSE
    assert decide(None, "") is Access.REFUSE  # Streamlit's default: every interface
    assert decide("192.168.1.20", "pw") is Access.ASK
    assert decide("127.0.0.1", "pw") is Access.ASK  # a set password is always asked for


def test_password_matches() -> None:
    assert password_matches("correct horse", "correct horse")
    assert not password_matches("correct hors", "correct horse")
    assert not password_matches("", "")  # no password set never opens
    assert password_matches("ünïcode", "ünïcode")


def _app(address: str) -> AppTest:
    with patch_config_options({"server.address": address}):
        return AppTest.from_file(APP, default_timeout=60).run()


def test_on_the_network_without_a_password_nothing_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_DASHBOARD_PASSWORD, raising=False)
    at = _app("0.0.0.0")
    assert not at.exception
    assert len(at.error) == 1 and ENV_DASHBOARD_PASSWORD in at.error[0].value
    assert not at.radio and not at.metric and not _asks_password(at)  # no page, no password box


def test_on_the_network_the_password_opens_the_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_DASHBOARD_PASSWORD, "s3cret")
    with patch_config_options({"server.address": "0.0.0.0"}):
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.radio and not at.metric and _asks_password(at)  # nothing before the password
        at.text_input[0].input("wrong")
        at.button[0].click().run()
        assert not at.radio and any(e.value == "Wrong password." for e in at.error)
        at.text_input[0].input("s3cret")
        at.button[0].click().run()
        assert not at.exception
        assert at.radio and not _asks_password(at)  # the Analyse page, the box gone
        at.run()  # stays open for the rest of the session
        assert at.radio and not _asks_password(at)


def test_on_loopback_no_password_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_DASHBOARD_PASSWORD, raising=False)
    at = _app("127.0.0.1")
    assert not at.exception and at.radio and not _asks_password(at)

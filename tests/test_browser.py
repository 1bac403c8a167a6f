"""The dashboard in a real browser: headless Chromium (Debian package ``chromium``) against
``streamlit run app.py`` on localhost, driven over the DevTools protocol. Loads the page,
checks the seated sample's result, runs the squat sample and keeps a screenshot under the
test's tmp dir (its path is printed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from streamlit_server import stop, streamlit_app

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs the chromium browser (apt-get install chromium)")


def _wait(predicate, timeout: float, what: str, step: float = 0.25) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = predicate()
        if v:
            return v
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {**os.environ, "HIPVISION_DATA": str(tmp_path_factory.mktemp("data"))}
    env.pop("HIPVISION_DASHBOARD_PASSWORD", None)  # loopback, no password asked
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    args = ("--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none")
    with streamlit_app(log, env, *args) as app:
        yield app.url


class DevTools:
    """The few DevTools-protocol calls the test needs, over the websockets package
    (a streamlit dependency)."""

    def __init__(self, ws_url: str) -> None:
        from websockets.sync.client import connect

        self.ws = connect(ws_url, max_size=64 * 1024 * 1024).__enter__()
        self.next_id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    def js(self, expression: str) -> Any:
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return r["result"].get("value")

    def text(self) -> str:
        return self.js("document.body ? document.body.innerText : ''") or ""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1400,1800",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        _wait(lambda: port_file.exists() and port_file.read_text().strip(), 60, "chromium to start")
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        dt = DevTools(pages[0]["webSocketDebuggerUrl"])
        yield dt
        dt.ws.close()
    finally:
        stop(proc)


def test_dashboard_in_a_real_browser(server: str, browser: DevTools, tmp_path: Path) -> None:
    browser.call("Page.navigate", url=server)
    # the default page analyses the seated sample: the left IR card ("36.2 ± 6.5°") and the chart
    from hipvision.api import analyze as _analyze
    from hipvision.wording import with_band

    left = _analyze(ROOT / "samples" / "seated_rotation.pose.csv", "seated")["sides"]["left"]
    card = with_band(left["peak_ir_deg"], left.get("peak_ir_band_deg"))
    _wait(lambda: "Total arc" in browser.text() and card in browser.text(), 90, f"the seated sample result ({card})")
    assert "Traceback" not in browser.text()
    _wait(lambda: browser.js("document.querySelectorAll('.vega-embed').length") or 0, 30, "the interactive chart")

    # run another sample: click the squat sample, wait for the rep table
    clicked = browser.js(
        "(() => { const l = [...document.querySelectorAll('label')].find(e => e.innerText.trim() === 'Squat (sample)');"
        " if (!l) return false; l.click(); return true; })()"
    )
    assert clicked
    _wait(lambda: "Worst rep" in browser.text(), 90, "the squat sample's rep table")
    text = browser.text()
    assert "Squat screening" in text and "Traceback" not in text
    def table() -> str:
        return browser.js("(document.querySelector('[data-testid=stTable]') || {}).textContent || ''") or ""

    _wait(lambda: "FPPA left" in table(), 60, "the rep table")
    from hipvision.api import analyze

    first = analyze(ROOT / "samples" / "demo_squat_front.pose.csv", "squat")["reps"][0]
    assert f"{first['left']['fppa_deg']:.1f}" in table()  # the rep table's numbers
    _wait(lambda: (browser.js("document.querySelectorAll('.vega-embed canvas, .vega-embed svg').length") or 0) >= 2, 30, "both screening charts")
    time.sleep(1.0)  # let the charts finish drawing before the screenshot

    shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    import base64

    png = tmp_path / "dashboard.png"
    png.write_bytes(base64.b64decode(shot["data"]))
    print(f"screenshot: {png}")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_history_and_live_pages_render(server: str, browser: DevTools) -> None:
    for path, expect in (("/history", "No one saved yet"), ("/live", "press START")):
        browser.call("Page.navigate", url=server + path)
        _wait(lambda: expect in browser.text(), 60, f"{path} to render")
        assert browser.js("document.querySelectorAll('[data-testid=stException]').length") == 0
        assert "Traceback" not in browser.text()
    # the live page's camera component (streamlit-webrtc) is on the page
    _wait(lambda: browser.js("document.querySelectorAll('iframe').length") or 0, 30, "the camera component")

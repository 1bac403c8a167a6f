"""Start ``python -m streamlit run app.py`` from the checkout for the tests that drive the
real server (test_browser.py, test_privacy_server.py): a free loopback port, wait for the
health endpoint, stop the process afterwards."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple

ROOT = Path(__file__).resolve().parents[1]


class Streamlit(NamedTuple):
    proc: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health(port: int) -> list[str] | None:
    """The health endpoint's Set-Cookie headers (it sets the XSRF cookie), None when not up."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return (r.headers.get_all("Set-Cookie") or []) if r.status == 200 else None
    except OSError:
        return None


@contextmanager
def streamlit_app(log: Path, env: dict[str, str], *args: str, timeout: float = 60.0) -> Iterator[Streamlit]:
    """``python -m streamlit run app.py --server.port PORT --server.headless true ARGS`` in the
    checkout with ``env``; output goes to ``log``. Yields once the server answers."""
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true", *args],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        end = time.monotonic() + timeout
        while proc.poll() is None and health(port) is None and time.monotonic() < end:
            time.sleep(0.25)
        assert proc.poll() is None and health(port) is not None, f"streamlit did not start: {log.read_text()}"
        yield Streamlit(proc, port, log)
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """Terminate ``proc``; kill it when it has not gone after 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()

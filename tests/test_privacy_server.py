"""The dashboard's server as the README starts it (``streamlit run app.py`` from the checkout):
it listens on loopback only, attempts no connection off this machine, and Streamlit itself
refuses an upload above hipvision's limit.

Outbound attempts are caught by a ``sitecustomize`` module put on the server's PYTHONPATH: it
wraps the Python socket calls (connect, connect_ex, sendto, getaddrinfo, gethostbyname),
writes every destination that is not loopback to a file and blocks it, so nothing leaves even
when it fires. Native code that opens sockets itself would not be seen (Streamlit's network
code is all Python)."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest
from streamlit_server import health, streamlit_app

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads listening sockets from Linux's /proc")

NET_HOOK = '''
import errno, ipaddress, os, socket

_LOG = os.environ["HIPVISION_TEST_NET_LOG"]
open(_LOG + ".loaded", "w").close()


def _local(host):
    if host is None:
        return True  # getaddrinfo(None, port): an address to bind to
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).strip("[]").split("%")[0]
    if host in ("", "localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name to look up: DNS leaves the machine
    return ip.is_loopback or ip.is_unspecified


def _note(what, dest):
    with open(_LOG, "a") as fh:
        fh.write(f"{what} {dest!r}\\n")


def _inet(sock, address):
    return sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple)


_connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
_getaddrinfo, _gethostbyname = socket.getaddrinfo, socket.gethostbyname


def connect(self, address):
    if _inet(self, address) and not _local(address[0]):
        _note("connect", address)
        raise OSError(errno.ENETUNREACH, "blocked by the test")
    return _connect(self, address)


def connect_ex(self, address):
    if _inet(self, address) and not _local(address[0]):
        _note("connect_ex", address)
        return errno.ENETUNREACH
    return _connect_ex(self, address)


def sendto(self, data, *args):
    address = args[-1]
    if _inet(self, address) and not _local(address[0]):
        _note("sendto", address)
        raise OSError(errno.ENETUNREACH, "blocked by the test")
    return _sendto(self, data, *args)


def getaddrinfo(host, *args, **kwargs):
    if not _local(host):
        _note("getaddrinfo", host)
        raise socket.gaierror(socket.EAI_NONAME, "blocked by the test")
    return _getaddrinfo(host, *args, **kwargs)


def gethostbyname(host):
    if not _local(host):
        _note("gethostbyname", host)
        raise socket.gaierror(socket.EAI_NONAME, "blocked by the test")
    return _gethostbyname(host)


socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
socket.getaddrinfo, socket.gethostbyname = getaddrinfo, gethostbyname
'''


class Server(NamedTuple):
    proc: subprocess.Popen
    port: int
    net_log: Path
    log: Path


def _hooked_env(tmp: Path, **extra: str) -> tuple[dict[str, str], Path]:
    hook_dir = tmp / "nethook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(NET_HOOK)
    net_log = tmp / "outbound.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hook_dir), os.environ.get("PYTHONPATH")])),
        "HIPVISION_TEST_NET_LOG": str(net_log),
        "HIPVISION_DATA": str(tmp / "data"),
        **extra,
    }
    if "HIPVISION_DASHBOARD_PASSWORD" not in extra:
        env.pop("HIPVISION_DASHBOARD_PASSWORD", None)  # as a user starts it: no password
    return env, net_log


def _start(tmp: Path, **env_extra: str) -> Iterator[Server]:
    """``python -m streamlit run app.py`` in the checkout, as the README gives it, plus only a
    free port and headless mode (no --server.address)."""
    env, net_log = _hooked_env(tmp, **env_extra)
    with streamlit_app(tmp / "server.log", env) as app:
        yield Server(app.proc, app.port, net_log, app.log)


@contextmanager
def _session(port: int) -> Iterator[str]:
    """A session opened as the browser does (the websocket, then a script run), once app.py
    has finished; yields the session's id and keeps the session open until the block ends."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    session_id = ""
    with connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"]) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(ws.recv(timeout=90))
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                session_id = fwd.new_session.initialize.session_id
            elif kind == "script_finished":
                break
        assert session_id
        yield session_id


def _proc_net_address(hex_addr: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    raw = bytes.fromhex(hex_addr)
    # /proc/net/tcp{,6} print each 32-bit word in host (little-endian) order
    return ipaddress.ip_address(b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4)))


def _bound_sockets(pid: int) -> list[tuple[str, ipaddress.IPv4Address | ipaddress.IPv6Address, int]]:
    """(table, address, port) of the process's listening TCP and bound UDP sockets."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            f = line.split()
            local, state, inode = f[1], f[3], f[9]
            if inode not in inodes or (table.startswith("tcp") and state != "0A"):  # 0A = LISTEN
                continue
            addr, port = local.split(":")
            found.append((table, _proc_net_address(addr), int(port, 16)))
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _start(tmp_path_factory.mktemp("privacy"))


def test_the_dashboard_listens_on_loopback_only(server: Server) -> None:
    sockets = _bound_sockets(server.proc.pid)
    assert any(port == server.port for _, _, port in sockets), f"no listening socket found: {sockets}"
    exposed = [s for s in sockets if not s[1].is_loopback]
    assert not exposed, f"listening beyond this machine: {exposed}"
    assert "Network URL" not in server.log.read_text()


def test_the_dashboard_attempts_no_outbound_connection(server: Server) -> None:
    base = f"http://127.0.0.1:{server.port}"
    for path in ("/", "/_stcore/health"):
        with urllib.request.urlopen(base + path, timeout=10) as r:
            assert r.status == 200
    with _session(server.port):  # app.py runs as for a browser's page load
        pass
    time.sleep(1.0)
    assert Path(f"{server.net_log}.loaded").exists(), "the network hook did not load"
    outbound = server.net_log.read_text() if server.net_log.exists() else ""
    assert outbound == "", f"outbound attempts:\n{outbound}"
    assert "external IP" not in server.log.read_text()


def test_the_network_hook_sees_an_outbound_attempt(tmp_path: Path) -> None:
    """The detector itself works (and blocks): a connection to a documentation-only address
    (RFC 5737) and a name lookup are recorded and refused without reaching the network."""
    env, net_log = _hooked_env(tmp_path)
    code = (
        "import socket\n"
        "for f in (lambda: socket.create_connection(('192.0.2.1', 80), timeout=1),"
        " lambda: socket.getaddrinfo('example.invalid', 80)):\n"
        "    try: f()\n"
        "    except OSError: pass\n"
        "    else: raise SystemExit('not blocked')\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    logged = net_log.read_text()
    assert "192.0.2.1" in logged and "example.invalid" in logged


def _put_upload(port: int, session_id: str, xsrf: str, size: int) -> int:
    """PUT a file of ``size`` bytes to Streamlit's upload endpoint as the uploader does; the
    HTTP status. Raw socket: the server may answer and close before the body is sent."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="clip.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode() + b"\0" * size + f"\r\n--{boundary}--\r\n".encode()
    head = (
        f"PUT /_stcore/upload_file/{session_id}/{uuid.uuid4().hex} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n"
        f"X-Xsrftoken: {xsrf}\r\nCookie: _streamlit_xsrf={xsrf}\r\nConnection: close\r\n\r\n"
    )
    reply = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(head.encode())
        try:
            s.sendall(body)
        except OSError:
            pass  # refused early (Content-Length over the limit): read the answer
        try:
            while chunk := s.recv(65536):
                reply += chunk
        except OSError:
            pass
    assert reply.startswith(b"HTTP/1.1 "), f"no HTTP answer: {reply[:80]!r}"
    return int(reply.split(b" ", 2)[1])


def test_streamlit_itself_refuses_an_upload_over_hipvisions_limit(tmp_path: Path) -> None:
    for srv in _start(tmp_path, HIPVISION_MAX_UPLOAD_MB="1"):
        cookies = health(srv.port) or []
        xsrf = next(c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("_streamlit_xsrf="))
        with _session(srv.port) as session_id:  # app.py sets server.maxUploadSize from the setting
            assert _put_upload(srv.port, session_id, xsrf, 1000) == 204  # under the limit: accepted
            assert _put_upload(srv.port, session_id, xsrf, 3 << 20) == 413  # 3 MB: "File too large"

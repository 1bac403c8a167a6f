"""Silencing native libraries that print straight to file descriptor 2.

MediaPipe's TFLite/glog (including the ``DestroyAccelerator`` lines mediapipe 1.2.3 prints
at teardown), and OpenCV's video backends write to fd 2 directly, ignoring Python's
logging, which would break the CLI's one-line error contract. Two tools:

* :func:`route_native_stderr_away` is called once by the command-line entry points: for the
  whole life of the process (atexit and interpreter teardown included) fd 2 goes to
  ``/dev/null`` while Python's ``sys.stderr`` (our messages, progress bars, tracebacks of
  bugs) keeps writing to the original stderr through a duplicate descriptor.
* :func:`native_stderr_silenced` silences fd 2 around one block, for library use (the
  dashboard, the Python API) where the process is not ours to redirect.

Set ``HIPVISION_DEBUG=1`` to see the native output.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import Iterator

ENV_DEBUG = "HIPVISION_DEBUG"


def debug_enabled() -> bool:
    return bool(os.environ.get(ENV_DEBUG))


def route_native_stderr_away() -> bool:
    """Send fd 2 to /dev/null for the rest of the process; keep ``sys.stderr`` on the real
    stderr. Returns False (and does nothing) under ``HIPVISION_DEBUG`` or when fd 2 is
    already routed. Child processes inherit the silenced fd 2 for their native output."""
    if debug_enabled() or getattr(sys.stderr, "_hipvision_routed", False):
        return False
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no fd 2 at all (e.g. a daemon): nothing to protect
        return False
    os.set_inheritable(saved, False)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    old = sys.stderr
    stream = io.TextIOWrapper(
        io.FileIO(saved, "w", closefd=True),
        encoding=getattr(old, "encoding", None) or "utf-8",
        errors="backslashreplace",
        line_buffering=True,
        write_through=True,
    )
    stream._hipvision_routed = True  # type: ignore[attr-defined]
    sys.stderr = stream
    return True


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Redirect fd 2 to /dev/null for the duration of the block (unless HIPVISION_DEBUG)."""
    if debug_enabled() or getattr(sys.stderr, "_hipvision_routed", False):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)

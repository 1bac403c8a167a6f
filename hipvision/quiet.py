"""Silencing native libraries that print straight to file descriptor 2.

MediaPipe's TFLite/glog and OpenCV's video backends write warnings to fd 2 directly,
ignoring Python's logging, which would break the CLI's one-line error contract. Set
``HIPVISION_DEBUG=1`` to see their output.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Redirect fd 2 to /dev/null for the duration of the block (unless HIPVISION_DEBUG)."""
    if os.environ.get("HIPVISION_DEBUG"):
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

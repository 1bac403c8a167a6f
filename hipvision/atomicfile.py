"""Atomic output files: write under a temporary name in the target's folder, then rename.

A crash or a kill at any moment leaves either the old file or the complete new one under
the final name, never a partial one (batch mode relies on this to resume safely).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def temp_beside(target: Path, suffix: str = ".part") -> Path:
    """Create an empty temporary file next to ``target`` and return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    return Path(name)


def commit(tmp: Path, target: Path) -> None:
    """Give ``tmp`` normal permissions (mkstemp makes it private) and rename it to ``target``."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, target)

"""Atomic output files: write under a temporary name in the target's folder, then rename.

A crash or a kill at any moment leaves either the old file or the complete new one under
the final name, never a partial one (batch mode relies on this to resume safely).
Also the guard used before deleting files hipvision owns (:func:`is_inside`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError


def check_target(target: Path) -> None:
    """Fail early, before any slow work, when ``target`` cannot be an output file."""
    if target.is_dir():
        raise InputError(f"{target}: is a folder; give a file name for the output")
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise InputError(f"{target}: cannot write there ({parent} is not a writable folder)")


def temp_beside(target: Path, suffix: str = ".part") -> Path:
    """Create an empty temporary file next to ``target`` and return its path."""
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    return Path(name)


def commit(tmp: Path, target: Path) -> None:
    """Give ``tmp`` normal permissions (mkstemp makes it private) and rename it to ``target``."""
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write {target}: {e.strerror}") from None


def is_inside(path: Path, folder: Path) -> bool:
    """``path`` lies inside ``folder`` (never ``folder`` itself), judged by where its parent
    folder really is: ``folder/../x`` or a folder link leading out does not count, while a
    link named inside ``folder`` does (deleting it never touches its target)."""
    if path.name in ("", ".", ".."):
        return False
    try:
        parent, root = path.parent.resolve(), folder.resolve()
    except OSError:
        return False
    return parent == root or root in parent.parents

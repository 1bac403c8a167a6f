"""Atomic output files: write under a temporary name in the target's folder, then rename.

A crash or a kill at any moment leaves either the old file or the complete new one under
the final name, never a partial one (batch mode relies on this to resume safely). A killed
process cannot remove its temporary file, so the name carries the writer's host and process
id (``.NAME.hv-HOST-PID-XXXXXXXX.part``) and the next temporary file created in that folder
first removes those whose writer is gone (:func:`sweep_stale`).
Also the guard used before deleting files hipvision owns (:func:`is_inside`).
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import time
import zlib
from pathlib import Path

from .config import TEMP_FILES, TempFileSettings
from .errors import InputError

#: this computer in temporary names (a short checksum of the host name)
HOST = f"{zlib.crc32(socket.gethostname().encode()):08x}"
#: a temporary file named by an older hipvision: ``.NAME.XXXXXXXX.part[.mp4]`` (mkstemp)
_LEGACY = re.compile(r"^\..+\.[a-z0-9_]{8}\.part(\.mp4)?$")


def check_target(target: Path) -> None:
    """Fail early, before any slow work, when ``target`` cannot be an output file."""
    if target.is_dir():
        raise InputError(f"{target}: is a folder; give a file name for the output")
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise InputError(f"{target}: cannot write there ({parent} is not a writable folder)")


def temp_beside(target: Path, suffix: str = ".part", settings: TempFileSettings = TEMP_FILES) -> Path:
    """Create an empty temporary file next to ``target`` and return its path (after removing
    the folder's temporary files left by killed runs, :func:`sweep_stale`)."""
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(target.parent, settings)
    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}.{settings.tag}-{HOST}-{os.getpid()}-", suffix=suffix, dir=target.parent
    )
    os.close(fd)
    return Path(name)


def _ours(settings: TempFileSettings) -> re.Pattern[str]:
    return re.compile(rf"^\..+\.{re.escape(settings.tag)}-(?P<host>[0-9a-f]{{8}})-(?P<pid>\d+)-[a-z0-9_]+\.part(\.mp4)?$")


def process_alive(pid: int) -> bool:
    """A process with this id exists on this computer (another user's counts too)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True  # cannot tell: keep its files
    return True


def is_stale(path: Path, settings: TempFileSettings = TEMP_FILES, now: float | None = None) -> bool:
    """``path`` is a temporary file of hipvision whose writer is gone: written on this
    computer by a process that no longer exists; or, where that cannot be checked (written
    on another computer, or named by an older hipvision without a process id), not modified
    for ``settings.stale_hours``. Anything else, including a live writer's file however old,
    is not stale."""
    m = _ours(settings).match(path.name)
    if m is None and not _LEGACY.match(path.name):
        return False
    try:
        st = path.lstat()
    except OSError:
        return False
    if not path.is_file() or path.is_symlink():
        return False
    if m is not None and m["host"] == HOST:
        return not process_alive(int(m["pid"]))
    age_h = ((time.time() if now is None else now) - st.st_mtime) / 3600.0
    return age_h > settings.stale_hours


def sweep_stale(folder: Path, settings: TempFileSettings = TEMP_FILES) -> list[Path]:
    """Remove the stale temporary files (:func:`is_stale`) directly in ``folder``; returns
    them. Never fails: a file that cannot be listed or removed is left."""
    removed: list[Path] = []
    try:
        names = [e.name for e in os.scandir(folder) if e.name.startswith(".") and ".part" in e.name]
    except OSError:
        return removed
    for name in names:
        p = folder / name
        if is_stale(p, settings):
            try:
                p.unlink()
                removed.append(p)
            except OSError:
                pass  # gone already, or not ours to remove
    return removed


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

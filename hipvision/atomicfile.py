"""Atomic output files: write under a temporary name in the target's folder, then rename.

A crash or a kill at any moment leaves either the old file or the complete new one under
the final name, never a partial one (batch mode relies on this to resume safely). A killed
process cannot remove its temporary file, so the name carries the writer's host and process
id (``.NAME.hv-HOST-PID-XXXXXXXX.part``) and the next temporary file created in that folder
first removes those whose writer is gone (:func:`sweep_stale`).

Every output file of hipvision is written through this module:

* :func:`atomic_write` -- an open file (text or binary) under a temporary name;
* :class:`AtomicPath` -- the temporary file's *name*, for writers that open it themselves
  (PyAV, pyarrow, ``shutil.copyfile``), also usable across the ``__enter__``/``__exit__`` of
  a streaming writer (:meth:`AtomicPath.begin` / :meth:`AtomicPath.finish`);
* :func:`write_atomic` -- a whole text or bytes value at once.

Also the guard used before deleting files hipvision owns (:func:`is_inside`).
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, Any

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


class AtomicPath:
    """A temporary file beside ``target`` that becomes ``target`` when the work succeeds.

    As a context manager it yields the temporary file's path (created empty, with the
    folder's stale temporary files swept first); a block that exits normally renames it to
    ``target``, one that raises (or called :meth:`discard`) removes it. A streaming writer
    that spans its own ``__enter__``/``__exit__`` calls :meth:`begin` and :meth:`finish`.
    """

    def __init__(self, target: str | os.PathLike[str], suffix: str = ".part", settings: TempFileSettings = TEMP_FILES) -> None:
        self.target = Path(target)
        self.suffix = suffix
        self.settings = settings
        self.tmp: Path | None = None
        self._keep = True

    def begin(self) -> Path:
        """Create the temporary file; returns its path."""
        self.tmp = temp_beside(self.target, self.suffix, self.settings)
        return self.tmp

    def discard(self) -> None:
        """Do not commit at the end: the block's result is not wanted (e.g. an empty video)."""
        self._keep = False

    def finish(self, ok: bool) -> None:
        """Commit the temporary file to ``target`` when ``ok`` (and not discarded); remove
        it in every other case, and whatever happens (a failed commit included)."""
        assert self.tmp is not None, "finish() before begin()"
        try:
            if ok and self._keep:
                commit(self.tmp, self.target)
        finally:
            self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> Path:
        return self.begin()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.finish(exc_type is None)


@contextmanager
def atomic_write(
    target: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = None,
    settings: TempFileSettings = TEMP_FILES,
) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``target`` for writing (``mode`` ``"w"`` for text,
    UTF-8 by default, or ``"wb"``); the file is closed and renamed to ``target`` when the
    block exits normally, removed when it raises."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write: mode must be 'w' or 'wb', not {mode!r}")
    with AtomicPath(target, settings=settings) as tmp:
        if mode == "wb":
            with open(tmp, "wb") as fh:
                yield fh
        else:
            with open(tmp, "w", encoding=encoding, newline=newline) as fh:
                yield fh


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; returns the path."""
    target = Path(path)
    with atomic_write(target, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    return target


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

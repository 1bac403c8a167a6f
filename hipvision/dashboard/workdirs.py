"""The dashboard's temporary folders: one per browser session for its uploads and annotated
videos (``hipvision-app-XXXX`` in the system's temporary folder, holding a marker file).

Each rerun of a session touches its marker, so the marker's time is the folder's last use.
Folders unused for longer than ``DashboardSettings.stale_workdir_hours`` (sessions that
ended: Streamlit has no hook for that) are deleted when the app starts and at most every
``sweep_interval_hours`` after. A folder is only ever deleted when it is ours: a real folder
(not a link) of this user, named with the prefix and holding the marker.

No Streamlit here (tested without a browser).
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import threading
import time
from pathlib import Path

from ..atomicfile import is_inside
from ..config import DASHBOARD, DashboardSettings

_lock = threading.Lock()
_last_sweep: list[float] = []  # monotonic time of this process's last sweep


def _root(root: Path | str | None) -> Path:
    return Path(root) if root is not None else Path(tempfile.gettempdir())


def create(root: Path | str | None = None, settings: DashboardSettings = DASHBOARD) -> Path:
    """A new private session folder (mode 700) with its marker."""
    folder = Path(tempfile.mkdtemp(prefix=settings.workdir_prefix, dir=_root(root)))
    touch(folder, settings)
    return folder


def touch(folder: Path, settings: DashboardSettings = DASHBOARD) -> None:
    """Mark ``folder`` as used now (recreating it and its marker when a sweep took it)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    marker = folder / settings.workdir_marker
    marker.touch()
    os.utime(marker)


def is_ours(folder: Path, settings: DashboardSettings = DASHBOARD) -> bool:
    """A session folder of this program and this user (name prefix, marker, real folder)."""
    try:
        st = folder.lstat()
        marker = (folder / settings.workdir_marker).lstat()
    except OSError:
        return False
    return (
        folder.name.startswith(settings.workdir_prefix)
        and stat.S_ISDIR(st.st_mode)
        and stat.S_ISREG(marker.st_mode)
        and (not hasattr(os, "getuid") or st.st_uid == os.getuid())
    )


def last_used(folder: Path, settings: DashboardSettings = DASHBOARD) -> float:
    """When ``folder`` was last used (the marker's modification time, seconds since the epoch)."""
    return (folder / settings.workdir_marker).stat().st_mtime


def sweep(
    root: Path | str | None = None,
    *,
    max_age_s: float | None = None,
    now: float | None = None,
    settings: DashboardSettings = DASHBOARD,
) -> list[Path]:
    """Delete our session folders in ``root`` (default: the system's temporary folder)
    unused for more than ``max_age_s`` (default: ``settings.stale_workdir_hours``).
    Anything else is left alone; folders that cannot be deleted are skipped. Returns the
    folders deleted."""
    age = settings.stale_workdir_hours * 3600.0 if max_age_s is None else max_age_s
    t = time.time() if now is None else now
    gone: list[Path] = []
    try:
        entries = list(os.scandir(_root(root)))
    except OSError:
        return gone
    for e in entries:
        if not e.name.startswith(settings.workdir_prefix):
            continue
        folder = Path(e.path)
        try:
            if not is_ours(folder, settings) or t - last_used(folder, settings) <= age:
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            gone.append(folder)
    return gone


def sweep_if_due(root: Path | str | None = None, settings: DashboardSettings = DASHBOARD) -> list[Path]:
    """:func:`sweep` on this process's first call (the app starting) and then at most every
    ``settings.sweep_interval_hours``; cheap otherwise."""
    with _lock:
        t = time.monotonic()
        if _last_sweep and t - _last_sweep[0] < settings.sweep_interval_hours * 3600.0:
            return []
        _last_sweep[:] = [t]
    return sweep(root, settings=settings)


def remove_inside(path: Path, folder: Path) -> bool:
    """Delete ``path`` (a file or a folder) if it lies inside ``folder``; True when deleted.
    The guard keeps shared files (the bundled samples) out of reach."""
    if not is_inside(path, folder):
        return False
    real = path.parent.resolve() / path.name  # a link itself, not its target
    try:
        if real.is_dir() and not real.is_symlink():
            shutil.rmtree(real)
        else:
            real.unlink(missing_ok=True)
    except OSError:
        return False
    return True

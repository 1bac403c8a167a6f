"""Where a batch writes: one folder per clip and test that cannot collide.

    OUT/batch.sqlite3                   state (see state.py)
    OUT/settings.json                   the settings of the run
    OUT/summary.csv, summary.parquet    one row per clip
    OUT/clips/<name>__<hash>/<test>/    pose.csv, report.json [, annotated.mp4] [, landmarks.trc]

``<name>`` is the clip's relative path made filesystem-safe and cut short (for people);
``<hash>`` is a hash of the exact relative path, so two clips with the same file name in
different folders (or names that differ only in case) get different folders.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def clip_folder_name(rel: str, max_chars: int = 60) -> str:
    """A stable, collision-free folder name for the relative path ``rel``."""
    digest = hashlib.sha1(rel.encode("utf-8")).hexdigest()[:10]
    readable = _UNSAFE.sub("_", rel.replace("/", "__")).strip("._")[:max_chars] or "clip"
    return f"{readable}__{digest}"


@dataclass(frozen=True)
class ClipPaths:
    """The output files of one clip."""

    folder: Path

    @property
    def pose_csv(self) -> Path:
        return self.folder / "pose.csv"

    @property
    def report(self) -> Path:
        return self.folder / "report.json"

    @property
    def video(self) -> Path:
        return self.folder / "annotated.mp4"

    @property
    def tracking(self) -> Path:
        """How the knees and ankles of a tracked rotation-test video were found."""
        return self.folder / "tracking.json"

    @property
    def trc(self) -> Path:
        return self.folder / "landmarks.trc"


def clip_paths(out_dir: Path, clips_folder: str, rel: str, test: str, max_chars: int = 60) -> ClipPaths:
    return ClipPaths(out_dir / clips_folder / clip_folder_name(rel, max_chars) / test)


def clip_key(rel: str, test: str) -> str:
    """The clip's identity in the state store."""
    return f"{rel}\n{test}"

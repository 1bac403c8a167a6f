"""The batch's state in SQLite (``OUT/batch.sqlite3``, WAL journal).

Only the main process writes it, one transaction per finished clip, and only after the
clip's output files were committed (renamed into place). So a kill at any moment leaves
each clip either ``done`` (``ok`` or ``error``, with its summary row) or not done; a clip
that was being processed when the kill came is simply not done, and the next run redoes
it. A half-written output never counts: it has no row here.

Tables: ``meta`` (key/value: fingerprints of the settings, format version) and ``clips``
(one row per clip and test: status, error, the summary row as JSON, when it finished).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputError

FORMAT = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clips (
    key TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    test TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'ok', 'error')),
    error TEXT NOT NULL DEFAULT '',
    row_json TEXT,
    runs INTEGER NOT NULL DEFAULT 0,
    finished_at REAL
);
"""


@dataclass(frozen=True)
class ClipState:
    key: str
    status: str
    error: str
    row: dict[str, Any] | None
    runs: int


class StateStore:
    """The state of one OUT folder. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30.0, isolation_level=None)  # explicit transactions
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as e:
            raise InputError(f"{path}: not a usable batch state file ({e}); use a new --out folder") from None
        fmt = self.get_meta("format")
        if fmt is None:
            self.set_meta({"format": FORMAT})
        elif fmt != FORMAT:
            raise InputError(f"{path}: written by a hipvision with state format {fmt} (this one reads {FORMAT}); use a new --out folder")

    def __enter__(self) -> "StateStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ meta
    def get_meta(self, key: str) -> str | None:
        r = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if r is None else r[0]

    def set_meta(self, values: dict[str, str], *, reset_clips: bool = False, forget_clips: bool = False) -> None:
        """Set meta values in one transaction; optionally mark every clip pending again
        (``reset_clips``) or forget all clips (``forget_clips``) in the same transaction."""
        with self._tx():
            self.db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", values.items())
            if forget_clips:
                self.db.execute("DELETE FROM clips")
            elif reset_clips:
                self.db.execute("UPDATE clips SET status = 'pending'")

    # ------------------------------------------------------------------ clips
    def add_clips(self, clips: Iterable[tuple[str, str, str]]) -> None:
        """Register (key, path, test) triples; known clips keep their state."""
        with self._tx():
            self.db.executemany(
                "INSERT INTO clips (key, path, test, status) VALUES (?, ?, ?, 'pending') "
                "ON CONFLICT(key) DO UPDATE SET path = excluded.path",
                clips,
            )

    def states(self) -> dict[str, ClipState]:
        out = {}
        for key, status, error, row_json, runs in self.db.execute("SELECT key, status, error, row_json, runs FROM clips"):
            out[key] = ClipState(key, status, error, json.loads(row_json) if row_json else None, runs)
        return out

    def finish(self, key: str, status: str, error: str, row: dict[str, Any]) -> None:
        """Record a finished clip (its outputs are already in place)."""
        with self._tx():
            self.db.execute(
                "UPDATE clips SET status = ?, error = ?, row_json = ?, runs = runs + 1, finished_at = ? WHERE key = ?",
                (status, error, json.dumps(row), time.time(), key),
            )

    def _tx(self):
        db = self.db

        class _Tx:
            def __enter__(self_inner) -> None:
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self_inner, exc_type, exc, tb) -> None:
                db.execute("COMMIT" if exc_type is None else "ROLLBACK")

        return _Tx()

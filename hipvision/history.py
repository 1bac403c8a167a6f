"""The local history: people (athletes), their test sessions and each session's key numbers,
in one SQLite file on this machine (stdlib :mod:`sqlite3`, nothing leaves the computer).

* Default file: ``history.sqlite3`` in the data folder (``$HIPVISION_DATA``, else
  ``$XDG_DATA_HOME/hipvision``, else ``~/.local/share/hipvision``); any path can be given.
* Schema versioned with ``PRAGMA user_version``; :data:`MIGRATIONS` bring an older file up
  to date when it is opened (in one transaction). A file from a newer hipvision, or a
  SQLite file of another program, is refused rather than touched.
* Foreign keys ON with ``ON DELETE CASCADE`` (deleting a person deletes their sessions and
  results). Deleting sessions also deletes their annotated video files once the deletion is
  committed: only files inside the videos folder (:func:`~hipvision.config.default_videos_dir`)
  that no remaining session points to; files elsewhere (``analyze --save-video``) are kept.
  WAL journal; every write is one ``BEGIN IMMEDIATE`` ... ``COMMIT`` transaction, so a
  process killed mid-write leaves the database as it was before that write.
* A history whose folder (or file) this user cannot write is opened read-only: reading
  works, a write fails naming what is not writable (see :class:`History`).

Tables: ``people(id, name UNIQUE NOCASE, notes, created)``; ``sessions(id, person_id, test,
recorded_at, created, source, hipvision_version, report_json, series_csv, series_path,
video_path)``; ``results(session_id, metric, side, rep, value)`` = the rows of
:func:`hipvision.flatten.flatten_report`. Times are ISO 8601 UTC text (sortable).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from . import __version__
from .atomicfile import is_inside
from .config import DEFAULT_SETTINGS, HistorySettings, default_history_path, default_videos_dir
from .errors import HistoryError
from .flatten import ResultRow, flatten_report
from .schema import Report

#: current schema version (``PRAGMA user_version``)
SCHEMA_VERSION = 2
#: ``PRAGMA application_id`` marking a hipvision history file ("HIPV")
APPLICATION_ID = 0x48495056


# ----------------------------------------------------------------------------- migrations
def _v0_to_v1(con: sqlite3.Connection) -> None:
    """People and sessions (the report JSON of each session)."""
    con.execute(
        """CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            notes TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL)"""
    )
    con.execute(
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            test TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            created TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            hipvision_version TEXT NOT NULL DEFAULT '',
            report_json TEXT NOT NULL,
            series_csv TEXT,
            video_path TEXT)"""
    )
    con.execute("CREATE INDEX sessions_by_person ON sessions(person_id, test, recorded_at)")


def _v1_to_v2(con: sqlite3.Connection) -> None:
    """The flattened results table (filled from the stored reports) and a series file path."""
    con.execute("ALTER TABLE sessions ADD COLUMN series_path TEXT")
    con.execute(
        """CREATE TABLE results (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            metric TEXT NOT NULL,
            side TEXT NOT NULL DEFAULT '',
            rep INTEGER NOT NULL DEFAULT 0,
            value REAL NOT NULL,
            PRIMARY KEY (session_id, metric, side, rep)) WITHOUT ROWID"""
    )
    con.execute("CREATE INDEX results_by_metric ON results(metric, session_id)")
    for sid, text in con.execute("SELECT id, report_json FROM sessions").fetchall():
        try:
            report = json.loads(text)
        except ValueError:
            continue  # an unreadable report keeps its session, without results
        _insert_results(con, sid, flatten_report(report))


#: MIGRATIONS[v] brings a version-v database to version v + 1
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_v0_to_v1, _v1_to_v2)
assert len(MIGRATIONS) == SCHEMA_VERSION


def _insert_results(con: sqlite3.Connection, session_id: int, rows: list[ResultRow]) -> None:
    con.executemany(
        "INSERT OR REPLACE INTO results(session_id, metric, side, rep, value) VALUES (?, ?, ?, ?, ?)",
        [(session_id, r.metric, r.side, r.rep, r.value) for r in rows],
    )


# ----------------------------------------------------------------------------- row types
@dataclass(frozen=True)
class Person:
    id: int
    name: str
    notes: str
    created: str
    sessions: int = 0


@dataclass(frozen=True)
class SessionInfo:
    """A session without its report (for lists)."""

    id: int
    person_id: int
    person: str
    test: str
    recorded_at: str
    created: str
    source: str
    hipvision_version: str
    series_path: str | None
    video_path: str | None
    has_series_csv: bool


@dataclass(frozen=True)
class Session(SessionInfo):
    """A session with everything stored about it."""

    report: dict[str, Any] = field(default_factory=dict)
    series_csv: str | None = None
    results: list[ResultRow] = field(default_factory=list)


@dataclass(frozen=True)
class ProgressRow:
    """One value of one session for a progress view (``side`` "" = whole body, ``rep`` 0 =
    whole session)."""

    session_id: int
    recorded_at: str
    side: str
    rep: int
    value: float


@dataclass(frozen=True)
class ResultRecord:
    """A result row with its person and session, for exports."""

    person: str
    session_id: int
    recorded_at: str
    test: str
    metric: str
    side: str
    rep: int
    value: float


@dataclass(frozen=True)
class Deleted:
    """What a deletion did: the sessions deleted, the video files removed, and the existing
    files the sessions pointed to that were kept (outside the videos folder, or not
    removable). A file another session still points to is neither."""

    sessions: int
    removed: tuple[Path, ...] = ()
    kept: tuple[Path, ...] = ()


def remove_owned_files(paths: list[str], videos_dir: Path) -> Deleted:
    """Remove those of ``paths`` that are inside ``videos_dir`` (files only, never folders);
    missing files are skipped silently. Returns what was removed and what was kept."""
    removed: list[Path] = []
    kept: list[Path] = []
    for text in paths:
        p = Path(text)
        if not p.is_absolute() or not is_inside(p, videos_dir) or (p.is_dir() and not p.is_symlink()):
            if p.exists():
                kept.append(p)
            continue
        try:
            p.unlink()
            removed.append(p)
        except FileNotFoundError:
            pass  # already gone: nothing to do
        except OSError:
            kept.append(p)
    return Deleted(0, tuple(removed), tuple(kept))


def _session_filter(person_id: int | None, test: str | None) -> tuple[str, list[Any]]:
    """A ``WHERE`` clause (or "") on the sessions table ``s`` for a person and/or a test."""
    conds, args = [], []
    if person_id is not None:
        conds.append("s.person_id = ?")
        args.append(person_id)
    if test is not None:
        conds.append("s.test = ?")
        args.append(test)
    return (" WHERE " + " AND ".join(conds)) if conds else "", args


def unwritable(path: Path) -> str | None:
    """Why the history file ``path`` cannot be written by this user (its folder, where SQLite
    keeps the WAL files, or the file or its WAL files), or None when it can."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    for p in (path, _beside(path, "-wal"), _beside(path, "-shm")):
        if p.exists() and not os.access(p, os.W_OK):
            return f"the file {p} is not writable"
    return None


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def normalize_time(when: datetime | str | None) -> str:
    """ISO 8601 UTC text (``2026-11-21T09:30:00+00:00``) of a datetime or ISO string; a naive
    time is local time. None = now."""
    if when is None:
        return now_utc()
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when.strip())
        except ValueError:
            raise HistoryError(f"'{when}' is not a date/time (use ISO 8601, e.g. 2026-11-21 or 2026-11-21T09:30)") from None
    if when.tzinfo is None:
        when = when.astimezone()  # local time
    return when.astimezone(timezone.utc).isoformat(timespec="seconds")


_SESSION_COLS = (
    "s.id, s.person_id, p.name, s.test, s.recorded_at, s.created, s.source, s.hipvision_version, "
    "s.series_path, s.video_path, s.series_csv IS NOT NULL"
)


# ----------------------------------------------------------------------------- the class
class History:
    """A history database. Use as a context manager or call :meth:`close`.

    Safe to share between threads (one lock around the connection); several processes may
    use the same file at once (SQLite locking, ``busy_timeout_s``).

    When this user cannot write the file's folder or the file (:func:`unwritable`), an
    existing, up-to-date history is opened read-only (:attr:`read_only`): the reading
    methods work, the writing ones raise :class:`HistoryError` naming what is not writable.
    SQLite's WAL mode needs a writable folder for its index file, so when SQLite cannot open
    the file read-only and no changes wait in its ``-wal`` file (every committed write is in
    the file itself) it is opened as immutable; a ``-wal`` file with changes it cannot read
    is an error."""

    def __init__(
        self,
        path: str | Path | None = None,
        settings: HistorySettings = DEFAULT_SETTINGS.history,
        *,
        videos_dir: str | Path | None = None,
    ) -> None:
        p = path if path is not None else settings.path
        self.path = Path(p).expanduser() if p is not None else default_history_path()
        #: the only folder whose files deletions remove (default: ``videos`` in the data folder)
        self.videos_dir = Path(videos_dir).expanduser() if videos_dir is not None else default_videos_dir()
        if self.path.is_dir():
            raise HistoryError(f"{self.path}: is a folder; give a file name for the history database")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise HistoryError(f"{self.path}: cannot create its folder ({e.strerror})") from None
        self._lock = threading.RLock()
        #: why the history cannot be written (None: it can); then it is open read-only
        self.read_only_reason = unwritable(self.path)
        if self.read_only_reason is not None and not self.path.exists():
            raise HistoryError(f"{self.path}: no history database there, and one cannot be created: {self.read_only_reason}")
        try:
            self._con = self._connect(settings.busy_timeout_s)
        except sqlite3.Error as e:
            raise HistoryError(f"{self.path}: cannot open the history database ({e})") from None
        try:
            self._con.execute("PRAGMA foreign_keys = ON")
            if not self.read_only:
                self._con.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except sqlite3.DatabaseError as e:
            self._con.close()
            raise HistoryError(f"{self.path}: not a usable hipvision history database ({e})") from None
        except BaseException:
            self._con.close()
            raise

    @property
    def read_only(self) -> bool:
        """The history is open read-only (this user cannot write it, see :func:`unwritable`)."""
        return self.read_only_reason is not None

    def require_writable(self) -> None:
        """Raise :class:`HistoryError` (naming the folder or file) unless the history can be
        changed (saving, deleting)."""
        if self.read_only_reason is not None:
            raise HistoryError(f"{self.path}: cannot change the history: {self.read_only_reason}")

    def _connect(self, timeout: float) -> sqlite3.Connection:
        kw: dict[str, Any] = {"timeout": timeout, "isolation_level": None, "check_same_thread": False}
        if not self.read_only:
            return sqlite3.connect(self.path, **kw)
        uri = self.path.resolve().as_uri()
        con = sqlite3.connect(f"{uri}?mode=ro", uri=True, **kw)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return con
        except sqlite3.OperationalError:
            con.close()  # WAL mode and no writable folder for its index file
        wal = _beside(self.path, "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise HistoryError(
                f"{self.path}: cannot be read read-only: {wal.name} holds changes not yet written into it "
                f"and {self.read_only_reason}; open it once where it can be written"
            )
        # no pending changes: the file holds every committed write, nothing to recover
        return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, **kw)

    # -------------------------------------------------------------- plumbing
    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._con.close()

    @contextmanager
    def _tx(self, mode: str = "IMMEDIATE") -> Iterator[sqlite3.Connection]:
        """One transaction: everything inside is committed together or not at all. Only
        ``DEFERRED`` transactions (reads) on a read-only history."""
        if mode != "DEFERRED":
            self.require_writable()
        with self._lock:
            try:
                self._con.execute(f"BEGIN {mode}")
            except sqlite3.OperationalError as e:
                raise HistoryError(f"{self.path}: the history database is busy or unwritable ({e})") from None
            try:
                yield self._con
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
            try:
                self._con.execute("COMMIT")
            except sqlite3.Error as e:
                self._con.execute("ROLLBACK")
                raise HistoryError(f"{self.path}: could not save ({e})") from None

    def _migrate(self) -> None:
        with self._tx("DEFERRED" if self.read_only else "IMMEDIATE") as con:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            app = con.execute("PRAGMA application_id").fetchone()[0]
            tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app not in (0, APPLICATION_ID) or (version == 0 and tables):
                raise HistoryError(f"{self.path}: a SQLite file of another program, not a hipvision history database")
            if version > SCHEMA_VERSION:
                raise HistoryError(
                    f"{self.path}: written by a newer hipvision (history schema {version}, this version "
                    f"reads up to {SCHEMA_VERSION}); upgrade hipvision"
                )
            if self.read_only and version != SCHEMA_VERSION:
                raise HistoryError(
                    f"{self.path}: cannot be read: it needs updating to history schema {SCHEMA_VERSION} "
                    f"(it has {version}) and {self.read_only_reason}"
                )
            for v in range(version, SCHEMA_VERSION):
                MIGRATIONS[v](con)
            if version != SCHEMA_VERSION:
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
            if app != APPLICATION_ID:
                con.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._con.execute("PRAGMA user_version").fetchone()[0])

    # -------------------------------------------------------------- people
    @staticmethod
    def _clean_name(name: str) -> str:
        n = " ".join(str(name).split())
        if not n:
            raise HistoryError("a person needs a name")
        return n

    def add_person(self, name: str, notes: str = "") -> int:
        """A new person; their name must not be taken (names ignore case)."""
        n = self._clean_name(name)
        with self._tx() as con:
            if con.execute("SELECT 1 FROM people WHERE name = ?", (n,)).fetchone():
                raise HistoryError(f"there is already a person named '{n}'")
            cur = con.execute("INSERT INTO people(name, notes, created) VALUES (?, ?, ?)", (n, notes, now_utc()))
            return int(cur.lastrowid)  # type: ignore[arg-type]

    def get_or_create_person(self, name: str) -> int:
        """The id of the person named ``name`` (any case), created when new."""
        n = self._clean_name(name)
        with self._tx() as con:
            row = con.execute("SELECT id FROM people WHERE name = ?", (n,)).fetchone()
            if row:
                return int(row[0])
            cur = con.execute("INSERT INTO people(name, notes, created) VALUES (?, '', ?)", (n, now_utc()))
            return int(cur.lastrowid)  # type: ignore[arg-type]

    def people(self) -> list[Person]:
        """Everyone, by name, with their session counts."""
        with self._lock:
            rows = self._con.execute(
                "SELECT p.id, p.name, p.notes, p.created, count(s.id) FROM people p "
                "LEFT JOIN sessions s ON s.person_id = p.id GROUP BY p.id ORDER BY p.name"
            ).fetchall()
        return [Person(*r) for r in rows]

    def person(self, person_id: int) -> Person:
        for p in self.people():
            if p.id == person_id:
                return p
        raise HistoryError(f"no person with id {person_id}")

    def find_person(self, name: str) -> Person | None:
        """The person named ``name`` (any case), or None."""
        n = self._clean_name(name)
        with self._lock:
            row = self._con.execute("SELECT id FROM people WHERE name = ?", (n,)).fetchone()
        return self.person(int(row[0])) if row else None

    def rename_person(self, person_id: int, name: str) -> None:
        n = self._clean_name(name)
        with self._tx() as con:
            other = con.execute("SELECT id FROM people WHERE name = ?", (n,)).fetchone()
            if other and other[0] != person_id:
                raise HistoryError(f"there is already a person named '{n}'")
            if con.execute("UPDATE people SET name = ? WHERE id = ?", (n, person_id)).rowcount == 0:
                raise HistoryError(f"no person with id {person_id}")

    def set_notes(self, person_id: int, notes: str) -> None:
        with self._tx() as con:
            if con.execute("UPDATE people SET notes = ? WHERE id = ?", (notes, person_id)).rowcount == 0:
                raise HistoryError(f"no person with id {person_id}")

    def delete_person(self, person_id: int) -> Deleted:
        """Delete a person with all their sessions and results, then their sessions' video
        files inside :attr:`videos_dir` (see :meth:`delete_session`)."""
        with self._tx() as con:
            n = con.execute("SELECT count(*) FROM sessions WHERE person_id = ?", (person_id,)).fetchone()[0]
            files = self._videos_of(con, "person_id = ?", person_id)
            if con.execute("DELETE FROM people WHERE id = ?", (person_id,)).rowcount == 0:
                raise HistoryError(f"no person with id {person_id}")
            orphans = self._unreferenced(con, files)
        return self._remove_files(int(n), orphans)

    # -------------------------------------------------------------- files of sessions
    @staticmethod
    def _videos_of(con: sqlite3.Connection, where: str, arg: int) -> list[str]:
        rows = con.execute(f"SELECT DISTINCT video_path FROM sessions WHERE video_path IS NOT NULL AND {where}", (arg,))
        return [r[0] for r in rows.fetchall() if r[0]]

    @staticmethod
    def _unreferenced(con: sqlite3.Connection, files: list[str]) -> list[str]:
        """Those of ``files`` no remaining session points to (two sessions may share one)."""
        return [f for f in files if not con.execute("SELECT 1 FROM sessions WHERE video_path = ?", (f,)).fetchone()]

    def _remove_files(self, sessions: int, files: list[str]) -> Deleted:
        """Called after the deletion is committed: a crash before this leaves files without a
        session (harmless), never a session pointing to a deleted file."""
        done = remove_owned_files(files, self.videos_dir)
        return Deleted(sessions, done.removed, done.kept)

    # -------------------------------------------------------------- sessions
    def add_session(
        self,
        person_id: int,
        report: dict[str, Any],
        *,
        source: str | None = None,
        recorded_at: datetime | str | None = None,
        series_csv: str | None = None,
        series_path: str | Path | None = None,
        video_path: str | Path | None = None,
    ) -> int:
        """Store one analysis (its full report and key numbers) for a person; returns the
        session id. ``recorded_at`` defaults to now; ``source`` to the report's."""
        typed = Report.from_dict(report)
        test = typed.test
        if not isinstance(test, str) or not test:
            raise HistoryError("the report names no test; only hipvision reports can be saved")
        try:
            text = json.dumps(report, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise HistoryError(f"the report cannot be stored as JSON ({e})") from None
        when = normalize_time(recorded_at)
        rows = flatten_report(report)
        with self._tx() as con:
            if not con.execute("SELECT 1 FROM people WHERE id = ?", (person_id,)).fetchone():
                raise HistoryError(f"no person with id {person_id}")
            cur = con.execute(
                "INSERT INTO sessions(person_id, test, recorded_at, created, source, hipvision_version, "
                "report_json, series_csv, series_path, video_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    person_id, test, when, now_utc(), str(source if source is not None else typed.source),
                    str(typed.hipvision_version if typed.has("hipvision_version") else __version__), text, series_csv,
                    None if series_path is None else str(series_path),
                    None if video_path is None else str(video_path),
                ),
            )
            sid = int(cur.lastrowid)  # type: ignore[arg-type]
            _insert_results(con, sid, rows)
        return sid

    def sessions(self, person_id: int | None = None, test: str | None = None) -> list[SessionInfo]:
        """Sessions, oldest first, optionally of one person and/or one test."""
        where, args = _session_filter(person_id, test)
        sql = f"SELECT {_SESSION_COLS} FROM sessions s JOIN people p ON p.id = s.person_id"
        sql += where
        with self._lock:
            rows = self._con.execute(sql + " ORDER BY s.recorded_at, s.id", args).fetchall()
        return [SessionInfo(*r[:-1], has_series_csv=bool(r[-1])) for r in rows]

    def session(self, session_id: int) -> Session:
        """One session with its report, series and results."""
        with self._tx("DEFERRED") as con:  # one consistent snapshot
            row = con.execute(
                f"SELECT {_SESSION_COLS}, s.report_json, s.series_csv FROM sessions s "
                "JOIN people p ON p.id = s.person_id WHERE s.id = ?",
                (session_id,),
            ).fetchone()
            if row is None:
                raise HistoryError(f"no session with id {session_id}")
            res = con.execute(
                "SELECT metric, side, rep, value FROM results WHERE session_id = ? ORDER BY metric, side, rep",
                (session_id,),
            ).fetchall()
        try:
            report = json.loads(row[11])
        except ValueError:
            report = {}  # damaged outside hipvision: the session stays listable and deletable
        return Session(
            *row[:10], has_series_csv=bool(row[10]), report=report, series_csv=row[12],
            results=[ResultRow(*r) for r in res],
        )

    def delete_session(self, session_id: int) -> Deleted:
        """Delete a session and its results; once that is committed, also its annotated video
        file if it is inside :attr:`videos_dir` and no other session points to it. Files
        elsewhere (``analyze --save-video PATH``) are the user's and are kept."""
        with self._tx() as con:
            files = self._videos_of(con, "id = ?", session_id)
            if con.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount == 0:
                raise HistoryError(f"no session with id {session_id}")
            orphans = self._unreferenced(con, files)
        return self._remove_files(1, orphans)

    # -------------------------------------------------------------- queries
    def metrics(self, person_id: int | None = None, test: str | None = None) -> list[str]:
        """The metrics stored for a person and/or test (for a progress picker)."""
        where, args = _session_filter(person_id, test)
        sql = "SELECT DISTINCT r.metric FROM results r JOIN sessions s ON s.id = r.session_id"
        sql += where
        with self._lock:
            return [r[0] for r in self._con.execute(sql + " ORDER BY r.metric", args).fetchall()]

    def progress(self, person_id: int, test: str, metric: str) -> list[ProgressRow]:
        """One metric of one person's sessions of one test over time: rows in time order,
        then by side ("" for whole-body values) and rep."""
        with self._lock:
            rows = self._con.execute(
                "SELECT s.id, s.recorded_at, r.side, r.rep, r.value FROM results r "
                "JOIN sessions s ON s.id = r.session_id "
                "WHERE s.person_id = ? AND s.test = ? AND r.metric = ? "
                "ORDER BY s.recorded_at, s.id, r.side, r.rep",
                (person_id, test, metric),
            ).fetchall()
        return [ProgressRow(*r) for r in rows]

    def result_records(self, person_id: int | None = None, test: str | None = None) -> list[ResultRecord]:
        """Every stored key number with its person and session (for a results CSV)."""
        where, args = _session_filter(person_id, test)
        sql = (
            "SELECT p.name, s.id, s.recorded_at, s.test, r.metric, r.side, r.rep, r.value FROM results r "
            "JOIN sessions s ON s.id = r.session_id JOIN people p ON p.id = s.person_id"
        )
        sql += where
        with self._lock:
            rows = self._con.execute(sql + " ORDER BY p.name, s.recorded_at, s.id, r.metric, r.side, r.rep", args).fetchall()
        return [ResultRecord(*r) for r in rows]

    def integrity_ok(self) -> bool:
        """SQLite's integrity check and the foreign keys both pass."""
        with self._lock:
            ok = self._con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            return ok and not self._con.execute("PRAGMA foreign_key_check").fetchall()

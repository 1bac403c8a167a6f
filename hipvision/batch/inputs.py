"""Which clips a batch processes: a folder scanned recursively, or a manifest CSV.

A folder gives every video (``BatchSettings.video_suffixes``) and pose CSV below it, in
sorted order, all analysed for one test. Hidden files and folders, and the batch's own
output folder, are skipped; other files are listed as ignored.

A manifest is a CSV with a header row: ``path`` (required; relative to the manifest's
folder, or absolute), ``test`` (optional when ``--test`` is given; a cell overrides it)
any number of id columns (participant, session, side, condition ...) that are carried
through to the summary as text, unchanged, and for rotation-test videos optionally
``track`` (as ``--track``), ``marks`` (assisted mode: ``left_knee=X,Y;left_ankle=X,Y;...``)
and ``mark_frame``. Bad manifests raise :class:`InputError`
naming the line.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import analyzers
from ..config import POSE_CSV_SUFFIXES, BatchSettings
from ..errors import AnalysisError, InputError


@dataclass(frozen=True)
class ClipInput:
    """One clip of a batch."""

    #: the input as given: the manifest cell, or the path relative to the scanned folder
    path: str
    #: the file itself (absolute)
    file: Path
    #: the test it is analysed for
    test: str
    #: id columns from the manifest, in the manifest's column order (text, as written)
    ids: dict[str, str] = field(default_factory=dict)
    #: what the output folder name is derived from (the normalised relative path)
    rel: str = ""
    #: rotation-test videos: the tracking mode from the manifest (None = the batch's)
    track: str | None = None
    #: assisted tracking's marks (knee and ankle of each leg) on frame ``mark_frame``
    marks: dict[str, tuple[float, float]] | None = None
    mark_frame: int = 0


@dataclass
class Discovery:
    """The clips of a batch, the id column names, and files a folder scan ignored."""

    clips: list[ClipInput]
    id_columns: list[str]
    ignored: list[Path] = field(default_factory=list)


def _check_test(test: str, where: str) -> str:
    try:
        analyzers.get(test)
    except AnalysisError as e:
        raise InputError(f"{where}: {e}") from None
    return test


def scan_folder(folder: Path, test: str | None, settings: BatchSettings, exclude: Path | None = None) -> Discovery:
    """Every video and pose CSV below ``folder`` (recursively, sorted), for ``test``."""
    if test is None:
        raise InputError("a folder batch needs --test (or give a manifest CSV with a 'test' column)")
    _check_test(test, "--test")
    wanted = {s.lower() for s in settings.video_suffixes} | set(POSE_CSV_SUFFIXES)
    clips: list[ClipInput] = []
    ignored: list[Path] = []
    excl = exclude.resolve() if exclude is not None else None
    for root, dirs, files in os.walk(folder):
        rootp = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (excl is None or (rootp / d).resolve() != excl))
        for name in sorted(files):
            if name.startswith("."):
                continue
            f = rootp / name
            if f.suffix.lower() not in wanted:
                ignored.append(f)
                continue
            rel = f.relative_to(folder).as_posix()
            clips.append(ClipInput(path=rel, file=f.resolve(), test=test, rel=rel))
    clips.sort(key=lambda c: c.rel)
    if not clips:
        raise InputError(f"{folder}: no videos or pose CSVs found (looked for {', '.join(sorted(wanted))})")
    return Discovery(clips, [], ignored)


def read_manifest(manifest: Path, test: str | None, settings: BatchSettings) -> Discovery:
    """The clips listed in a manifest CSV (see the module docstring)."""
    pcol, tcol = settings.manifest_path_column, settings.manifest_test_column
    if test is not None:
        _check_test(test, "--test")
    try:
        fh = open(manifest, newline="", encoding="utf-8-sig")
    except OSError as e:
        raise InputError(f"{manifest}: cannot open ({e.strerror})") from None
    base = manifest.resolve().parent
    clips: list[ClipInput] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        with fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise InputError(f"{manifest} line 1: the manifest is empty (expected a header row with a '{pcol}' column)")
            header = [h.strip() for h in header]
            if pcol not in header:
                raise InputError(
                    f"{manifest} line 1: no '{pcol}' column (header: {', '.join(header)}); a manifest "
                    f"needs '{pcol}', optionally '{tcol}', and any id columns"
                )
            dupes = sorted({h for h in header if header.count(h) > 1})
            if dupes or "" in header:
                what = f"duplicate column(s) {', '.join(dupes)}" if dupes else "an empty column name"
                raise InputError(f"{manifest} line 1: {what}")
            tracking_cols = (settings.manifest_track_column, settings.manifest_marks_column, settings.manifest_mark_frame_column)
            id_columns = [h for h in header if h not in (pcol, tcol, *tracking_cols)]
            from .summary import HEAD, TAIL

            clash = [h for h in id_columns if h in HEAD or h in TAIL]
            if clash:
                raise InputError(f"{manifest} line 1: column name(s) {', '.join(clash)} are used by the summary; rename them")
            for row in reader:
                line = reader.line_num
                if not row or all(not c.strip() for c in row):
                    continue
                if len(row) != len(header):
                    raise InputError(f"{manifest} line {line}: {len(row)} values, the header has {len(header)}")
                rec = dict(zip(header, row))
                given = rec[pcol].strip()
                if not given:
                    raise InputError(f"{manifest} line {line}: empty '{pcol}'")
                t = (rec.get(tcol) or "").strip() or test
                if not t:
                    raise InputError(f"{manifest} line {line}: no test (fill the '{tcol}' column or pass --test)")
                _check_test(t, f"{manifest} line {line}")
                p = Path(given)
                f = (p if p.is_absolute() else base / p).resolve()
                if not f.is_file():
                    raise InputError(f"{manifest} line {line}: {given}: no such file (paths are relative to {base})")
                key = (str(f), t)
                if key in seen:
                    raise InputError(f"{manifest} line {line}: {given} for '{t}' is listed twice (also line {seen[key]})")
                seen[key] = line
                rel = os.path.normpath(given).replace(os.sep, "/") if not p.is_absolute() else f.as_posix()
                track, marks, mark_frame = _tracking_cells(rec, settings, t, f"{manifest} line {line}")
                clips.append(ClipInput(given, f, t, {c: rec[c] for c in id_columns}, rel, track, marks, mark_frame))
    except UnicodeDecodeError:
        raise InputError(f"{manifest}: not a text CSV file") from None
    except csv.Error as e:
        raise InputError(f"{manifest}: not a valid CSV ({e})") from None
    if not clips:
        raise InputError(f"{manifest}: lists no clips")
    return Discovery(clips, id_columns)


def _tracking_cells(
    rec: dict[str, str], settings: BatchSettings, test: str, where: str
) -> tuple[str | None, dict[str, tuple[float, float]] | None, int]:
    """The manifest row's tracking mode, marks and mark frame (checked as the CLI checks
    --track, --mark and --mark-frame); marks alone mean ``assisted``."""
    from ..config import TRACK_MODES

    track = (rec.get(settings.manifest_track_column) or "").strip() or None
    cell = (rec.get(settings.manifest_marks_column) or "").strip()
    frame_cell = (rec.get(settings.manifest_mark_frame_column) or "").strip()
    if track is not None and track not in TRACK_MODES:
        raise InputError(f"{where}: unknown tracking mode '{track}' (one of {', '.join(TRACK_MODES)})")
    family = analyzers.family_of(test)
    if (track or cell) and not (family is not None and family.trackable):
        trackable = ", ".join(t for f in analyzers.families().values() if f.trackable for t in f.tests)
        raise InputError(f"{where}: tracking applies to the rotation tests ({trackable}), not '{test}'")
    marks = None
    if cell:
        from ..tracking.assisted import parse_marks

        try:
            marks = parse_marks([m for m in cell.replace(";", " ").split() if m])
        except InputError as e:
            raise InputError(f"{where}: {e}") from None
        if track is None:
            track = "assisted"
        elif track != "assisted":
            raise InputError(f"{where}: marks are for the 'assisted' tracking mode, not '{track}'")
    elif track == "assisted":
        raise InputError(f"{where}: 'assisted' tracking needs the knee and ankle of each leg in the '{settings.manifest_marks_column}' column")
    try:
        mark_frame = int(frame_cell) if frame_cell else 0
    except ValueError:
        raise InputError(f"{where}: {settings.manifest_mark_frame_column} '{frame_cell}' is not a frame number") from None
    if mark_frame < 0:
        raise InputError(f"{where}: {settings.manifest_mark_frame_column} must be 0 or more")
    return track, marks, mark_frame


def discover(input: str | Path, test: str | None, settings: BatchSettings, out_dir: Path | None = None) -> Discovery:
    """A folder is scanned; a ``.csv`` file is read as a manifest."""
    p = Path(input)
    if p.is_dir():
        return scan_folder(p, test, settings, exclude=out_dir)
    if p.is_file() and p.suffix.lower() == ".csv":
        return read_manifest(p, test, settings)
    if not p.exists():
        raise InputError(f"{p}: no such file or folder")
    raise InputError(f"{p}: give a folder of clips or a manifest CSV")

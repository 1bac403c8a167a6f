"""The pose CSV: hipvision's file format for landmark sequences, and a public interface.

Long format, one row per landmark per frame; frames without a detection are omitted::

    frame,time_s,landmark,x_px,y_px,z,visibility,image_width,image_height[,extra...]

* ``frame``: 0-based frame number in the source (int); ``time_s``: seconds from the start.
* ``landmark``: one of MediaPipe's 33 names in lower snake case (``left_knee`` ...);
  left/right are the person's.
* ``x_px``, ``y_px``: pixels of the upright frame, origin top-left, y down.
* ``z``: optional (may be empty): relative depth in the x pixel scale.
* ``visibility``: 0..1.  ``image_width``, ``image_height``: positive ints, the same in all rows.
* Extra columns are allowed. hipvision writes and reads ``presence``, ``world_x``,
  ``world_y``, ``world_z`` (metres) and ``num_people`` (-1 = not checked); others are ignored.

The reader rejects a malformed file with a :class:`PoseCsvError` naming the line and the
problem. The writer writes to a temporary file and renames it on success, so an
interrupted run never leaves a partial CSV behind under the final name.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from types import TracebackType
from typing import IO

import numpy as np

from .atomicfile import AtomicPath
from .errors import PoseCsvError
from .landmarks import LANDMARK_INDEX, LANDMARK_NAMES, N_LANDMARKS
from .sequence import PoseFrame, PoseSequence

REQUIRED_COLUMNS: tuple[str, ...] = (
    "frame",
    "time_s",
    "landmark",
    "x_px",
    "y_px",
    "z",
    "visibility",
    "image_width",
    "image_height",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("presence", "world_x", "world_y", "world_z", "num_people")
WRITTEN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


def _fmt(v: float, digits: int) -> str:
    return "" if not math.isfinite(v) else f"{v:.{digits}f}"


class PoseCsvWriter:
    """Streams :class:`PoseFrame` rows to a pose CSV, atomically.

    Use as a context manager: the file appears under ``path`` only when the block exits
    without an exception; otherwise the temporary file is removed.
    """

    def __init__(self, path: str | os.PathLike[str], image_size: tuple[int, int]) -> None:
        self.path = Path(path)
        self.image_size = image_size
        self.rows = 0
        self.frames = 0
        self._out = AtomicPath(self.path)
        self._fh: IO[str] | None = None

    def __enter__(self) -> "PoseCsvWriter":
        self._fh = open(self._out.begin(), "w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._fh, lineterminator="\n")
        self._writer.writerow(WRITTEN_COLUMNS)
        return self

    def write(self, pf: PoseFrame) -> None:
        """Write one frame's landmarks (nothing for a frame without a detection)."""
        if not pf.detected:
            return
        w, h = self.image_size
        for i in range(N_LANDMARKS):
            x, y = pf.xy[i]
            if not (math.isfinite(x) and math.isfinite(y)):
                continue
            wx, wy, wz = pf.world[i]
            self._writer.writerow(
                (
                    pf.frame,
                    f"{pf.time_s:.6f}",
                    LANDMARK_NAMES[i],
                    f"{x:.3f}",
                    f"{y:.3f}",
                    _fmt(pf.z[i], 3),
                    _fmt(pf.visibility[i], 5) or "1.00000",
                    w,
                    h,
                    _fmt(pf.presence[i], 5),
                    _fmt(wx, 5),
                    _fmt(wy, 5),
                    _fmt(wz, 5),
                    pf.num_people,
                )
            )
            self.rows += 1
        self.frames += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._fh is not None
        ok = False
        try:
            self._fh.close()
            ok = exc_type is None
        finally:
            self._out.finish(ok)


def write_pose_csv(seq: PoseSequence, path: str | os.PathLike[str]) -> Path:
    """Write a whole sequence to ``path`` (atomically). Returns the path."""
    with PoseCsvWriter(path, seq.image_size) as w:
        for k in range(len(seq)):
            w.write(seq.frame_at(k))
    return Path(path)


def _number(text: str, column: str, line: int, *, optional: bool = False) -> float:
    if text == "" or text is None:
        if optional:
            return math.nan
        raise PoseCsvError(f"line {line}: column '{column}' is empty")
    try:
        v = float(text)
    except ValueError:
        raise PoseCsvError(f"line {line}: {column} '{text}' is not a number") from None
    if not math.isfinite(v):
        raise PoseCsvError(f"line {line}: {column} '{text}' is not a finite number")
    return v


def _integer(text: str, column: str, line: int) -> int:
    try:
        return int(text)
    except (ValueError, TypeError):
        raise PoseCsvError(f"line {line}: {column} '{text}' is not an integer") from None


def read_pose_csv(path: str | os.PathLike[str]) -> PoseSequence:
    """Read a pose CSV into a :class:`PoseSequence` (frames without rows are absent).

    Raises :class:`PoseCsvError` with ``"<file> line N: ..."`` for any malformed content.
    """
    path = Path(path)
    try:
        if path.stat().st_size >= ARROW_MIN_BYTES:
            seq = _read_arrow(path)
            if seq is not None:
                return seq
    except OSError:
        pass  # the open below words the problem
    try:
        fh = open(path, newline="", encoding="utf-8-sig")  # spreadsheets add a BOM
    except IsADirectoryError:
        raise PoseCsvError(f"{path}: is a folder, not a pose CSV") from None
    except OSError as e:
        raise PoseCsvError(f"{path}: cannot open ({e.strerror})") from None
    try:
        with fh:
            return _read(fh, path)
    except UnicodeDecodeError:
        raise PoseCsvError(f"{path}: not a text file (is it really a pose CSV?)") from None
    except PoseCsvError as e:
        raise PoseCsvError(f"{path}: {e}") from None
    except csv.Error as e:
        raise PoseCsvError(f"{path}: not a valid CSV ({e})") from None


#: rows parsed per block: big enough for numpy to do the work, small enough that the text of
#: one block (a few MB) is all the reader ever holds besides the arrays it fills
CHUNK_ROWS = 50_000
#: files from this size on are parsed by pyarrow's CSV reader (C++, streamed in blocks of
#: ARROW_BLOCK_BYTES): about 10x less CPU per row than the csv module, but importing pyarrow
#: costs about 0.7 s, which pays off from roughly 100 k rows (benchmarks/posecsv_benchmark.py)
ARROW_MIN_BYTES = 8_000_000
ARROW_BLOCK_BYTES = 1 << 20  # 1 MB: pyarrow holds ~40 MB at most (4 MB blocks: ~150 MB)


class _Invalid(Exception):
    """A block has a problem; :func:`_explain` finds the first one and words it."""


@dataclass(frozen=True)
class _Layout:
    """Column positions of one file's header."""

    ncols: int
    col: dict[str, int]
    opt: dict[str, int | None]


def _read(fh: IO[str], path: Path) -> PoseSequence:
    """Streamed: rows are read in blocks of :data:`CHUNK_ROWS`, parsed with numpy and
    scattered into per-frame arrays sized from the file length, so memory follows the
    frames (about 2 kB each), not the text, and time is linear in the rows. A block with
    any problem is walked row by row (:func:`_explain`) for the exact line and message."""
    reader = csv.reader(fh)
    header = next(reader, None)
    if header is None:
        raise PoseCsvError("line 1: the file is empty (expected a header row)")
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise PoseCsvError(f"line 1: duplicate column(s) {', '.join(dupes)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise PoseCsvError(
            f"line 1: missing required column(s) {', '.join(missing)}; "
            f"a pose CSV starts with: {','.join(REQUIRED_COLUMNS)}"
        )
    col = {name: header.index(name) for name in header}
    layout = _Layout(len(header), col, {c: col.get(c) for c in OPTIONAL_COLUMNS})
    try:
        file_bytes = os.fstat(fh.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        file_bytes = 0
    store = _FrameStore(file_bytes)
    rows: list[list[str]] = []
    lines: list[int] = []
    for row in reader:
        if not row or (len(row) == 1 and row[0].strip() == ""):
            continue
        rows.append(row)
        lines.append(reader.line_num)
        if len(rows) == CHUNK_ROWS:
            _take(rows, lines, layout, store)
            rows, lines = [], []
    if rows:
        _take(rows, lines, layout, store)
    if store.image_size is None:
        raise PoseCsvError("header but no landmark rows (no person was detected?)")
    return store.sequence(str(path))


def _take(rows: list[list[str]], lines: list[int], layout: _Layout, store: "_FrameStore") -> None:
    try:
        store.add(_parse(rows, layout), sum(map(len, map(",".join, rows))) + len(rows) if store.cap == 0 else 0)
    except _Invalid:
        _explain(rows, lines, layout, store)
        raise PoseCsvError(f"lines {lines[0]}-{lines[-1]}: malformed rows") from None  # not reached


def _floats(col: tuple[str, ...], optional: bool) -> np.ndarray:
    n = len(col)
    try:
        if not optional:
            a = np.fromiter(map(float, col), np.float64, n)
            if not np.isfinite(a).all():
                raise _Invalid
            return a
        a = np.fromiter(map(float, [s or "nan" for s in col]), np.float64, n)
    except ValueError:
        raise _Invalid from None
    bad = ~np.isfinite(a)
    if bad.any() and np.fromiter(map(bool, col), bool, n)[bad].any():  # "nan"/"inf" written out
        raise _Invalid
    return a


def _ints(col: tuple[str, ...]) -> np.ndarray:
    try:
        return np.fromiter(map(int, col), np.int64, len(col))
    except ValueError:
        raise _Invalid from None


def _parse(rows: list[list[str]], L: _Layout) -> dict[str, np.ndarray]:
    """One block's columns as arrays; :class:`_Invalid` on any problem within a row."""
    n = len(rows)
    if any(len(r) != L.ncols for r in rows):
        raise _Invalid
    cols = list(zip(*rows))
    c, o = L.col, L.opt
    out: dict[str, np.ndarray] = {"frame": _ints(cols[c["frame"]])}
    if (out["frame"] < 0).any():
        raise _Invalid
    out["time_s"] = _floats(cols[c["time_s"]], False)
    names = cols[c["landmark"]]
    li = np.fromiter(map(LANDMARK_INDEX.get, names, repeat(-1)), np.int64, n)
    for k in np.flatnonzero(li < 0):  # names with spaces around them are fine
        li[k] = LANDMARK_INDEX.get(names[k].strip(), -1)
    if (li < 0).any():
        raise _Invalid
    out["landmark"] = li
    for name in ("x_px", "y_px", "visibility"):
        out[name] = _floats(cols[c[name]], False)
    out["z"] = _floats(cols[c["z"]], True)
    vis = out["visibility"]
    if ((vis < 0) | (vis > 1)).any():
        raise _Invalid
    w, h = _ints(cols[c["image_width"]]), _ints(cols[c["image_height"]])
    if (w <= 0).any() or (h <= 0).any() or (w != w[0]).any() or (h != h[0]).any():
        raise _Invalid
    out["size"] = np.array([w[0], h[0]])
    for name in ("presence", "world_x", "world_y", "world_z"):
        out[name] = _floats(cols[o[name]], True) if o[name] is not None else np.full(n, np.nan)
    if o["num_people"] is not None:
        given = [s for s in cols[o["num_people"]]]
        out["num_people"] = _ints(tuple(s if s != "" else "-2" for s in given))  # -2: not given
    else:
        out["num_people"] = np.full(n, -2, np.int64)
    return out


class _FrameStore:
    """Per-frame arrays filled block by block. Capacity is estimated from the file size
    and the first block's bytes per frame, and doubled if the estimate was short."""

    def __init__(self, file_bytes: int) -> None:
        self.file_bytes = file_bytes
        self.n = 0
        self.cap = 0
        self.slot: dict[int, int] = {}
        self.image_size: tuple[int, int] | None = None
        self.frame = np.zeros(0, np.int64)
        self.time = np.zeros(0)
        self.xy = np.zeros((0, N_LANDMARKS, 2))
        self.z = np.zeros((0, N_LANDMARKS))
        self.vis = np.zeros((0, N_LANDMARKS))
        self.presence = np.zeros((0, N_LANDMARKS))
        self.world = np.zeros((0, N_LANDMARKS, 3))
        self.num_people = np.zeros(0, np.int64)
        self.seen = np.zeros((0, N_LANDMARKS), bool)

    def _reserve(self, need: int, block_bytes: float, frames_in_block: int) -> None:
        if need <= self.cap:
            return
        if self.cap == 0 and self.file_bytes and block_bytes > 0:
            per_frame = block_bytes / max(1, frames_in_block)
            cap = max(need, int(1.05 * self.file_bytes / per_frame) + 16)
        else:
            cap = max(need, 2 * self.cap, 256)
        grown = {
            "frame": (np.zeros, (cap,), np.int64, 0),
            "time": (np.full, (cap,), np.float64, np.nan),
            "xy": (np.full, (cap, N_LANDMARKS, 2), np.float64, np.nan),
            "z": (np.full, (cap, N_LANDMARKS), np.float64, np.nan),
            "vis": (np.full, (cap, N_LANDMARKS), np.float64, np.nan),
            "presence": (np.full, (cap, N_LANDMARKS), np.float64, np.nan),
            "world": (np.full, (cap, N_LANDMARKS, 3), np.float64, np.nan),
            "num_people": (np.full, (cap,), np.int64, -1),
            "seen": (np.zeros, (cap, N_LANDMARKS), bool, 0),
        }
        for name, (make, shape, dtype, fill) in grown.items():
            new = make(shape, dtype=dtype) if make is np.zeros else make(shape, fill, dtype=dtype)
            new[: self.n] = getattr(self, name)[: self.n]
            setattr(self, name, new)
        self.cap = cap

    def add(self, b: dict[str, np.ndarray], block_bytes: float) -> None:
        """Check a parsed block against what came before (:class:`_Invalid` if it clashes),
        then store it."""
        size = (int(b["size"][0]), int(b["size"][1]))
        if self.image_size is not None and size != self.image_size:
            raise _Invalid
        uf, first, inv = np.unique(b["frame"], return_index=True, return_inverse=True)
        slots = np.empty(len(uf), np.int64)
        fresh = []
        for k, f in enumerate(uf.tolist()):
            s = self.slot.get(f)
            if s is None:
                s = self.n + len(fresh)
                fresh.append(k)
            slots[k] = s
        self._reserve(self.n + len(fresh), block_bytes, len(uf))
        known_t = self.time[slots]  # NaN for fresh slots (never written yet)
        fresh_idx = np.array(fresh, np.int64)
        known_t[fresh_idx] = b["time_s"][first[fresh_idx]]
        row_slot, li = slots[inv], b["landmark"]
        if (b["time_s"] != known_t[inv]).any():
            raise _Invalid
        key = row_slot * N_LANDMARKS + li
        if np.unique(key).size != key.size or self.seen[row_slot, li].any():
            raise _Invalid
        # all checks passed: store
        self.image_size = size
        for k in fresh:
            self.slot[int(uf[k])] = int(slots[k])
        self.n += len(fresh)
        self.frame[slots] = uf
        self.time[slots] = known_t
        self.seen[row_slot, li] = True
        self.xy[row_slot, li, 0] = b["x_px"]
        self.xy[row_slot, li, 1] = b["y_px"]
        self.z[row_slot, li] = b["z"]
        self.vis[row_slot, li] = b["visibility"]
        self.presence[row_slot, li] = b["presence"]
        for k, c in enumerate(("world_x", "world_y", "world_z")):
            self.world[row_slot, li, k] = b[c]
        given = b["num_people"] != -2
        self.num_people[row_slot[given]] = b["num_people"][given]

    def sequence(self, source: str) -> PoseSequence:
        n = self.n
        names = ("frame", "time", "xy", "z", "vis", "presence", "world", "num_people")
        for k in names:  # let the spare capacity go, in place (no copy: the store owns them)
            a = getattr(self, k)
            a.resize((n,) + a.shape[1:], refcheck=False)
        arrays = {k: getattr(self, k) for k in names}
        if n > 1 and not (np.diff(arrays["frame"]) > 0).all():  # rows were not in frame order
            order = np.argsort(arrays["frame"], kind="stable")
            arrays = {k: v[order] for k, v in arrays.items()}
        times = arrays["time"]
        bad = np.flatnonzero(np.diff(times) <= 0)
        if bad.size:
            f0, f1 = arrays["frame"][bad[0]], arrays["frame"][bad[0] + 1]
            raise PoseCsvError(
                f"time_s does not increase with frame (frame {f0} at {times[bad[0]]} s, "
                f"frame {f1} at {times[bad[0] + 1]} s)"
            )
        return PoseSequence(
            frame=arrays["frame"],
            time_s=times,
            xy=arrays["xy"],
            z=arrays["z"],
            visibility=arrays["vis"],
            presence=arrays["presence"],
            world=arrays["world"],
            image_size=self.image_size or (1, 1),
            num_people=arrays["num_people"],
            source=source,
        )


def _explain(rows: list[list[str]], lines: list[int], L: _Layout, store: _FrameStore) -> None:
    """Walk a block that failed a check row by row, against what earlier blocks stored, and
    raise :class:`PoseCsvError` for the first problem, naming its line."""
    col, opt = L.col, L.opt
    image_size = store.image_size
    times: dict[int, float] = {}
    seen: set[tuple[int, int]] = set()
    for row, line in zip(rows, lines):
        if len(row) != L.ncols:
            raise PoseCsvError(f"line {line}: {len(row)} fields, the header has {L.ncols}")
        frame = _integer(row[col["frame"]], "frame", line)
        if frame < 0:
            raise PoseCsvError(f"line {line}: frame {frame} is negative")
        t = _number(row[col["time_s"]], "time_s", line)
        name = row[col["landmark"]].strip()
        li = LANDMARK_INDEX.get(name)
        if li is None:
            raise PoseCsvError(
                f"line {line}: unknown landmark '{name}' (expected MediaPipe names in lower "
                "snake case, e.g. left_knee)"
            )
        slot = store.slot.get(frame)
        if (frame, li) in seen or (slot is not None and store.seen[slot, li]):
            raise PoseCsvError(f"line {line}: landmark '{name}' appears twice in frame {frame}")
        seen.add((frame, li))
        _number(row[col["x_px"]], "x_px", line)
        _number(row[col["y_px"]], "y_px", line)
        _number(row[col["z"]], "z", line, optional=True)
        vis = _number(row[col["visibility"]], "visibility", line)
        if not 0.0 <= vis <= 1.0:
            raise PoseCsvError(f"line {line}: visibility {vis} is outside 0..1")
        w = _integer(row[col["image_width"]], "image_width", line)
        h = _integer(row[col["image_height"]], "image_height", line)
        if w <= 0 or h <= 0:
            raise PoseCsvError(f"line {line}: image size {w}x{h} is not positive")
        if image_size is None:
            image_size = (w, h)
        elif image_size != (w, h):
            raise PoseCsvError(
                f"line {line}: image size {w}x{h} differs from {image_size[0]}x{image_size[1]} "
                "in earlier rows (one clip has one frame size)"
            )
        earlier = times.get(frame, float(store.time[slot]) if slot is not None else None)
        if earlier is None:
            times[frame] = t
        elif earlier != t:
            raise PoseCsvError(
                f"line {line}: frame {frame} has time_s {t} here but {earlier} in an earlier row"
            )
        for c in ("presence", "world_x", "world_y", "world_z"):
            if opt[c] is not None:
                _number(row[opt[c]], c, line, optional=True)
        if opt["num_people"] is not None and row[opt["num_people"]] != "":
            _integer(row[opt["num_people"]], "num_people", line)


def _read_arrow(path: Path) -> PoseSequence | None:
    """The fast path for big files: pyarrow parses blocks of the file into typed columns,
    which go through the same checks and the same :class:`_FrameStore` as the csv-module
    path. Anything unusual (a parse error, an empty required cell, a value out of range,
    a clash between rows, a header it reads differently) returns None, and the csv-module
    path reads the file again and words the problem exactly."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pc
    except ImportError:
        return None
    types = {c: pa.float64() for c in ("time_s", "x_px", "y_px", "z", "visibility", *OPTIONAL_COLUMNS[:4])}
    types.update({c: pa.int64() for c in ("frame", "image_width", "image_height", "num_people")})
    types["landmark"] = pa.dictionary(pa.int32(), pa.string())
    try:
        reader = pc.open_csv(
            path,
            read_options=pc.ReadOptions(block_size=ARROW_BLOCK_BYTES, use_threads=False),
            # only an empty cell is missing: "nan", "NA", "null" are values (refused below)
            convert_options=pc.ConvertOptions(column_types=types, strings_can_be_null=False, null_values=[""]),
        )
        names = reader.schema.names
        if len(set(names)) != len(names) or any(c not in names for c in REQUIRED_COLUMNS):
            return None
        store = _FrameStore(path.stat().st_size)
        for batch in reader:
            if batch.num_rows:
                store.add(_arrow_block(batch, names), ARROW_BLOCK_BYTES if store.cap == 0 else 0)
    except (pa.ArrowException, _Invalid, OSError, ValueError):
        return None
    finally:
        # pyarrow's allocator keeps the freed blocks for reuse: hand them back now, or they
        # stay in the process through the whole analysis (about 45 MB)
        pa.default_memory_pool().release_unused()
    if store.image_size is None:
        return None
    try:
        return store.sequence(str(path))
    except PoseCsvError:
        return None  # the csv-module path raises the same message with the file name


def _arrow_block(batch, names: list[str]) -> dict[str, np.ndarray]:
    n = batch.num_rows

    def column(name: str, *, optional: bool = False, fill: float | None = None) -> np.ndarray:
        if name not in names:
            return np.full(n, np.nan if fill is None else fill)
        a = batch.column(names.index(name))
        if a.null_count and not optional:
            raise _Invalid  # an empty required cell
        if fill is not None:
            a = a.fill_null(fill)
        return a.to_numpy(zero_copy_only=False)

    out = {"frame": column("frame")}
    if (out["frame"] < 0).any():
        raise _Invalid
    for c in ("time_s", "x_px", "y_px", "visibility"):
        out[c] = column(c)
        if not np.isfinite(out[c]).all():
            raise _Invalid
    vis = out["visibility"]
    if ((vis < 0) | (vis > 1)).any():
        raise _Invalid
    for c in ("z", "presence", "world_x", "world_y", "world_z"):
        a = batch.column(names.index(c)) if c in names else None
        v = column(c, optional=True)
        # NaN/inf written out (not an empty cell) is refused, as the csv-module path does
        if a is not None and (~np.isfinite(v)).sum() != a.null_count:
            raise _Invalid
        out[c] = v.astype(np.float64)
    lm = batch.column(names.index("landmark"))
    lut = np.array([LANDMARK_INDEX.get(str(d).strip(), -1) for d in lm.dictionary.to_pylist()] or [-1], np.int64)
    if lm.null_count:
        raise _Invalid
    li = lut[lm.indices.to_numpy(zero_copy_only=False)]
    if (li < 0).any():
        raise _Invalid
    out["landmark"] = li
    w, h = column("image_width"), column("image_height")
    if (w <= 0).any() or (h <= 0).any() or (w != w[0]).any() or (h != h[0]).any():
        raise _Invalid
    out["size"] = np.array([w[0], h[0]])
    out["num_people"] = column("num_people", optional=True, fill=-2).astype(np.int64)
    out["frame"] = out["frame"].astype(np.int64)
    return out

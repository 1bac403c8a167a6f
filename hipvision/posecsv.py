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
from pathlib import Path
from types import TracebackType
from typing import IO

import numpy as np

from .atomicfile import commit, temp_beside
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
        self._tmp: Path | None = None
        self._fh: IO[str] | None = None

    def __enter__(self) -> "PoseCsvWriter":
        self._tmp = temp_beside(self.path)
        self._fh = open(self._tmp, "w", newline="", encoding="utf-8")
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
        assert self._fh is not None and self._tmp is not None
        self._fh.close()
        if exc_type is None:
            commit(self._tmp, self.path)
        else:
            self._tmp.unlink(missing_ok=True)


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


def _read(fh: IO[str], path: Path) -> PoseSequence:
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
    opt = {c: col.get(c) for c in OPTIONAL_COLUMNS}
    ncols = len(header)

    # frame number -> [time, xy, z, vis, presence, world, num_people]
    frames: dict[int, list] = {}
    image_size: tuple[int, int] | None = None
    seen: set[tuple[int, int]] = set()
    for row in reader:
        line = reader.line_num
        if not row or (len(row) == 1 and row[0].strip() == ""):
            continue
        if len(row) != ncols:
            raise PoseCsvError(f"line {line}: {len(row)} fields, the header has {ncols}")
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
        if (frame, li) in seen:
            raise PoseCsvError(f"line {line}: landmark '{name}' appears twice in frame {frame}")
        seen.add((frame, li))
        x = _number(row[col["x_px"]], "x_px", line)
        y = _number(row[col["y_px"]], "y_px", line)
        z = _number(row[col["z"]], "z", line, optional=True)
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
        entry = frames.get(frame)
        if entry is None:
            entry = [
                t,
                np.full((N_LANDMARKS, 2), np.nan),
                np.full(N_LANDMARKS, np.nan),
                np.full(N_LANDMARKS, np.nan),
                np.full(N_LANDMARKS, np.nan),
                np.full((N_LANDMARKS, 3), np.nan),
                -1,
            ]
            frames[frame] = entry
        elif entry[0] != t:
            raise PoseCsvError(
                f"line {line}: frame {frame} has time_s {t} here but {entry[0]} in an earlier row"
            )
        entry[1][li] = (x, y)
        entry[2][li] = z
        entry[3][li] = vis
        if opt["presence"] is not None:
            entry[4][li] = _number(row[opt["presence"]], "presence", line, optional=True)
        for k, c in enumerate(("world_x", "world_y", "world_z")):
            if opt[c] is not None:
                entry[5][li, k] = _number(row[opt[c]], c, line, optional=True)
        if opt["num_people"] is not None and row[opt["num_people"]] != "":
            entry[6] = _integer(row[opt["num_people"]], "num_people", line)

    if image_size is None:
        raise PoseCsvError("header but no landmark rows (no person was detected?)")
    order = sorted(frames)
    times = np.array([frames[f][0] for f in order])
    bad = np.flatnonzero(np.diff(times) <= 0)
    if bad.size:
        f0, f1 = order[bad[0]], order[bad[0] + 1]
        raise PoseCsvError(
            f"time_s does not increase with frame (frame {f0} at {times[bad[0]]} s, "
            f"frame {f1} at {times[bad[0] + 1]} s)"
        )
    return PoseSequence(
        frame=np.array(order, dtype=np.int64),
        time_s=times,
        xy=np.stack([frames[f][1] for f in order]),
        z=np.stack([frames[f][2] for f in order]),
        visibility=np.stack([frames[f][3] for f in order]),
        presence=np.stack([frames[f][4] for f in order]),
        world=np.stack([frames[f][5] for f in order]),
        image_size=image_size,
        num_people=np.array([frames[f][6] for f in order], dtype=np.int64),
        source=str(path),
    )

"""The work on one clip, the same in every engine: pose -> analysis -> files.

:func:`run_clip` never raises for a bad clip: any exception becomes an ``error`` result
with the message, so one clip cannot stop a batch. It runs in a worker process (local
engine) or on a Dask worker; its inputs and result are small picklable dataclasses.

Steps, each output written atomically (temporary file + rename):

1. pose: a ``pose.csv`` already in the clip's folder is reused (it is complete by
   construction, and the batch refuses to resume when pose settings changed); otherwise a
   pose CSV input is copied and a video goes through the model.
   A rotation-test video is tracked as ``analyze --track`` would (``auto`` for prone by
   default; ``--track`` / the manifest's ``track``, ``marks``), and how is kept in
   ``tracking.json`` so a re-analysis reports it too.
2. analysis -> ``report.json``.
3. optionally the annotated video.

All three are one call of ``api.run_analysis``, the path of ``analyze``: a video's pose (or
tracking) pass also writes the annotated video (one decode, one model run per frame; the
report's overlay and end card drawn on the frames held back for it), and its landmarks are
kept (``pose.csv``, ``tracking.json``) before the analysis, so a failed analysis or a kill
does not cost the model run again. From a stored pose (a rerun, ``--reuse-pose``) the
video is redrawn in one decode pass, without the model.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..config import Settings
from ..schema import Report
from ..sequence import PoseSequence


NOBODY = "no person found in any frame"


@dataclass(frozen=True)
class ClipJob:
    key: str
    #: the input as given (goes into the report's ``source``)
    path: str
    file: str
    test: str
    folder: str
    settings: Settings
    #: use only a stored pose CSV, never the model (``--reuse-pose``)
    pose_only: bool = False
    save_video: bool = False
    trc: bool = False
    #: rotation-test videos: how knees and ankles are found (as ``analyze --track``; None =
    #: analyze's default, ``auto`` for prone), and assisted mode's marks
    track: str | None = None
    marks: dict[str, tuple[float, float]] | None = None
    mark_frame: int = 0


@dataclass
class ClipResult:
    key: str
    status: str  # "ok" | "error"
    error: str = ""
    #: flat result columns: the analyzer's summary row, warnings, frames
    columns: dict[str, Any] = field(default_factory=dict)
    runtime_s: float = 0.0
    #: frames that went through the pose model in this run (0 when the pose was reused)
    frames_extracted: int = 0


def run_clip(job: ClipJob) -> ClipResult:
    """Process one clip; any failure becomes an ``error`` result."""
    t0 = time.perf_counter()
    try:
        columns, extracted = _process(job)
        return ClipResult(job.key, "ok", "", columns, round(time.perf_counter() - t0, 3), extracted)
    except Exception as e:  # noqa: BLE001 - fault isolation: every failure lands in the row
        from ..errors import HipvisionError

        msg = str(e) if isinstance(e, HipvisionError) else f"{type(e).__name__}: {e}"
        _remove(Path(job.folder) / "report.json")  # never leave an older report beside an error
        return ClipResult(job.key, "error", msg or type(e).__name__, {}, round(time.perf_counter() - t0, 3))


def _process(job: ClipJob) -> tuple[dict[str, Any], int]:
    from .. import analyzers, api
    from ..atomicfile import AtomicPath, sweep_stale
    from ..errors import AnalysisError, InputError
    from ..posecsv import read_pose_csv
    from .layout import ClipPaths

    paths = ClipPaths(Path(job.folder))
    paths.folder.mkdir(parents=True, exist_ok=True)
    sweep_stale(paths.folder)  # temporary files of a killed run (never a live writer's)
    analyzer = analyzers.get(job.test)
    settings = job.settings
    src = Path(job.file)
    extracted = 0
    tracking = json.loads(paths.tracking.read_text(encoding="utf-8")) if paths.tracking.is_file() else None
    family = analyzers.family_of(job.test)
    track = job.track or api.default_track(job.test, src) if family is not None and family.trackable else None
    stored: PoseSequence | None = None  # None: the model (or tracker) runs in the analysis's pass
    if paths.pose_csv.is_file():
        with open(paths.pose_csv, encoding="utf-8") as fh:
            if not (fh.readline() and fh.readline().strip()):  # a header only: the model saw nobody
                raise AnalysisError(NOBODY)
        stored = read_pose_csv(paths.pose_csv)
    elif api.is_pose_csv(src):
        stored = read_pose_csv(src)  # validate before keeping a copy
        with AtomicPath(paths.pose_csv) as tmp:
            shutil.copyfile(src, tmp)
    elif job.pose_only:
        raise InputError("no stored pose CSV for this clip: run the batch without --reuse-pose first")

    def keep(found: PoseSequence, how: dict[str, Any] | None) -> None:
        """The landmarks of the pass, kept before the analysis (with how they were tracked);
        a clip where nobody was found stops here (its header-only pose CSV says so on a rerun)."""
        nonlocal extracted
        if stored is None:
            from ..posecsv import write_pose_csv

            if how is not None:
                _write_json(how, paths.tracking)
            write_pose_csv(found, paths.pose_csv)
            extracted = int(how["frames"]) if how is not None else len(found)
        if not np.isfinite(found.xy).any():
            raise AnalysisError(NOBODY)

    video = paths.video if job.save_video and not api.is_pose_csv(src) else None
    run = api.run_analysis(
        src, job.test, settings=settings, pose=stored, tracking_info=tracking if stored is not None else None, video_path=video,
        track=track if stored is None else None, marks=job.marks, mark_frame=job.mark_frame,
        source_name=job.path, on_pose=keep,
    )
    seq, report = run.pose, run.report
    if job.trc:
        from .trc import write_trc

        write_trc(seq, paths.trc)
    _write_json(report, paths.report)
    columns = analyzers.summary_row(analyzer, report)
    typed = Report.from_dict(report)
    columns["warnings"] = ";".join(w.code for w in typed.warnings)
    columns["frames"] = int(typed.frames if typed.frames is not None else len(seq))
    return columns, extracted


def _write_json(doc: dict[str, Any], target: Path) -> None:
    from ..atomicfile import atomic_write

    with atomic_write(target) as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")


def _remove(p: Path) -> None:
    try:
        p.unlink(missing_ok=True)
    except OSError:
        pass

"""The dashboard's unit of work: analyse one input for one test, with progress, and keep
everything the results page shows and exports (report, series, annotated video, key frame).

No Streamlit here: the page passes a progress callback, so this runs (and is tested) without
a browser.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from .. import analyzers
from ..api import PoseHook, is_pose_csv, load_pose, run_analysis
from ..config import DEFAULT_SETTINGS, Settings
from ..export import series_csv
from ..sequence import PoseSequence
from .charts import series_frame

#: (stage text, fraction done 0..1)
StageProgress = Callable[[str, float], None]


@dataclass
class Outcome:
    """One finished analysis, ready to present."""

    test: str
    source_name: str
    report: dict[str, Any]
    series: pd.DataFrame
    series_columns: tuple[str, ...]
    #: the series as CSV text (:func:`hipvision.export.series_csv`, the bytes ``analyze --series`` writes)
    series_csv: str
    sequence: PoseSequence
    annotated_video: Path | None = None
    #: the analysis run itself: its family draws it on the report's key frame
    run: Any = None


def file_digest(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file, streamed (identifies an upload without keeping it in memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while b := fh.read(chunk):
            h.update(b)
    return h.hexdigest()


def find_pose(
    path: Path,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    source_name: str | None = None,
    progress: StageProgress | None = None,
) -> PoseSequence:
    """The pose sequence of ``path`` (the slow step for a video; a pose CSV is just read).
    The page keeps it per input, so changing the test or a threshold does not rerun the model."""
    seq = load_pose(path, settings=settings, progress=_frames_progress("Finding the person", progress))
    return replace(seq, source=source_name) if source_name else seq


def _frames_progress(stage: str, progress: StageProgress | None) -> Callable[[int, int | None], None]:
    """A frame-count progress callback shown as ``stage: frame N of M``."""
    say = progress or (lambda stage, frac: None)

    def frames(done: int, total: int | None) -> None:
        say(f"{stage}: frame {done}" + (f" of {total}" if total else ""), min(done / total, 1.0) if total else 0.0)

    return frames


def track_legs(
    path: Path,
    test: str,
    mode: str,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    marks: dict[str, tuple[float, float]] | None = None,
    source_name: str | None = None,
    progress: StageProgress | None = None,
) -> tuple[PoseSequence, dict[str, Any]]:
    """Knee/ankle tracks of a rotation-test video by ``mode`` (markers, assisted, model,
    auto; :mod:`hipvision.tracking`) and the tracking section for the report."""
    from ..tracking import track_video

    res = track_video(path, test, mode, settings=settings, marks=marks, progress=_frames_progress(f"Tracking the shins ({mode})", progress))
    seq = replace(res.sequence, source=source_name) if source_name else res.sequence
    return seq, res.info.to_dict()


def analyse(
    path: Path,
    seq: PoseSequence | None,
    test: str,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    source_name: str | None = None,
    workdir: Path | None = None,
    annotate: bool = True,
    progress: StageProgress | None = None,
    tracking: dict[str, Any] | None = None,
    track: str | None = None,
    marks: dict[str, tuple[float, float]] | None = None,
    on_pose: PoseHook | None = None,
) -> Outcome:
    """Analyse ``path`` for ``test``; for a video input with ``annotate`` also write the
    annotated video into ``workdir``. One call of :func:`hipvision.api.run_analysis`, the
    path of ``analyze``.

    * ``seq`` None (a video's first analysis): the pose pass (``track``/``marks``: the
      tracking of :func:`track_legs`) is run here and writes the annotated video as it goes
      (one decode, one model run per frame). ``on_pose(seq, tracking)`` gets the landmarks
      before the analysis, so the page keeps them even when the analysis then refuses the
      test; the outcome's ``sequence`` is that pose.
    * ``seq`` given (the pose found earlier: the user changed the test or an option): no
      model run; the annotated video is redrawn from ``seq`` in one decode pass
      (``tracking``: how the tracks were found, from :func:`track_legs` or ``on_pose``,
      added to the report).

    Raises the usual :class:`~hipvision.errors.HipvisionError` subclasses (a wrong test for
    the clip is an :class:`~hipvision.errors.AnalysisError`).
    """
    analyzer = analyzers.get(test)
    say = progress or (lambda stage, frac: None)
    stage = "Finding the person" if track is None else f"Tracking the shins ({track})"

    out_video = None
    if annotate and not is_pose_csv(path) and workdir is not None:
        # a folder per result: results with other options (blur, mirror, tracking) keep their own video
        folder = Path(tempfile.mkdtemp(prefix="result-", dir=workdir))
        out_video = folder / f"{Path(source_name or path.name).stem}.{test}.annotated.mp4"

    def analysing(found: PoseSequence, how: dict[str, Any] | None) -> None:
        if on_pose is not None:
            on_pose(found, how)
        say("Analysing", 0.0)

    try:
        run = run_analysis(
            path, test, settings=settings, pose=seq, tracking_info=tracking, video_path=out_video,
            track=track if seq is None else None, marks=marks, source_name=source_name,
            progress=_frames_progress(stage, progress), on_pose=analysing,
            render_progress=_frames_progress("Drawing the annotated video", progress),
        )
    except BaseException:
        if out_video is not None:  # a failed result leaves no folder behind
            shutil.rmtree(out_video.parent, ignore_errors=True)
        raise
    say("Done", 1.0)
    rows = run.series_rows()
    return Outcome(
        test=test,
        source_name=source_name or path.name,
        report=run.report,
        series=series_frame(rows, analyzer.series_columns),
        series_columns=analyzer.series_columns,
        series_csv=series_csv(analyzer.series_columns, rows),
        sequence=run.pose,
        annotated_video=out_video,
        run=run,
    )

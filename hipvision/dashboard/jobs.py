"""The dashboard's unit of work: analyse one input for one test, with progress, and keep
everything the results page shows and exports (report, series, annotated video, key frame).

No Streamlit here: the page passes a progress callback, so this runs (and is tested) without
a browser.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .. import analyzers
from ..api import is_pose_csv, load_pose, run_analysis
from ..config import DEFAULT_SETTINGS, Settings
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
    sequence: PoseSequence
    annotated_video: Path | None = None


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
    say = progress or (lambda stage, frac: None)

    def pose_progress(done: int, total: int | None) -> None:
        say(f"Finding the person: frame {done}" + (f" of {total}" if total else ""), min(done / total, 1.0) if total else 0.0)

    seq = load_pose(path, settings=settings, progress=pose_progress)
    return replace(seq, source=source_name) if source_name else seq


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

    say = progress or (lambda stage, frac: None)

    def track_progress(done: int, total: int | None) -> None:
        say(f"Tracking the shins ({mode}): frame {done}" + (f" of {total}" if total else ""), min(done / total, 1.0) if total else 0.0)

    res = track_video(path, test, mode, settings=settings, marks=marks, progress=track_progress)
    seq = replace(res.sequence, source=source_name) if source_name else res.sequence
    return seq, res.info.to_dict()


def analyse(
    path: Path,
    seq: PoseSequence,
    test: str,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    source_name: str | None = None,
    workdir: Path | None = None,
    annotate: bool = True,
    progress: StageProgress | None = None,
    tracking: dict[str, Any] | None = None,
) -> Outcome:
    """Analyse the pose ``seq`` of ``path`` for ``test`` (``tracking``: how the tracks were
    found, from :func:`track_legs`, added to the report); for a video input with ``annotate``
    also draw the annotated video into ``workdir`` (a second pass over the video).

    Raises the usual :class:`~hipvision.errors.HipvisionError` subclasses (a wrong test for
    the clip is an :class:`~hipvision.errors.AnalysisError`).
    """
    analyzer = analyzers.get(test)
    say = progress or (lambda stage, frac: None)

    def render_progress(done: int, total: int | None) -> None:
        say(f"Drawing the annotated video: frame {done}" + (f" of {total}" if total else ""), min(done / total, 1.0) if total else 0.0)

    out_video = None
    if annotate and not is_pose_csv(path) and workdir is not None:
        out_video = workdir / f"{Path(source_name or path.name).stem}.{test}.annotated.mp4"
        out_video.unlink(missing_ok=True)
    say("Analysing", 0.0)
    run = run_analysis(path, test, settings=settings, pose=seq, video_path=out_video, render_progress=render_progress)
    if tracking is not None:
        run.report["tracking"] = tracking
    say("Done", 1.0)
    return Outcome(
        test=test,
        source_name=source_name or path.name,
        report=run.report,
        series=series_frame(run.series_rows(), analyzer.series_columns),
        series_columns=analyzer.series_columns,
        sequence=seq,
        annotated_video=out_video,
    )


def key_frame_index(outcome: Outcome) -> int | None:
    """The frame that best shows the result: the held peak IR (rotation) or the bottom of
    the worst rep (screening). Index into ``outcome.sequence``."""
    rep = outcome.report
    t: float | None = None
    if "sides" in rep:
        best = max(
            (s for s in rep["sides"].values() if s.get("peak_ir_deg") is not None and s.get("ir_held")),
            key=lambda s: s["peak_ir_deg"],
            default=None,
        )
        t = best["ir_held"]["at_s"] if best else None
    elif rep.get("reps"):
        worst = (rep.get("summary") or {}).get("worst_rep") or {}
        idx = worst.get("index", rep["reps"][0]["index"])
        t = next(r["bottom_s"] for r in rep["reps"] if r["index"] == idx)
    if t is None or len(outcome.sequence) == 0:
        return None
    return int(np.argmin(np.abs(outcome.sequence.time_s - t)))

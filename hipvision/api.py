"""The Python API of hipvision. The CLI, the Streamlit app and batch mode call these.

* :func:`extract`: input (video / webcam / image / image folder) -> pose, streamed into a
  pose CSV and/or an annotated video and/or an in-memory :class:`PoseSequence`.
* :func:`load_pose`: any input -> :class:`PoseSequence` (a pose CSV is read, never
  needing the model).
* :func:`analyze`: any input + test name -> report dict.
"""

from __future__ import annotations

import time
import warnings
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from . import analyzers
from .analyzers import AnalysisRun
from .atomicfile import check_target, write_atomic
from .bands import annotate_rotation
from .config import POSE_CSV_SUFFIXES, Settings, DEFAULT_SETTINGS
from .errors import InputError
from .models import resolve_model
from .pose.factory import make_backend  # noqa: F401  (re-exported: its old home)
from .posecsv import PoseCsvWriter, read_pose_csv
from .schema import report_test
from .sequence import PoseSequence
from .sources import FrameSource, is_webcam, open_source

if TYPE_CHECKING:
    from .pipeline import Sink

#: progress callback: (frames done, frames expected or None)
Progress = Callable[[int, int | None], None]
#: sees the landmarks of a run and their tracking section (or None) before the analysis
PoseHook = Callable[[PoseSequence, dict[str, Any] | None], None]


@dataclass
class ExtractResult:
    """What an extraction produced and measured."""

    source: str
    kind: str
    width: int
    height: int
    fps: float | None
    frames: int = 0
    detected: int = 0
    multi_person_frames: list[int] = field(default_factory=list)
    model_path: str = ""
    sequence: PoseSequence | None = None
    csv_path: Path | None = None
    video_path: Path | None = None
    #: wall time waiting for decoded frames / in the pose model / everything else (s)
    decode_wait_s: float = 0.0
    inference_s: float = 0.0
    other_s: float = 0.0
    total_s: float = 0.0

    @property
    def detection_rate(self) -> float:
        return self.detected / self.frames if self.frames else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "frame_size": [self.width, self.height],
            "nominal_fps": self.fps,
            "frames": self.frames,
            "frames_with_person": self.detected,
            "detection_rate": round(self.detection_rate, 4),
            "multi_person_frames": self.multi_person_frames,
            "model": self.model_path,
            "pose_csv": str(self.csv_path) if self.csv_path else None,
            "annotated_video": str(self.video_path) if self.video_path else None,
            "seconds": {
                "total": round(self.total_s, 3),
                "decode_wait": round(self.decode_wait_s, 3),
                "inference": round(self.inference_s, 3),
                "other": round(self.other_s, 3),
            },
        }


def is_pose_csv(path: str | Path) -> bool:
    return not is_webcam(str(path)) and Path(path).suffix.lower() in POSE_CSV_SUFFIXES


def extract(
    input: str | Path,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    csv_path: str | Path | None = None,
    video_path: str | Path | None = None,
    keep_sequence: bool = True,
    progress: Progress | None = None,
    download_progress: bool = True,
    sinks: Sequence[Sink] = (),
) -> ExtractResult:
    """Run the pose model over ``input`` and stream results to the requested sinks
    (one pass of :mod:`hipvision.pipeline`).

    ``csv_path`` and ``video_path`` (skeleton drawn on each frame) are written atomically:
    they appear only if the whole input was processed. With ``keep_sequence=False`` memory
    stays flat however long the input is (only the CSV/video are produced). ``sinks``:
    more sinks fed in the same pass (e.g. an analysis's annotated video).
    """
    if is_pose_csv(input):
        raise InputError(f"{input}: already a pose CSV; nothing to extract")
    for out in (csv_path, video_path):
        if out is not None:
            check_target(Path(out))
    source = open_source(input, settings.source)  # a bad input fails before any model download
    model_path = resolve_model(settings.model, progress=download_progress)
    return _run(source, model_path, settings, csv_path, video_path, keep_sequence, progress, sinks)


def _run(
    source: FrameSource,
    model_path: Path,
    settings: Settings,
    csv_path: str | Path | None,
    video_path: str | Path | None,
    keep_sequence: bool,
    progress: Progress | None,
    extra: Sequence[Sink] = (),
) -> ExtractResult:
    from .pipeline import (
        AnnotatedVideoSink, CollectSink, CsvSink, LoopStats, ProgressSink, StatsSink, open_frames, pose_step, run,
    )
    from .pose.factory import make_people_counter

    res = ExtractResult(
        source=source.name,
        kind=source.kind,
        width=source.width,
        height=source.height,
        fps=source.fps,
        model_path=str(model_path),
    )
    size = (source.width, source.height)
    stream = source.kind != "image"
    # the multi-person check runs on the decode thread, off the model's hot path
    counter = make_people_counter(model_path, settings) if stream else None
    stats, loop = StatsSink(), LoopStats()
    collect = CollectSink() if keep_sequence else None
    t_start = time.perf_counter()
    with ExitStack() as stack:
        if counter is not None:
            stack.callback(counter.close)  # after the decode thread has stopped (LIFO)
        it = open_frames(source, settings, counter)  # decoding starts now
        stack.callback(getattr(it, "close", lambda: None))
        backend = stack.enter_context(
            make_backend(model_path, stream=stream, settings=settings, inline_check=counter is None)
        )
        sinks: list[Sink] = [stats]
        if csv_path:
            sinks.append(CsvSink(stack.enter_context(PoseCsvWriter(csv_path, size))))
        if video_path:
            sinks.append(stack.enter_context(
                AnnotatedVideoSink(video_path, source.width, source.height, source.fps, settings.render)
            ))
        if collect is not None:
            sinks.append(collect)
        sinks.extend(extra)
        if progress is not None:
            sinks.append(ProgressSink(progress, source.frame_count))
        try:
            run(it, pose_step(backend), sinks, size=size, name=source.name, stats=loop)
        except KeyboardInterrupt:
            if source.kind != "webcam":
                raise
            # Ctrl-C ends a live recording normally: the outputs so far are kept
    res.total_s = time.perf_counter() - t_start
    res.frames, res.detected, res.multi_person_frames = loop.frames, stats.detected, stats.multi_person_frames
    res.decode_wait_s, res.inference_s, res.other_s = loop.decode_wait_s, loop.inference_s, loop.other_s
    res.csv_path = Path(csv_path) if csv_path else None
    res.video_path = Path(video_path) if video_path else None
    if collect is not None:
        res.sequence = PoseSequence.from_frames(collect.poses, size, source=source.name)
    return res


def load_pose(
    input: str | Path,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    progress: Progress | None = None,
    sinks: Sequence[Sink] = (),
) -> PoseSequence:
    """A pose sequence from any input: a pose CSV is read (no model needed); anything
    else goes through the pose model (``sinks`` fed in that pass)."""
    if is_pose_csv(input):
        p = Path(input)
        if not p.exists():
            raise InputError(f"{p}: no such file")
        return read_pose_csv(p)
    result = extract(input, settings=settings, progress=progress, sinks=sinks)
    assert result.sequence is not None
    return result.sequence


def run_analysis(
    input: str | Path | PoseSequence,
    test: str,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    progress: Progress | None = None,
    video_path: str | Path | None = None,
    series_path: str | Path | None = None,
    render_progress: Progress | None = None,
    pose: PoseSequence | None = None,
    track: str | None = None,
    marks: dict[str, tuple[float, float]] | None = None,
    mark_frame: int = 0,
    marker_color: str | None = None,
    tracking_info: dict[str, Any] | None = None,
    source_name: str | None = None,
    on_pose: PoseHook | None = None,
) -> AnalysisRun:
    """Analyse ``input`` for ``test``. Optionally write the per-frame series as CSV and an
    annotated video (needs a video or image-folder input; written in the pose pass, the
    analysis overlay on the frames held back for it, see
    :class:`~hipvision.pipeline.AnnotatedVideoSink`; with ``pose`` given, one decode pass
    draws it). ``progress`` follows the pose pass, ``render_progress`` the drawing of the
    held frames (or the decode pass). ``pose``: the
    landmarks of ``input`` when they are already known (no pose pass, no tracking);
    ``tracking_info``: for landmarks tracked earlier (``pose``, or a sequence / pose CSV
    input), the tracking section that produced them (``TrackingInfo.to_dict()``), so the
    dashboard and batch get the same report and warnings as tracking here. The returned run's ``pose`` is the sequence analysed.

    ``track`` (rotation tests on a video): how knees and ankles are found, one of
    ``markers``, ``assisted`` (needs ``marks`` on frame ``mark_frame``), ``model`` (pose
    model + plausibility gate) or ``auto``; see :mod:`hipvision.tracking`. ``None`` = the
    pose model without the gate. The report then has a ``tracking`` section.

    ``source_name``: the report's ``source`` (default: the input's own name; batch gives the
    path as listed, the dashboard the upload's file name). ``on_pose(seq, tracking)`` is
    called with the landmarks about to be analysed (named) and their tracking section, after
    the pose or tracking pass and before the analysis: batch keeps them on disk there, so
    that a failed analysis or a kill does not cost the model run again (it may raise to stop
    the run: the annotated video is then not written)."""
    analyzer = analyzers.get(test)  # unknown test: fail before any slow work
    if track is not None and (isinstance(input, PoseSequence) or is_pose_csv(input)):
        raise InputError("--track needs a video: a pose CSV already holds the landmarks (analyse it without --track)")
    if video_path is not None and (isinstance(input, PoseSequence) or is_pose_csv(input)):
        raise InputError("an annotated video needs the video itself as input, not landmarks")
    if video_path is not None and is_webcam(str(input)):
        raise InputError(
            "an annotated video of a webcam needs the recording: record with "
            "'hipvision extract webcam --save-video OUT.mp4', or analyse a recorded video"
        )
    for out in (video_path, series_path):
        if out is not None:
            check_target(Path(out))
    with ExitStack() as stack:
        video = None
        if video_path is not None and pose is None and not isinstance(input, PoseSequence):
            # the annotated video is written in the pose (or tracking) pass: see pipeline.AnnotatedVideoSink
            from .pipeline import AnnotatedVideoSink

            src = open_source(input, settings.source)
            family = analyzers.family_of(test)
            mirror = family is not None and family.mirrored(settings)  # the person's sides
            video = stack.enter_context(AnnotatedVideoSink(
                video_path, src.width, src.height, src.fps, settings.render, mirror=mirror, hold=True,
            ))
        run = _analyse(input, test, analyzer, settings, progress, pose, track, marks, mark_frame, marker_color,
                       tracking_info, [video] if video is not None else [], source_name, on_pose)
        if series_path is not None:
            write_series_csv(run, analyzer.series_columns, series_path)
        if video is not None:
            video.finish(analyzers.overlay(run), end_card(run), render_progress)
        elif video_path is not None:
            # landmarks known beforehand: one decode pass to draw them (never a model run)
            seq = run.pose
            family = analyzers.family_of(test)
            draw_seq = seq.mirrored() if family is not None and family.mirrored(settings) else seq
            render_annotated(input, draw_seq, run, video_path, settings=settings, progress=render_progress)  # type: ignore[arg-type]
    return run


def _analyse(input, test, analyzer, settings, progress, pose, track, marks, mark_frame, marker_color,
             tracking_info, sinks, source_name=None, on_pose=None) -> AnalysisRun:
    """The pose (or tracking) pass feeding ``sinks``, then the analysis: see :func:`run_analysis`."""
    t0 = time.perf_counter()
    tracking: dict[str, Any] | None = tracking_info
    if pose is not None:
        seq = pose
    elif track is not None:
        from .tracking import track_video

        tracked = track_video(
            input, test, track, settings=settings, marks=marks, mark_frame=mark_frame,  # type: ignore[arg-type]
            marker_color=marker_color, progress=progress, sinks=sinks,
        )
        seq, tracking = tracked.sequence, tracked.info.to_dict()
    else:
        seq = input if isinstance(input, PoseSequence) else load_pose(input, settings=settings, progress=progress, sinks=sinks)
    if source_name:
        seq = replace(seq, source=source_name)
    if on_pose is not None:
        on_pose(seq, tracking)
    with warnings.catch_warnings():
        # NaN means "missing" throughout: all-NaN medians of an unseen landmark are expected
        # and handled (the analyzers check for finite values), not worth a console warning
        warnings.filterwarnings("ignore", r"All-NaN (slice|axis) encountered", RuntimeWarning)
        warnings.filterwarnings("ignore", r"Mean of empty slice", RuntimeWarning)
        warnings.filterwarnings("ignore", r"Degrees of freedom <= 0", RuntimeWarning)
        run = analyzer.run(seq, settings)
    run.pose = seq  # the landmarks analysed: the report's key frame is drawn from them
    if tracking is not None:
        run.report["tracking"] = tracking
        _note_crossing(run.report, (tracking.get("checks") or {}).get("crossed_frames") or 0)
        from .tracking.doubts import name_tracking_doubts

        name_tracking_doubts(run.report, settings.rotation)
        annotate_rotation(run.report, settings)  # the tracker used widens or narrows the bands
    run.report["processing_s"] = round(time.perf_counter() - t0, 3)
    return run


def _note_crossing(report: dict[str, Any], crossed: int) -> None:
    """Assisted tracking left out ``crossed`` frames where the shins crossed (feet turned in):
    say so, and do not let "only IR was tested" suggest ER was never tried."""
    if not crossed:
        return
    from .analyzers.rotation.analysis import er_maybe_hidden_message, one_direction_message

    # the IR-only warnings, known by their code and the message the analyzer gave that side
    ir_only = {one_direction_message(s, "ir"): er_maybe_hidden_message(s) for s in ("left", "right")}
    typed = analyzers.typed_report(report).warnings
    warnings = [
        replace(w, message=ir_only[w.message]).to_dict() if w.code == "one_direction_only" and w.message in ir_only else w.to_dict()
        for w in typed
    ]
    report["warnings"] = warnings
    warnings.append({"code": "shins_crossed", "value": float(crossed), "message": (
        f"the shins crossed in {crossed} frames (feet turned in): not measured there, so external rotation "
        "may be missing or read low; test external rotation one leg at a time")})


def analyze(
    input: str | Path | PoseSequence,
    test: str,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    progress: Progress | None = None,
    **tracking: Any,
) -> dict[str, Any]:
    """Run the analyzer for ``test`` on ``input`` and return its report. ``tracking``:
    ``track``, ``marks``, ``mark_frame``, ``marker_color`` as in :func:`run_analysis`."""
    return run_analysis(input, test, settings=settings, progress=progress, **tracking).report


def write_series_csv(run: AnalysisRun, columns: tuple[str, ...], path: str | Path) -> Path:
    """Write the per-frame series of an analysis as CSV (atomically), the bytes of
    :func:`hipvision.export.series_csv`."""
    from .export import series_csv

    return write_atomic(path, series_csv(columns, run.series_rows()))


def end_card(run: AnalysisRun) -> list[str]:
    """The lines of an annotated video's end card: the report's own summary text."""
    report = getattr(run, "report", None)
    if not isinstance(report, dict) or (test := report_test(report)) not in analyzers.available():
        return []
    return analyzers.get(test).summary_text(report).splitlines()


def render_annotated(
    input: str | Path,
    seq: PoseSequence,
    run: AnalysisRun,
    video_path: str | Path,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    progress: Progress | None = None,
) -> Path:
    """An annotated video from landmarks found earlier (``seq``, drawn as they are) and
    their analysis ``run``: one decode pass, no model run; the same drawing as the single
    pass of :func:`run_analysis` (:class:`~hipvision.pipeline.AnnotatedVideoSink`). With
    ``settings.render.blur_faces`` the faces are blurred first."""
    from .pipeline import AnnotatedVideoSink, ProgressSink, open_frames, run as run_frames

    source = open_source(input, settings.source)
    rows = {int(f): k for k, f in enumerate(seq.frame)}

    def step(fr):
        k = rows.get(fr.index)
        return seq.frame_at(k) if k is not None else None

    with ExitStack() as stack:
        frames = open_frames(source, settings)
        stack.callback(getattr(frames, "close", lambda: None))
        out = stack.enter_context(AnnotatedVideoSink(
            video_path, source.width, source.height, source.fps, settings.render, hold=True,
        ))
        sinks: list[Any] = [out]
        if progress is not None:
            sinks.append(ProgressSink(progress, source.frame_count))
        run_frames(frames, step, sinks)
        out.finish(analyzers.overlay(run), end_card(run))
    return Path(video_path)


def default_track(test: str, input: str | Path | PoseSequence) -> str | None:
    """The tracking mode used when none is given: ``auto`` for the prone test on a video
    (the pose model cannot be trusted there, see docs/TRACKING.md), otherwise ``None`` (the
    pose model as it is; a pose CSV already holds landmarks)."""
    if test != "prone" or isinstance(input, PoseSequence) or is_pose_csv(input):
        return None
    return "auto"

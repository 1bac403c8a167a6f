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
from typing import Any, Callable

from . import analyzers
from .analyzers import AnalysisRun
from .atomicfile import check_target, write_atomic
from .bands import annotate_rotation
from .config import POSE_CSV_SUFFIXES, Settings, DEFAULT_SETTINGS
from .errors import InputError
from .models import resolve_model
from .posecsv import PoseCsvWriter, read_pose_csv
from .sequence import PoseFrame, PoseSequence
from .sources import FrameSource, is_webcam, open_source, prefetch

#: progress callback: (frames done, frames expected or None)
Progress = Callable[[int, int | None], None]


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


def make_backend(model_path: Path, *, stream: bool, settings: Settings):
    """Create the pose backend (imports mediapipe on first use)."""
    from .pose.mediapipe_backend import MediaPipePoseBackend

    return MediaPipePoseBackend(str(model_path), stream=stream, settings=settings.pose)


def extract(
    input: str | Path,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    csv_path: str | Path | None = None,
    video_path: str | Path | None = None,
    keep_sequence: bool = True,
    progress: Progress | None = None,
    download_progress: bool = True,
) -> ExtractResult:
    """Run the pose model over ``input`` and stream results to the requested sinks.

    ``csv_path`` and ``video_path`` are written atomically: they appear only if the whole
    input was processed. With ``keep_sequence=False`` memory stays flat however long the
    input is (only the CSV/video are produced).
    """
    if is_pose_csv(input):
        raise InputError(f"{input}: already a pose CSV; nothing to extract")
    for out in (csv_path, video_path):
        if out is not None:
            check_target(Path(out))
    source = open_source(input, settings.source)  # a bad input fails before any model download
    model_path = resolve_model(settings.model, progress=download_progress)
    return _run(source, model_path, settings, csv_path, video_path, keep_sequence, progress)


def _run(
    source: FrameSource,
    model_path: Path,
    settings: Settings,
    csv_path: str | Path | None,
    video_path: str | Path | None,
    keep_sequence: bool,
    progress: Progress | None,
) -> ExtractResult:
    from .videowriter import H264Writer

    res = ExtractResult(
        source=source.name,
        kind=source.kind,
        width=source.width,
        height=source.height,
        fps=source.fps,
        model_path=str(model_path),
    )
    size = (source.width, source.height)
    frames: list[PoseFrame] = []
    t_start = time.perf_counter()
    it = prefetch(iter(source), settings.source.prefetch_frames)  # decoding starts now
    with ExitStack() as stack:
        stack.callback(getattr(it, "close", lambda: None))
        backend = stack.enter_context(
            make_backend(model_path, stream=source.kind != "image", settings=settings)
        )
        csv_w = stack.enter_context(PoseCsvWriter(csv_path, size)) if csv_path else None
        vid_w = (
            stack.enter_context(
                H264Writer(video_path, source.width, source.height, source.fps, settings.render.crf)
            )
            if video_path
            else None
        )
        try:
            _loop(it, source, backend, size, res, csv_w, vid_w, frames if keep_sequence else None, settings, progress)
        except KeyboardInterrupt:
            if source.kind != "webcam":
                raise
            # Ctrl-C ends a live recording normally: the outputs so far are kept
    res.total_s = time.perf_counter() - t_start
    res.csv_path = Path(csv_path) if csv_path else None
    res.video_path = Path(video_path) if video_path else None
    if keep_sequence:
        res.sequence = PoseSequence.from_frames(frames, size, source=source.name)
    return res


def _loop(it, source, backend, size, res, csv_w, vid_w, frames, settings, progress) -> None:
    """The per-frame work of :func:`extract`: detect, then feed every sink."""
    from .privacy import FaceBlurrer
    from .render import draw_pose

    blur = FaceBlurrer(settings.render) if settings.render.blur_faces else None
    while True:
        t0 = time.perf_counter()
        fr = next(it, None)
        t1 = time.perf_counter()
        if fr is None:
            break
        if fr.image.shape[1] != size[0] or fr.image.shape[0] != size[1]:
            raise InputError(
                f"{source.name}: frame {fr.index} is {fr.image.shape[1]}x{fr.image.shape[0]}, "
                f"expected {size[0]}x{size[1]} (frame size changes mid-stream)"
            )
        pf = backend.detect(fr.image, fr.index, fr.time_s)
        t2 = time.perf_counter()
        res.frames += 1
        res.detected += pf.detected
        if pf.num_people > 1:
            res.multi_person_frames.append(pf.frame)
        if csv_w is not None:
            csv_w.write(pf)
        if vid_w is not None:
            img = blur(fr.image, pf, fr.time_s) if blur is not None else fr.image
            vid_w.write(draw_pose(img, pf, settings.render), fr.time_s)
        if frames is not None:
            frames.append(pf)
        if progress is not None:
            progress(res.frames, source.frame_count)
        t3 = time.perf_counter()
        res.decode_wait_s += t1 - t0
        res.inference_s += t2 - t1
        res.other_s += t3 - t2


def load_pose(
    input: str | Path,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    progress: Progress | None = None,
) -> PoseSequence:
    """A pose sequence from any input: a pose CSV is read (no model needed); anything
    else goes through the pose model."""
    if is_pose_csv(input):
        p = Path(input)
        if not p.exists():
            raise InputError(f"{p}: no such file")
        return read_pose_csv(p)
    result = extract(input, settings=settings, progress=progress)
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
) -> AnalysisRun:
    """Analyse ``input`` for ``test``. Optionally write the per-frame series as CSV and an
    annotated video (a second pass over the video; needs a video or image-folder input).
    ``progress`` follows the pose pass, ``render_progress`` the video pass. ``pose``: the
    landmarks of ``input`` when they are already known (no pose pass, no tracking);
    ``tracking_info``: for landmarks tracked earlier (``pose``, or a sequence / pose CSV
    input), the tracking section that produced them (``TrackingInfo.to_dict()``), so the
    dashboard and batch get the same report and warnings as tracking here. The returned run's ``pose`` is the sequence analysed.

    ``track`` (rotation tests on a video): how knees and ankles are found, one of
    ``markers``, ``assisted`` (needs ``marks`` on frame ``mark_frame``), ``model`` (pose
    model + plausibility gate) or ``auto``; see :mod:`hipvision.tracking`. ``None`` = the
    pose model without the gate. The report then has a ``tracking`` section."""
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
    t0 = time.perf_counter()
    tracking: dict[str, Any] | None = None
    tracking = tracking_info
    if pose is not None:
        seq = pose
    elif track is not None:
        from .tracking import track_video

        tracked = track_video(
            input, test, track, settings=settings, marks=marks, mark_frame=mark_frame,  # type: ignore[arg-type]
            marker_color=marker_color, progress=progress,
        )
        seq, tracking = tracked.sequence, tracked.info.to_dict()
    else:
        seq = input if isinstance(input, PoseSequence) else load_pose(input, settings=settings, progress=progress)
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
    if series_path is not None:
        write_series_csv(run, analyzer.series_columns, series_path)
    if video_path is not None:
        # the skeleton must carry the same (person's) sides as the analysis overlay
        family = analyzers.family_of(test)
        draw_seq = seq.mirrored() if family is not None and family.mirrored(settings) else seq
        render_annotated(input, draw_seq, run, video_path, settings=settings, progress=render_progress)  # type: ignore[arg-type]
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


def render_annotated(
    input: str | Path,
    seq: PoseSequence,
    run: AnalysisRun,
    video_path: str | Path,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    progress: Progress | None = None,
) -> Path:
    """Second pass over the video: skeleton + the analysis overlay, as browser-playable MP4.
    With ``settings.render.blur_faces`` the faces are blurred first."""
    from .privacy import FaceBlurrer
    from .render import draw_pose
    from .videowriter import H264Writer

    blur = FaceBlurrer(settings.render) if settings.render.blur_faces else None

    source = open_source(input, settings.source)
    rows = {int(f): k for k, f in enumerate(seq.frame)}
    frames = prefetch(iter(source), settings.source.prefetch_frames)
    with ExitStack() as stack:
        stack.callback(getattr(frames, "close", lambda: None))
        out = stack.enter_context(
            H264Writer(video_path, source.width, source.height, source.fps, settings.render.crf)
        )
        for fr in frames:
            img = fr.image
            k = rows.get(fr.index)
            if blur is not None:
                img = blur(img, seq.frame_at(k) if k is not None else None, fr.time_s)
            if k is not None:
                img = draw_pose(img, seq.frame_at(k), settings.render)
            out.write(run.draw(img, fr.index), fr.time_s)
            if progress is not None:
                progress(fr.index + 1, source.frame_count)
    return Path(video_path)


def default_track(test: str, input: str | Path | PoseSequence) -> str | None:
    """The tracking mode used when none is given: ``auto`` for the prone test on a video
    (the pose model cannot be trusted there, see docs/TRACKING.md), otherwise ``None`` (the
    pose model as it is; a pose CSV already holds landmarks)."""
    if test != "prone" or isinstance(input, PoseSequence) or is_pose_csv(input):
        return None
    return "auto"

"""Orchestration: one streamed pass over a video feeding the requested trackers, then the
choice of mode. The CLI and the Streamlit app call :func:`track_video`.

Modes: ``markers`` (stickers), ``assisted`` (shins marked on one frame, followed as rigid strips),
``model`` (MediaPipe + the plausibility gate), ``auto`` (model + gate if it passes, else
markers, else an error asking for stickers or marks, or saying that the clip shows a
standing exercise when the model's pose clearly does). ``auto`` runs the model and the
marker tracker in the same pass, so the video is decoded once.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..config import DEFAULT_SETTINGS, TRACK_MODES, Settings
from ..errors import AnalysisError, HipvisionError, InputError
from ..sequence import PoseFrame, PoseSequence
from .. import pipeline
from ..sources import Frame, open_source
from .assisted import ShinTracker
from .gate import gate_legs
from .markers import MarkerTracker
from .result import POINTS, SIDES, TrackingInfo, TrackResult, legs_sequence, usable_fraction

Progress = Callable[[int, int | None], None]

STICKER_HINT = (
    "put two coloured stickers on each shin (see docs/TRACKING.md; print a sheet with "
    "'hipvision stickers -o sheet.svg') and use --track markers, or mark knee and ankle of "
    "each leg on one frame: --track assisted --mark left_knee=X,Y --mark left_ankle=X,Y "
    "--mark right_knee=X,Y --mark right_ankle=X,Y [--mark-frame N]"
)


class _Collect:
    """Per-frame knee/ankle results of a point tracker, stacked at the end."""

    def __init__(self) -> None:
        self.frame: list[int] = []
        self.time: list[float] = []
        self.xy: dict[str, list[np.ndarray]] = {p: [] for p in POINTS}
        self.conf: dict[str, list[float]] = {p: [] for p in POINTS}

    def add(self, frame: int, t: float, pts: dict[str, tuple[np.ndarray, float]]) -> None:
        self.frame.append(frame)
        self.time.append(t)
        for p in POINTS:
            xy, c = pts[p]
            self.xy[p].append(xy)
            self.conf[p].append(c)

    def sequence(self, size: tuple[int, int], source: str) -> PoseSequence:
        if not self.frame:
            return PoseSequence.empty(size, source)
        return legs_sequence(
            np.array(self.frame), np.array(self.time),
            {p: np.array(v) for p, v in self.xy.items()}, {p: np.array(v) for p, v in self.conf.items()},
            size, source,
        )


def track_video(
    input: str | Path,
    test: str,
    mode: str = "auto",
    *,
    settings: Settings = DEFAULT_SETTINGS,
    marks: dict[str, tuple[float, float]] | None = None,
    mark_frame: int = 0,
    marker_color: str | None = None,
    progress: Progress | None = None,
    sinks: Sequence[pipeline.Sink] = (),
) -> TrackResult:
    """Knee/ankle tracks of the rotation test ``test`` ('prone' or 'seated') in a video (or
    image folder), streamed frame by frame through :mod:`hipvision.pipeline` (``sinks``
    fed in the same pass: each frame with the pose model's pose, None without the model).
    Raises :class:`InputError` with what to do when no mode gives usable tracks.
    ``marks``: assisted mode's points on frame ``mark_frame``."""
    if mode not in TRACK_MODES:
        raise InputError(f"unknown tracking mode '{mode}' (expected one of {', '.join(TRACK_MODES)})")
    if test not in ("prone", "seated"):
        raise InputError(f"--track applies to the rotation tests (prone, seated), not '{test}'")
    if mode == "assisted" and not marks:
        from .assisted import parse_marks

        parse_marks([])  # raises the "needs marks" error
    ts = settings.tracking
    color = marker_color or ts.marker_color
    attempts: list[dict[str, Any]] = []
    backend_model = None
    if mode in ("model", "auto"):
        from ..models import resolve_model

        try:
            backend_model = resolve_model(settings.model, progress=False)
        except HipvisionError as e:
            if mode == "model":
                raise
            attempts.append({"mode": "model", "used": False, "reason": f"pose model unavailable: {e}"})
    source = open_source(input, settings.source)
    size = (source.width, source.height)
    markers = MarkerTracker(test, ts, color) if mode in ("markers", "auto") else None
    points = ShinTracker(marks or {}, mark_frame, ts) if mode == "assisted" else None
    m_out, p_out = _Collect(), _Collect()
    model_frames: list[PoseFrame] = []
    t0 = time.perf_counter()
    with ExitStack() as stack:
        counter = None
        backend = None
        if backend_model is not None:
            from ..pose.factory import make_backend, make_people_counter

            stream = source.kind != "image"
            counter = make_people_counter(backend_model, settings) if stream else None
            if counter is not None:
                stack.callback(counter.close)  # after the decode thread has stopped (LIFO)
        it = pipeline.open_frames(source, settings, counter)
        stack.callback(getattr(it, "close", lambda: None))
        if backend_model is not None:
            backend = stack.enter_context(
                make_backend(backend_model, stream=source.kind != "image", settings=settings, inline_check=counter is None)
            )
        detect = pipeline.pose_step(backend) if backend is not None else None

        def step(fr: Frame) -> PoseFrame | None:
            """Every requested tracker on this frame; the model's pose is the one recorded
            (and drawn on an annotated video)."""
            if markers is not None:
                fm = markers.update(fr.image, fr.index)
                m_out.add(fr.index, fr.time_s, {p: (fm.xy[p], fm.confidence[p]) for p in POINTS})
            if points is not None:
                p_out.add(fr.index, fr.time_s, points.update(fr.image, fr.index))
            if detect is None:
                return None
            pf = detect(fr)
            model_frames.append(pf)
            return pf

        out: list[pipeline.Sink] = list(sinks)
        if progress is not None:
            out.append(pipeline.ProgressSink(progress, source.frame_count))
        n = pipeline.run(it, step, out).frames
    fps = n / max(time.perf_counter() - t0, 1e-9)
    name = source.name
    model_seq: PoseSequence | None = None

    if points is not None:
        return _assisted_result(p_out.sequence(size, name), points, mark_frame, n, fps, settings)

    if backend is not None:
        model_seq = mseq = PoseSequence.from_frames(model_frames, size, source=name)
        g = gate_legs(mseq, test, ts, neutral_start_within_s=settings.rotation.neutral_start_within_s)
        checks = {"gate": [c.to_dict() for c in g.checks], "passed": g.passed,
                  "failed_share": {sd: round(v, 3) for sd, v in g.failed_share.items()}}
        if mode == "model" and not g.passed:
            _refuse_other_test(mseq, test)
        if mode == "model" or g.passed:
            reason = ("requested" if mode == "model" else "the pose model's legs passed the plausibility gate")
            if mode == "model" and not g.passed:
                reason = "requested; the plausibility gate rejected part of it: " + g.reason()
            return TrackResult(g.sequence, TrackingInfo("model", mode, reason, n, g.usable, [], checks, attempts, fps))
        attempts.append({"mode": "model", "used": False, "reason": "plausibility gate failed: " + g.reason(),
                         "usable_fraction": {s: round(v, 3) for s, v in g.usable.items()},
                         "failed_share": checks["failed_share"]})

    assert markers is not None
    seq = m_out.sequence(size, name)
    usable = usable_fraction(seq)
    details = {
        "marker_color": color,
        "started_at_frame": markers.init_frame,
        "rejected": dict(markers.rejected),
        "restarts": markers.restarts,
        "median_confidence": {
            s: _median_conf(seq, s) for s in SIDES
        },
    }
    enough = all(usable[s] >= ts.min_usable_fraction for s in SIDES)
    if mode == "auto" and not enough and model_seq is not None:
        _refuse_other_test(model_seq, test)
    if markers.init_frame is None:
        msg = (f"no tracking possible: no four {color} stickers forming two near-vertical shins were "
               f"found in {n} frames")
        if mode == "auto":
            why = "; ".join(a["reason"] for a in attempts)
            raise InputError(f"{msg}, and the pose model is not usable ({why}): {STICKER_HINT}")
        raise InputError(f"{msg}: {STICKER_HINT}")
    if mode == "auto" and not enough:
        why = "; ".join(a["reason"] for a in attempts)
        raise InputError(
            f"no usable knee/ankle tracks: the stickers were seen in only "
            f"{', '.join(f'{s} {usable[s]:.0%}' for s in SIDES)} of the frames (need "
            f"{ts.min_usable_fraction:.0%}), and the pose model is not usable ({why}): {STICKER_HINT}"
        )
    reason = "requested" if mode == "markers" else "fallback: " + "; ".join(a["reason"] for a in attempts)
    return TrackResult(seq, TrackingInfo("markers", mode, reason, n, usable, [], details, attempts, fps))


def _refuse_other_test(seq: PoseSequence, test: str) -> None:
    """Before explaining why no tracker worked: when the pose the model found clearly shows
    a standing exercise (:func:`~hipvision.suggest.standing_test`) that the rotation
    analyzer's own check refuses for ``test``, say that, in one short line."""
    from ..analyzers import get
    from ..suggest import standing_test

    standing = standing_test(seq)
    if standing is None:
        return
    finding = get(test).wrong_test(seq)  # type: ignore[attr-defined]
    if finding is None:
        return
    guess, why = standing
    raise AnalysisError(
        f"no {test} rotation test found: {finding}, and the pose model sees a person {why}: "
        f"is this the {guess} test (--test {guess})?"
    )


def _median_conf(seq: PoseSequence, side: str) -> float | None:
    from ..landmarks import LANDMARK_INDEX

    v = seq.visibility[:, [LANDMARK_INDEX[f"{side}_knee"], LANDMARK_INDEX[f"{side}_ankle"]]]
    v = v[np.isfinite(v)]
    return round(float(np.median(v)), 3) if v.size else None


def _assisted_result(seq: PoseSequence, pt: ShinTracker, mark_frame: int, n: int, fps: float, settings: Settings) -> TrackResult:
    ts = settings.tracking
    if not pt.started:
        raise InputError(f"--mark-frame {mark_frame} is beyond the end of the video ({n} frames)")
    usable = usable_fraction(seq)
    after = seq.frame >= mark_frame
    marked_sides = [s for s in SIDES if f"{s}_knee" in pt.marks]
    # frames where the shins crossed are not measured on purpose: they do not count as lost
    counted = after & ~np.isin(seq.frame, pt.crossed_frames)
    usable_after = {}
    for s in marked_sides:
        ok = np.isfinite(seq.point(f"{s}_knee")).all(axis=1) & np.isfinite(seq.point(f"{s}_ankle")).all(axis=1)
        usable_after[s] = float(ok[counted].mean()) if counted.any() else 0.0
    bad = [s for s in marked_sides if usable_after[s] < ts.min_usable_fraction]
    if bad:
        first = min((x for x in pt.lost if x.point.split("_")[0] in bad and x.found_again is None),
                    key=lambda x: x.frame, default=None)
        where = f"; {first.message}" if first else ""
        raise InputError(
            f"assisted tracking kept the {' and '.join(bad)} shin in only "
            f"{', '.join(f'{usable_after[s]:.0%}' for s in bad)} of the frames after frame {mark_frame} "
            f"(need {ts.min_usable_fraction:.0%}){where}"
        )
    reason = "requested; shins marked on frame %d" % mark_frame
    never = [x for x in pt.lost if x.found_again is None]
    if never:
        reason += "; lost for good: " + ", ".join(f"{x.point} at frame {x.frame}" for x in never)
    if len(never) < len(pt.lost):
        reason += f"; lost and found again {len(pt.lost) - len(never)} times"
    if pt.crossed_frames:
        reason += (f"; the shins crossed in {len(pt.crossed_frames)} frames, not measured there "
                   "(test external rotation one leg at a time)")
    info = TrackingInfo("assisted", "assisted", reason, n, usable, list(pt.lost),
                        {"mark_frame": mark_frame, "marks": {k: list(v) for k, v in pt.marks.items()},
                         "crossed_frames": len(pt.crossed_frames)}, [], fps)
    return TrackResult(seq, info)

"""Analyse page: pick a sample or upload a video / pose CSV, pick the test, see the result."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from .. import __version__, analyzers, export
from ..atomicfile import AtomicPath, atomic_write
from ..config import DASHBOARD, DEFAULT_SETTINGS, Settings, default_videos_dir
from ..history import History
from ..report_html import key_frame_image, key_frame_time, render_report
from ..errors import AnalysisError, HipvisionError
from ..quality import summarize
from ..suggest import suggest_test
from . import jobs, results_view, workdirs
from .instructions import illustration, instructions

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SAMPLE_FILES = {
    "Seated hip rotation (sample)": ("seated_rotation.pose.csv", "seated"),
    "Prone hip rotation (sample)": ("prone_rotation.pose.csv", "prone"),
    "Squat (sample)": ("demo_squat_front.pose.csv", "squat"),
}
SAMPLE_VIDEO = "Prone test with stickers (sample video)"
SAMPLE_VIDEO_TEST = "prone"  # the test the sample video shows
#: the generated sample video: moves and their true peaks (shown next to the result)
SAMPLE_VIDEO_MOVES = (("left", 38.0), ("left", -32.0), ("right", 30.0), ("right", -40.0))
SAMPLE_VIDEO_LOOK = {"width": 640, "noise_sd": 2.0, "blur_px": 0.8}
UPLOAD_VIDEO = "Upload a video"
#: how the rotation tests find knees and ankles in a video (label -> tracking mode)
TRACKING_CHOICES = {
    "pose model": None,
    "automatic (checked pose model, else stickers)": "auto",
    "stickers": "markers",
    "points I mark on the first frame": "assisted",
    "pose model, checked": "model",
}
UPLOAD_CSV = "Upload a pose CSV"


def _workdir() -> Path:
    """A private folder for this browser session's uploads and annotated videos, marked as
    used now (stale ones are swept: :mod:`hipvision.dashboard.workdirs`)."""
    if "workdir" not in st.session_state:
        st.session_state.workdir = str(workdirs.create())
    folder = Path(st.session_state.workdir)
    workdirs.touch(folder)
    return folder


def _forget_previous_input(path: Path | None) -> None:
    """When the input changes (a new upload, another sample, the upload removed), delete the
    previous upload and the annotated videos made from it, and forget its results. Only
    files inside this session's folder are deleted (never the samples)."""
    current = None if path is None else str(path)
    previous = st.session_state.get("_input")
    st.session_state._input = current
    if previous is None or previous == current:
        return
    folder = _workdir()
    poses: dict[Any, Any] = st.session_state.get("poses", {})
    for k in [k for k in poses if k[0] == previous]:
        del poses[k]
    outcomes: dict[Any, jobs.Outcome] = st.session_state.get("outcomes", {})
    reports: dict[Any, str] = st.session_state.get("html_reports", {})
    for k in [k for k in outcomes if k[0][0] == previous]:
        video = outcomes.pop(k).annotated_video
        reports.pop(k, None)
        if video is not None:
            workdirs.remove_inside(video.parent, folder)  # its result-XXXX folder
    for name in ("marks", "first_frames"):
        st.session_state.get(name, {}).pop(previous, None)
    st.session_state.pop("last_outcome", None)
    old = Path(previous)
    if (folder / "uploads") in old.parents:
        workdirs.remove_inside(old.parent, folder)  # uploads/<file id>/


def _save_upload(up: Any) -> Path | None:
    """Write an upload to the session folder (in chunks); None with a message when too big."""
    limit = DASHBOARD.upload_limit_mb()  # in MB as Streamlit counts them (2**20 bytes)
    if up.size > limit * (1 << 20):
        st.error(
            f"{up.name} is {up.size / (1 << 20):.0f} MB; the limit is {limit:g} MB. Trim the clip to the test "
            "(a phone's editor does it) or lower its resolution, then upload again."
        )
        return None
    work = _workdir()
    folder = work / "uploads" / up.file_id
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.parent.iterdir():  # one upload at a time: a new one replaces the last
        if old != folder:
            workdirs.remove_inside(old, work)
    path = folder / Path(up.name).name
    if not path.exists():
        up.seek(0)
        with atomic_write(path, "wb") as fh:  # an upload broken off never passes for the whole file
            while chunk := up.read(1 << 20):
                fh.write(chunk)
    return path


def _settings() -> Settings:
    s = DEFAULT_SETTINGS
    with st.expander("Options"):
        mirrored = st.checkbox(
            "The video is mirrored (selfie camera)",
            help="Rotation tests: swaps left and right so they stay the person's.",
            key="opt_mirrored",
        )
        sex = st.selectbox(
            "Sex (picks the valgus threshold for screening)", ["unspecified", "female", "male"], key="opt_sex"
        )
        annotate = st.checkbox("Make an annotated video (videos only)", value=True, key="opt_annotate")
        blur = st.checkbox(
            "Blur faces in the annotated video and the report", value=False, key="opt_blur",
            help="Only faces the pose model found are blurred.",
        )
    st.session_state.annotate = annotate
    return replace(
        s,
        rotation=replace(s.rotation, mirrored=mirrored),
        screening=replace(s.screening, sex=sex),
        render=replace(s.render, blur_faces=blur),
    )


def render() -> None:
    st.header("Analyse a recording")
    tests = sorted(analyzers.available())
    choice = st.radio(
        "What to analyse", [*SAMPLE_FILES, SAMPLE_VIDEO, UPLOAD_VIDEO, UPLOAD_CSV], horizontal=True, key="source"
    )
    if choice == SAMPLE_VIDEO:
        default_test = SAMPLE_VIDEO_TEST
    else:
        default_test = SAMPLE_FILES[choice][1] if choice in SAMPLE_FILES else st.session_state.get("test", next(iter(SAMPLE_FILES.values()))[1])
    if (choice in SAMPLE_FILES or choice == SAMPLE_VIDEO) and st.session_state.get("_last_source") != choice:
        st.session_state.test = default_test  # a sample selects its own test
    st.session_state._last_source = choice
    test = st.selectbox(
        "Test",
        tests,
        index=tests.index(default_test) if default_test in tests else 0,
        key="test",
        format_func=lambda t: analyzers.get(t).description,
    )
    with st.expander(f"How to record the {test} test", expanded=choice == UPLOAD_VIDEO):
        a, b = st.columns([2, 1])
        a.markdown(instructions(test))
        picture = illustration(test)
        if picture is not None:
            b.image(picture, caption="What the camera should see (person's left orange, right blue)")
    settings = _settings()

    path: Path | None = None
    name = ""
    if choice in SAMPLE_FILES:
        path = SAMPLES / SAMPLE_FILES[choice][0]
        name = path.name
    elif choice == SAMPLE_VIDEO:
        path = _sample_video()
        name = path.name
        truth = ", ".join(f"{side} {'IR' if v > 0 else 'ER'} {abs(v):g}°" for side, v in SAMPLE_VIDEO_MOVES)
        st.caption(f"A generated clip of two shins with green stickers, seen from the feet end. True peaks: {truth}.")
    elif choice == UPLOAD_VIDEO:
        up = st.file_uploader(
            "Video (phone formats; rotation is honoured)", type=list(DASHBOARD.video_types), key="video_upload"
        )
        if up is not None:
            path, name = _save_upload(up), up.name
    else:
        up = st.file_uploader("Pose CSV (frame,time_s,landmark,x_px,y_px,...)", type=["csv"], key="csv_upload")
        if up is not None:
            path, name = _save_upload(up), up.name
    _forget_previous_input(path)
    if path is None:
        return

    is_video = choice in (UPLOAD_VIDEO, SAMPLE_VIDEO)
    track, marks = _tracking_choice(test, path, choice) if is_video and _trackable(test) else (None, None)
    if track == "assisted" and marks is None:
        return  # waiting for the marks
    poses: dict[Any, Any] = st.session_state.setdefault("poses", {})
    pose_key = (str(path), track, tuple(sorted((marks or {}).items())))
    outcomes: dict[Any, jobs.Outcome] = st.session_state.setdefault("outcomes", {})
    annotate = st.session_state.annotate and is_video
    key = (pose_key, test, settings.rotation.mirrored, settings.screening.sex, annotate, settings.render.blur_faces)
    if pose_key not in poses:
        if choice == UPLOAD_VIDEO and not st.button("Analyse video", type="primary"):
            st.info("The video is uploaded. Press **Analyse video** to start (about a minute per minute of video).")
            return
        bar = st.progress(0.0, text="Starting")
        try:
            if annotate:
                # the first analysis of a video: pose, analysis and annotated video in one pass
                # (the pose is kept before the analysis, for the other tests and options)
                outcomes[key] = jobs.analyse(
                    path, None, test, settings=settings, source_name=name, workdir=_workdir(), annotate=True,
                    progress=_throttled(bar), track=track, marks=marks,
                    on_pose=lambda found, how: poses.__setitem__(pose_key, (found, how)),
                )
            elif track is None:
                poses[pose_key] = (jobs.find_pose(path, settings=settings, source_name=name, progress=_throttled(bar)), None)
            else:
                poses[pose_key] = jobs.track_legs(
                    path, test, track, settings=settings, marks=marks, source_name=name, progress=_throttled(bar)
                )
        except Exception as e:
            bar.empty()
            if pose_key in poses:  # the pose was found, the analysis failed
                _analysis_failed(e, poses[pose_key][0], test, path, name)
            elif isinstance(e, HipvisionError):
                st.error(f"{name}: {_plain(e, path, name)}")
            else:  # never a traceback in the page
                st.error(f"{name}: unexpected problem ({type(e).__name__}: {e}). Please report it with the file.")
            return
        bar.empty()
    seq, tracking = poses[pose_key]
    _quality(seq, tracked=tracking is not None)
    if tracking is not None:
        st.caption(f"Knees and ankles by **{tracking.get('mode')}**: {tracking.get('reason', '')}")

    if key not in outcomes:
        bar = st.progress(0.0, text="Analysing")
        try:
            # the pose found earlier (another test or option): no model run; an annotated
            # video is redrawn from it in one decode pass
            outcomes[key] = jobs.analyse(
                path, seq, test, settings=settings, source_name=name, workdir=_workdir(),
                annotate=annotate, progress=_throttled(bar), tracking=tracking,
            )
        except Exception as e:
            bar.empty()
            _analysis_failed(e, seq, test, path, name)
            return
        bar.empty()
    outcome = outcomes[key]
    st.session_state.last_outcome = outcome
    try:
        results_view.show(outcome)
        _exports(outcome, path, key, settings)
        _save_to_history(outcome)
    except Exception as e:  # never a traceback in the page
        st.error(f"Something went wrong showing this result ({type(e).__name__}: {_plain(e, path, name)}).")


def _analysis_failed(e: Exception, seq: Any, test: str, path: Path, name: str) -> None:
    """What the page says when the analysis of a found pose failed (a wrong test gets the
    test the clip looks like)."""
    if isinstance(e, AnalysisError):
        st.error(str(e))
        guess, why = suggest_test(seq)
        if guess and guess != test:
            st.info(f"This clip looks like the **{guess}** test ({why}). Pick it in the Test box above.")
    elif isinstance(e, HipvisionError):
        st.error(_plain(e, path, name))
    else:  # never a traceback in the page
        st.error(f"{name}: unexpected problem ({type(e).__name__}: {_plain(e, path, name)}). Please report it with the file.")


def _sample_video() -> Path:
    """The generated prone sample video (made once per machine, deterministic)."""
    from ..synthetic import Move
    from ..tracking.synthetic_frames import write_rotation_video

    folder = Path(tempfile.gettempdir()) / "hipvision-samples"
    folder.mkdir(exist_ok=True)
    params = {"moves": SAMPLE_VIDEO_MOVES, **SAMPLE_VIDEO_LOOK, "version": __version__}
    tag = hashlib.sha1(repr(sorted(params.items())).encode()).hexdigest()[:10]
    path = folder / f"prone_stickers_sample-{tag}.mp4"
    if not path.exists():
        with st.spinner("Making the sample video"):
            write_rotation_video(path, SAMPLE_VIDEO_TEST, [Move(side, v) for side, v in SAMPLE_VIDEO_MOVES], **SAMPLE_VIDEO_LOOK)
    return path


def _trackable(test: str) -> bool:
    family = analyzers.family_of(test)
    return family is not None and family.trackable


def _tracking_choice(test: str, path: Path, choice: str) -> tuple[str | None, dict[str, tuple[float, float]] | None]:
    """How knees and ankles are found in a rotation-test video, and the user's marks for
    assisted tracking (None until all four are placed)."""
    labels = list(TRACKING_CHOICES)
    from ..api import default_track

    default = "stickers" if choice == SAMPLE_VIDEO else "automatic (checked pose model, else stickers)" if default_track(test, path) == "auto" else "pose model"
    label = st.selectbox(
        "Find knees and ankles by",
        labels,
        index=labels.index(default),
        key=f"track_{test}_{choice}",
        help="Lying face down, the whole-body pose model rarely finds the legs: use stickers "
        "(see docs/TRACKING.md; `hipvision stickers` prints a sheet) or mark the points yourself.",
    )
    mode = TRACKING_CHOICES[label]
    if mode != "assisted":
        return mode, None
    return mode, _marks(path, test)


def _marks(path: Path, test: str) -> dict[str, tuple[float, float]] | None:
    """Click knee and ankle of each leg on the first frame; None until all four are placed."""
    import cv2
    from streamlit_image_coordinates import streamlit_image_coordinates

    from ..sources import open_source
    from ..tracking import POINTS
    from ..tracking.result import person_left_on_image_left

    all_marks: dict[str, dict[str, tuple[float, float]]] = st.session_state.setdefault("marks", {})
    marks = all_marks.setdefault(str(path), {})
    frames: dict[str, np.ndarray] = st.session_state.setdefault("first_frames", {})
    if str(path) not in frames:
        try:
            it = iter(open_source(path))
            frames[str(path)] = next(it).image
            getattr(it, "close", lambda: None)()
        except (HipvisionError, StopIteration) as e:
            st.error(f"The first frame cannot be read: {e}")
            return None
    image = frames[str(path)].copy()
    todo = [p for p in POINTS if p not in marks]
    point = st.radio(
        "Click on the picture to place", POINTS, index=POINTS.index(todo[0]) if todo else 0, horizontal=True,
        key=f"mark_point_{path}_{len(marks)}", format_func=lambda p: p.replace("_", " ") + (" ✓" if p in marks else ""),
    )
    for name, (x, y) in marks.items():
        color = (255, 140, 0) if name.startswith("left") else (0, 170, 255)
        cv2.circle(image, (int(x), int(y)), max(4, image.shape[1] // 160), color, -1, cv2.LINE_AA)
    for side, color in (("left", (255, 140, 0)), ("right", (0, 170, 255))):
        if f"{side}_knee" in marks and f"{side}_ankle" in marks:  # the shin line that is measured
            k, a = (tuple(int(v) for v in marks[f"{side}_{p}"]) for p in ("knee", "ankle"))
            cv2.line(image, k, a, color, max(1, image.shape[1] // 400), cv2.LINE_AA)
    width = min(720, image.shape[1])
    click = streamlit_image_coordinates(image, width=width, key=f"click_{path}_{len(marks)}_{point}")
    if click:
        scale = image.shape[1] / (click.get("width") or width)
        placed = (round(click["x"] * scale, 1), round(click["y"] * scale, 1))
        if marks.get(point) != placed:  # a new click (the component repeats its last value)
            marks[point] = placed
            st.rerun()
    st.caption(
        "Mark the knee (crease, or just below the kneecap) and the ankle (heel, or front of the ankle) "
        "on the middle of the shin as the camera sees it: the line between them is what is measured. "
        "Left and right are the person's: "
        + ("lying face down, seen from the feet end, their left is on the picture's left."
           if person_left_on_image_left(test) else "facing the camera, their left is on the picture's right.")
    )
    if st.button("Clear the marks", key=f"clear_marks_{path}"):
        marks.clear()
        st.rerun()
    if len(marks) < len(POINTS):
        st.info(f"Place {', '.join(p.replace('_', ' ') for p in POINTS if p not in marks)}.")
        return None
    return dict(marks)


def _plain(e: Exception, path: Path, name: str) -> str:
    """The error message without the server-side temporary path of the upload."""
    return str(e).replace(f"{path}: ", "").replace(str(path), name)


def _throttled(bar: Any):
    last = [-1.0]

    def update(stage: str, frac: float) -> None:
        if frac - last[0] >= 0.01 or frac >= 1.0 or stage != getattr(update, "stage", None):
            bar.progress(min(max(frac, 0.0), 1.0), text=stage)
            last[0] = frac
            update.stage = stage  # type: ignore[attr-defined]

    return update


def _quality(seq: Any, tracked: bool = False) -> None:
    """Frames, detection, duration, frame rate, and the leg points seen too rarely (for
    tracked shins only the knees and ankles count)."""
    info = summarize(seq, DEFAULT_SETTINGS.cleaning.min_visibility)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Frames", info["frames"])
    c2.metric("Legs tracked" if tracked else "Person found", f"{100 * info['detection_rate']:.0f} %")
    c3.metric("Duration", f"{info['duration_s']:.1f} s")
    c4.metric("Frame rate", f"{info['median_fps']:.0f} fps" if info["median_fps"] else "n/a")
    low = {k: v for k, v in info["lower_limb_visible"].items() if v < 0.9 and not (tracked and "hip" in k)}
    if low:
        st.warning(
            "Some leg landmarks are often hidden or uncertain: "
            + ", ".join(f"{k.replace('_', ' ')} {100 * v:.0f} %" for k, v in low.items())
            + (". Keep the stickers in view and unobstructed." if tracked else ". Keep the whole body in frame, in good light, in clothes that show the knees.")
        )


def _exports(outcome: jobs.Outcome, path: Path, key: Any, settings: Settings) -> None:
    st.subheader("Export")
    stem = Path(outcome.source_name).stem.removesuffix(".pose")
    c = st.columns(5)
    c[0].download_button("Report (JSON)", export.report_json(outcome.report), f"{stem}.{outcome.test}.json", "application/json")
    c[1].download_button("Results (CSV)", export.results_csv(outcome.report), f"{stem}.{outcome.test}.results.csv", "text/csv")
    c[2].download_button(
        "Per-frame series (CSV)", outcome.series_csv, f"{stem}.{outcome.test}.series.csv", "text/csv"
    )
    if outcome.annotated_video is not None and outcome.annotated_video.exists():
        video = outcome.annotated_video
        c[3].download_button("Annotated video (MP4)", lambda: video.read_bytes(), video.name, "video/mp4")
    reports: dict[Any, str] = st.session_state.setdefault("html_reports", {})
    if key not in reports:
        if c[4].button("Make a printable report"):
            with st.spinner("Drawing the key frame and the plots"):
                reports[key] = printable_report(outcome, path, settings)
    if key in reports:
        c[4].download_button("Printable report (HTML)", reports[key], f"{stem}.{outcome.test}.report.html", "text/html")
        st.caption("Open the HTML report in a browser and print it (or save it as PDF from the print dialog).")


def printable_report(outcome: jobs.Outcome, path: Path, settings: Settings, person: str | None = None) -> str:
    """The self-contained HTML report of an outcome, with a key frame from the video (or the
    pose drawn on a plain background for pose CSVs)."""
    t = key_frame_time(outcome.report)
    frame = key_frame_image(path, outcome.sequence, outcome.run, t, settings) if t is not None else None
    series = (list(outcome.series_columns), [tuple(None if v != v else v for v in row) for row in outcome.series.itertuples(index=False)])
    return render_report(outcome.report, person=person, series=series, key_frame=frame, settings=settings)


def _save_to_history(outcome: jobs.Outcome) -> None:
    with st.expander("Save to history"):
        try:
            with History() as h:
                names = [p.name for p in h.people()]
                where = h.path
        except HipvisionError as e:
            st.error(f"The history database cannot be opened: {e}")
            return
        pick = st.selectbox("Person or athlete", ["(new person)", *names], key="hist_pick")
        name = st.text_input("Name", key="hist_new_name") if pick == "(new person)" else pick
        when = st.date_input("Recorded on", value=date.today(), key="hist_date")
        if st.button("Save this result", key="hist_save"):
            if not name or not name.strip():
                st.error("Give the person a name first.")
                return
            video = None
            try:
                if outcome.annotated_video is not None and outcome.annotated_video.exists():
                    keep = default_videos_dir()  # deleting the session deletes the copy
                    keep.mkdir(parents=True, exist_ok=True)
                    video = keep / f"{datetime.now():%Y%m%d-%H%M%S}-{outcome.annotated_video.name}"
                    with AtomicPath(video) as tmp:
                        shutil.copyfile(outcome.annotated_video, tmp)
                with History() as h:
                    pid = h.get_or_create_person(name)
                    sid = h.add_session(
                        pid, outcome.report, source=outcome.source_name,
                        recorded_at=datetime.combine(when, datetime.now().time()),
                        series_csv=outcome.series_csv, video_path=video,
                    )
            except (HipvisionError, OSError) as e:
                if video is not None:
                    video.unlink(missing_ok=True)
                st.error(f"Not saved: {e}")
                return
            st.success(f"Saved as session {sid} for {name.strip()}. See it on the History page.")
        st.caption(f"History file: {where}")

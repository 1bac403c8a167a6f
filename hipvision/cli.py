"""The ``hipvision`` command line: a thin layer over :mod:`hipvision.api`.

Conventions: with ``--json`` stdout carries only the JSON document; logs and progress go to
stderr. Any expected error prints one line ``hipvision: error: ...`` and exits with 1
(usage errors exit with 2, as argparse does).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

from . import __version__, analyzers
from .cli_options import add_analysis_options, analysis_settings
from .cli_options import add_pose_options as _add_pose_options
from .cli_options import add_tracking_options as _add_tracking_options
from .cli_options import positive_float as _positive_float
from .cli_options import settings_from_pose_options as _settings
from .cli_options import tracking_kwargs as _tracking_kwargs
from .config import DEFAULT_SETTINGS, MARKER_COLORS, Settings
from .errors import HipvisionError


def _progress_bar(desc: str, quiet: bool):
    """A tqdm progress callback on stderr (created on the first update, so inputs that need
    no pose model show no bar), and a closer."""
    bars: list[Any] = []

    def update(done: int, total: int | None) -> None:
        if quiet:
            return
        if not bars:
            from tqdm import tqdm

            bars.append(tqdm(desc=desc, unit="frame", total=total, file=sys.stderr, dynamic_ncols=True))
        bar = bars[0]
        if total and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    def close() -> None:
        for b in bars:
            b.close()

    return update, close


def _emit(doc: dict[str, Any], as_json: bool) -> None:
    if as_json:
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for k, v in doc.items():
            if isinstance(v, dict):
                print(f"{k}:")
                for k2, v2 in v.items():
                    print(f"  {k2}: {v2}")
            else:
                print(f"{k}: {v}")


def cmd_stickers(args: argparse.Namespace) -> int:
    from .tracking.sheet import write_sticker_sheet

    path = write_sticker_sheet(args.output, color=args.marker_color, diameter_mm=args.diameter)
    print(f"sticker sheet -> {path} (print at 100 %, no scaling)", file=sys.stderr)
    return 0


def _extract_tracked(args: argparse.Namespace, out: Path) -> int:
    from .atomicfile import check_target
    from .posecsv import write_pose_csv
    from .tracking import track_video

    check_target(out)
    kw = _tracking_kwargs(args)
    update, close = _progress_bar("tracking", args.quiet)
    try:
        res = track_video(args.input, args.view, kw["track"], settings=_settings(args), marks=kw["marks"],
                          mark_frame=kw["mark_frame"], marker_color=kw["marker_color"], progress=update)
    finally:
        close()
    write_pose_csv(res.sequence, out)
    doc = {"pose_csv": str(out), "tracking": res.info.to_dict()}
    if args.json:
        _emit(doc, True)
    else:
        u = res.info.usable_fraction
        print(f"{res.info.frames} frames tracked by {res.info.mode} (usable: left {u.get('left', 0):.0%}, "
              f"right {u.get('right', 0):.0%}) -> {out}", file=sys.stderr)
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from .api import extract

    if args.track is not None or args.mark:
        if args.save_video:
            from .errors import InputError

            raise InputError("--save-video is not available with --track (use analyze --save-video)")
        out = Path(args.output) if args.output else Path(_default_stem(args.input) + ".pose.csv")
        return _extract_tracked(args, out)

    out = Path(args.output) if args.output else Path(_default_stem(args.input) + ".pose.csv")
    update, close = _progress_bar("pose", args.quiet)
    try:
        settings = _settings(args)
        settings = replace(settings, render=replace(settings.render, blur_faces=args.blur_faces))
        res = extract(
            args.input,
            settings=settings,
            csv_path=out,
            video_path=args.save_video,
            keep_sequence=False,
            progress=update,
            download_progress=not args.quiet,
        )
    finally:
        close()
    doc = res.summary()
    if res.detected == 0:
        print(f"hipvision: warning: no person found in {res.frames} frames", file=sys.stderr)
    if res.multi_person_frames:
        print(
            f"hipvision: warning: more than one person in view (checked frames "
            f"{res.multi_person_frames[:5]}...); the tracked person may switch",
            file=sys.stderr,
        )
    if args.json:
        _emit(doc, True)
    else:
        print(
            f"{res.frames} frames, person found in {res.detected} ({100 * res.detection_rate:.1f} %) "
            f"-> {out}" + (f", {args.save_video}" if args.save_video else ""),
            file=sys.stderr,
        )
    return 0


def _default_stem(input: str) -> str:
    from .sources import is_webcam

    return "webcam" if is_webcam(input) else (Path(input).stem or "pose")


def cmd_analyze(args: argparse.Namespace) -> int:
    from .api import run_analysis

    settings = analysis_settings(args, _settings(args))
    settings = replace(settings, render=replace(settings.render, blur_faces=args.blur_faces))
    _check_history_and_report(args)  # fail before any slow work
    update, close = _progress_bar("pose", args.quiet)
    bar_update, video_close = _progress_bar("annotated video (held frames)", args.quiet)

    def video_update(done: int, total: int | None) -> None:
        close()  # the pose pass is over
        bar_update(done, total)

    track_kw = _tracking_kwargs(args)
    if track_kw["track"] is None:
        from .api import default_track

        track_kw["track"] = default_track(args.test, args.input)
    try:
        run = run_analysis(
            args.input,
            args.test,
            settings=settings,
            progress=update,
            video_path=args.save_video,
            series_path=args.series,
            render_progress=video_update,
            **track_kw,
        )
    finally:
        close()
        video_close()
    _save_history_and_report(args, run, settings)
    if args.json:
        _emit(run.report, True)
    else:
        typed = analyzers.typed_report(run.report)
        print(analyzers.get(args.test).summary_text(run.report))
        tr = typed.tracking
        if tr:
            u = tr.usable_fraction
            print(f"  tracking: {tr.mode} ({tr.reason}; usable left {100 * (u.get('left') or 0):.0f} %, "
                  f"right {100 * (u.get('right') or 0):.0f} %)")
            for lost in tr.lost:
                print(f"  tracking lost: {lost.message}")
    return 0


def _check_history_and_report(args: argparse.Namespace) -> None:
    """``analyze --report/--person``: check the outputs before the analysis starts."""
    from .atomicfile import check_target

    if args.report:
        check_target(Path(args.report))
    if args.recorded_at and not args.person:
        raise HipvisionError("--recorded-at needs --person (it dates the saved session)")
    if args.person:
        from .history import History, normalize_time

        normalize_time(args.recorded_at)
        with History(args.history) as h:  # opens (creates, migrates) the database now
            h.require_writable()


def _save_history_and_report(args: argparse.Namespace, run: Any, settings: Settings) -> None:
    """``analyze --report OUT.html`` and ``--person NAME`` (save to the history)."""
    if not (args.report or args.person):
        return
    from .export import series_csv, write_atomic

    cols = analyzers.get(args.test).series_columns
    rows = run.series_rows()
    if args.report:
        from .history import normalize_time
        from .report_html import key_frame_image, key_frame_time, render_report

        t = key_frame_time(run.report)
        image = key_frame_image(args.input, None, run, t, settings) if t is not None else None
        html = render_report(
            run.report, person=args.person, recorded_at=normalize_time(args.recorded_at),
            series=(cols, rows), key_frame=image, settings=settings,
        )
        write_atomic(args.report, html)
        print(f"hipvision: report written to {args.report}", file=sys.stderr)
    if args.person:
        from .history import History

        with History(args.history) as h:
            pid = h.get_or_create_person(args.person)
            sid = h.add_session(
                pid, run.report, recorded_at=args.recorded_at, series_csv=series_csv(cols, rows),
                video_path=Path(args.save_video).resolve() if args.save_video else None,
                series_path=Path(args.series).resolve() if args.series else None,
            )
            print(f"hipvision: saved as session {sid} of {h.person(pid).name} in {h.path}", file=sys.stderr)


def _history_default_metric(test: str) -> str:
    family = analyzers.family_of(test)
    return family.preferred_metrics[0] if family is not None and family.preferred_metrics else ""


def cmd_history(args: argparse.Namespace) -> int:
    from .errors import HistoryError
    from .history import History

    with History(args.history) as h:

        def person_id(name: str) -> int:
            p = h.find_person(name)
            if p is None:
                known = ", ".join(x.name for x in h.people()) or "none yet"
                raise HistoryError(f"no person named '{name}' in {h.path} (people: {known})")
            return p.id

        if args.action == "people":
            people = h.people()
            if args.json:
                _emit_list([vars(p) for p in people])
            else:
                for p in people:
                    print(f"{p.name}\t{p.sessions} session(s)\tsince {p.created[:10]}" + (f"\t{p.notes}" if p.notes else ""))
                if not people:
                    print(f"no people yet in {h.path}", file=sys.stderr)
        elif args.action == "sessions":
            pid = person_id(args.person) if args.person else None
            sessions = h.sessions(pid, args.test)
            if args.json:
                _emit_list([vars(x) for x in sessions])
            else:
                for x in sessions:
                    print(f"{x.id}\t{x.recorded_at[:16].replace('T', ' ')}\t{x.person}\t{x.test}\t{x.source}")
        elif args.action == "progress":
            pid = person_id(args.person)
            metric = args.metric or _history_default_metric(args.test)
            rows = h.progress(pid, args.test, metric)
            if args.json:
                _emit_list([vars(r) for r in rows])
            else:
                if not rows:
                    known = ", ".join(h.metrics(pid, args.test)) or "none"
                    print(f"no {metric} values for {args.person} in {args.test} sessions (metrics stored: {known})", file=sys.stderr)
                for r in rows:
                    where = " ".join(x for x in (r.side, f"rep {r.rep}" if r.rep else "") if x)
                    print(f"{r.recorded_at[:16].replace('T', ' ')}\tsession {r.session_id}\t{where or '-'}\t{metric} {r.value:g}")
        elif args.action == "show":
            x = h.session(args.id)
            if args.json:
                _emit(x.report, True)
            else:
                print(f"session {x.id}: {x.person}, {x.test}, {x.recorded_at[:16].replace('T', ' ')}, {x.source}")
                test = analyzers.typed_report(x.report).test
                if test in analyzers.available():
                    print(analyzers.get(test).summary_text(x.report))
        elif args.action == "report":
            from .export import write_atomic
            from .report_html import render_session_report

            write_atomic(args.output, render_session_report(h.session(args.id)))
            print(f"hipvision: report written to {args.output}", file=sys.stderr)
        elif args.action == "export":
            from .export import records_csv, write_atomic

            text = records_csv(h.result_records(person_id(args.person) if args.person else None, args.test))
            if args.output:
                write_atomic(args.output, text)
            else:
                sys.stdout.write(text)
        elif args.action == "delete-session":
            done = h.delete_session(args.id)
            print(f"hipvision: deleted session {args.id}", file=sys.stderr)
            _say_deleted_files(done)
        elif args.action == "delete-person":
            pid = person_id(args.name)
            n = h.person(pid).sessions
            if not args.yes:
                raise HistoryError(f"this deletes {args.name} and {n} session(s); repeat with --yes to confirm")
            done = h.delete_person(pid)
            print(f"hipvision: deleted {args.name} and {n} session(s)", file=sys.stderr)
            _say_deleted_files(done)
    return 0


def _say_deleted_files(done: Any) -> None:
    """The video files a history deletion removed, and those it left (outside hipvision's
    videos folder, e.g. written with ``analyze --save-video``)."""
    for p in done.removed:
        print(f"hipvision: deleted video {p}", file=sys.stderr)
    for p in done.kept:
        print(f"hipvision: kept {p} (not in hipvision's videos folder; delete it yourself if you want it gone)", file=sys.stderr)


def _emit_list(items: list[dict[str, Any]]) -> None:
    json.dump(items, sys.stdout, indent=2)
    sys.stdout.write("\n")


def cmd_inspect(args: argparse.Namespace) -> int:
    from .api import load_pose
    from .quality import summarize

    settings = _settings(args)
    update, close = _progress_bar("pose", args.quiet)
    try:
        seq = load_pose(args.input, settings=settings, progress=update)
    finally:
        close()
    doc = summarize(seq, settings.cleaning.min_visibility)
    if not args.json:
        doc.pop("visible_fraction")
    _emit(doc, args.json)
    return 0


def cmd_live(args: argparse.Namespace) -> int:
    from .api import is_pose_csv, run_analysis
    from .errors import InputError
    from .analyzers.rotation.live import LiveRotation, draw_live, has_display
    from .models import resolve_model
    from .posecsv import read_pose_csv
    from .sequence import PoseFrame, PoseSequence
    from .sources import open_source

    settings = _settings(args)
    settings = replace(settings, rotation=replace(settings.rotation, mirrored=args.mirrored))
    replay = is_pose_csv(args.input)
    window = not args.no_window and not replay  # a replay has no pictures to show
    if args.output:
        from .atomicfile import check_target

        check_target(Path(args.output))
    if window and not has_display():
        raise InputError("no display for the live window: run with --no-window, or use the dashboard's webcam page")
    live = LiveRotation(args.test, settings.rotation, settings.cleaning.min_visibility)
    frames: list[PoseFrame] = []
    state = None

    def step(pf: PoseFrame, image=None) -> bool:
        nonlocal state
        pose = pf.mirrored() if args.mirrored else pf  # the person's sides, as offline
        state = live.update(pose)
        frames.append(pf)
        if window and image is not None:
            import cv2

            shown = draw_live(image, pose, live, state)
            cv2.imshow("hipvision live (q to stop)", cv2.cvtColor(shown, cv2.COLOR_RGB2BGR))
            return (cv2.waitKey(1) & 0xFF) not in (ord("q"), 27)
        return True

    size = (1, 1)
    if replay:  # recorded landmarks through the live readout
        seq = read_pose_csv(args.input)
        size = seq.image_size
        for k in range(len(seq)):
            step(seq.frame_at(k))
    else:
        from . import pipeline
        from .pose.factory import make_backend

        class Readout:  # the live readout as a pipeline sink: 'q' in the window stops the loop
            def add(self, fr, pose):
                return step(pose, fr.image)

        source = open_source(args.input, settings.source)
        size = (source.width, source.height)
        model = resolve_model(settings.model, progress=not args.quiet)
        with make_backend(model, stream=True, settings=settings) as backend:
            try:
                pipeline.run(iter(source), pipeline.pose_step(backend), [Readout()])
            except KeyboardInterrupt:
                pass
    if window:
        import cv2

        cv2.destroyAllWindows()
    if state is not None and not args.json:
        for s, side in state.sides.items():
            print(f"live {s}: peak IR {side.peak_ir_deg and round(side.peak_ir_deg, 1)}, peak ER {side.peak_er_deg and round(side.peak_er_deg, 1)}", file=sys.stderr)
    seq = PoseSequence.from_frames(frames, size, source=str(args.input))
    if args.output:
        from .posecsv import write_pose_csv

        write_pose_csv(seq, args.output)
    run = run_analysis(seq, args.test, settings=settings)  # the recorded, unmirrored frames
    if args.json:
        _emit(run.report, True)
    else:
        print(analyzers.get(args.test).summary_text(run.report))
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    from .models import check_bundle, resolve_model

    path = resolve_model(_settings(args).model, progress=not args.quiet)
    check_bundle(path)
    print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hipvision",
        description=(
            "Hip-rotation tests and movement screening from a video, a webcam, images "
            "or a pose CSV. INPUT is a video file (mp4 mov avi mkv webm), an image, a "
            "folder of images, webcam[:N], or a pose CSV (analysis never needs the model "
            "when landmarks exist)."
        ),
        epilog="Run 'hipvision COMMAND --help' for a command's options.",
    )
    p.add_argument("--version", action="version", version=f"hipvision {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    e = sub.add_parser(
        "extract",
        help="run the pose model and write a pose CSV",
        description="Run the pose model over INPUT and write one row per landmark per frame "
        "(frame,time_s,landmark,x_px,y_px,z,visibility,image_width,image_height,...). "
        "Outputs appear only when the whole input was processed.",
    )
    e.add_argument("input", metavar="INPUT")
    e.add_argument("-o", "--output", metavar="POSE.csv", help="pose CSV to write (default: INPUT-NAME.pose.csv here)")
    e.add_argument("--save-video", metavar="OUT.mp4", help="also write an annotated, browser-playable H.264 MP4")
    e.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    e.add_argument("--blur-faces", action="store_true", help="blur faces in the --save-video output")
    e.add_argument(
        "--view",
        choices=("prone", "seated"),
        default="prone",
        help="with --track: the rotation test's camera view, which fixes left/right and knee/ankle (default: %(default)s)",
    )
    _add_tracking_options(e)
    _add_pose_options(e)
    e.set_defaults(func=cmd_extract)

    tests = analyzers.available()
    a = sub.add_parser(
        "analyze",
        help="analyse a clip for one test",
        description="Analyse INPUT for one test and print the report. Tests available in "
        f"this version: {', '.join(sorted(tests)) or 'none yet'}.",
    )
    a.add_argument("input", metavar="INPUT")
    a.add_argument("--test", required=True, metavar="T", help="the test to analyse: " + (", ".join(sorted(tests)) or "none available yet"))
    a.add_argument("--json", action="store_true", help="print only the JSON report on stdout")
    a.add_argument(
        "--save-video",
        metavar="OUT.mp4",
        help="annotated H.264 video (video input only), written in the same pass as the pose: the skeleton on "
        "every frame, the analysis overlay on the last frames held back for it (up to 64 MiB of frames, about "
        "25 s of 720p: usually the whole clip) and the report's numbers on the last 2 s",
    )
    a.add_argument("--series", metavar="OUT.csv", help="write the per-frame series (angles; depth and hip shift for screening) as CSV")
    add_analysis_options(a)
    g = a.add_argument_group("history, report and privacy")
    g.add_argument("--person", metavar="NAME", help="save the session to the history under this person (created when new)")
    g.add_argument("--history", metavar="PATH", help="history database (default: history.sqlite3 in $HIPVISION_DATA, else $XDG_DATA_HOME/hipvision, else ~/.local/share/hipvision)")
    g.add_argument("--recorded-at", metavar="WHEN", help="when the clip was recorded, ISO 8601 (e.g. 2026-11-21 or 2026-11-21T09:30; default: now)")
    g.add_argument("--report", metavar="OUT.html", help="write a printable, self-contained HTML report (print it to PDF from the browser)")
    g.add_argument("--blur-faces", action="store_true", help="blur faces in --save-video and in the report's key frame")
    _add_tracking_options(a)
    _add_pose_options(a)
    a.set_defaults(func=cmd_analyze)

    i = sub.add_parser(
        "inspect",
        help="summarise the pose found in an input (frames, detection, visibility)",
        description="Summarise a pose CSV or the pose the model finds in INPUT: frame count, "
        "frame rate, detection rate, lower-limb visibility, frames with more than one person.",
    )
    i.add_argument("input", metavar="INPUT")
    i.add_argument("--json", action="store_true", help="JSON on stdout")
    _add_pose_options(i)
    i.set_defaults(func=cmd_inspect)

    lv = sub.add_parser(
        "live",
        help="live hip-rotation readout from a webcam (running angle and peak hold)",
        description="Open a window with the running shin angle per side and the held peaks. "
        "Sit still with relaxed shins first (this calibrates vertical), then rotate. Stop with "
        "q, Esc or Ctrl-C; the full analysis of the recording is then printed. INPUT defaults "
        "to webcam:0; a video plays as if live; a pose CSV replays its landmarks.",
    )
    lv.add_argument("input", metavar="INPUT", nargs="?", default="webcam:0")
    lv.add_argument("--test", required=True, choices=("seated", "prone"))
    lv.add_argument("--mirrored", action="store_true", help="the picture is mirrored (selfie camera)")
    lv.add_argument("--no-window", action="store_true", help="no window (headless): only the final result")
    lv.add_argument("-o", "--output", metavar="POSE.csv", help="save the recorded landmarks")
    lv.add_argument("--json", action="store_true", help="print the final report as JSON")
    _add_pose_options(lv)
    lv.set_defaults(func=cmd_live)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--history", metavar="PATH", help="history database (default: history.sqlite3 in $HIPVISION_DATA, else $XDG_DATA_HOME/hipvision, else ~/.local/share/hipvision)")
    common.add_argument("--json", action="store_true", help="JSON on stdout")
    hi = sub.add_parser(
        "history",
        help="the local history: people, sessions, progress, reports, exports, deletion",
        description="The local history database of saved sessions ('hipvision analyze ... "
        "--person NAME' saves one). Everything stays on this computer.",
    )
    hs = hi.add_subparsers(dest="action", required=True, metavar="ACTION")
    hs.add_parser("people", parents=[common], help="list the people with their session counts")
    x = hs.add_parser("sessions", parents=[common], help="list sessions (oldest first)")
    x.add_argument("--person", metavar="NAME")
    x.add_argument("--test", metavar="T")
    x = hs.add_parser("progress", parents=[common], help="one metric of one person over time",
                      description="Metrics: rotation ir_peak_deg (default), er_peak_deg, total_arc_deg, "
                      "ir_left_minus_right_deg ...; screening fppa_mean_deg (default), fppa_max_deg, "
                      "fppa_deg (per rep), valgus_reps, hip_shift_pct (per rep), hip_shift_mean_pct ...")
    x.add_argument("--person", metavar="NAME", required=True)
    x.add_argument("--test", metavar="T", required=True)
    x.add_argument("--metric", metavar="M")
    x = hs.add_parser("show", parents=[common], help="one session's report")
    x.add_argument("id", type=int, metavar="ID")
    x = hs.add_parser("report", parents=[common], help="write one session's printable HTML report")
    x.add_argument("id", type=int, metavar="ID")
    x.add_argument("-o", "--output", metavar="OUT.html", required=True)
    x = hs.add_parser("export", parents=[common], help="results CSV (person,session_id,recorded_at,test,metric,side,rep,value)")
    x.add_argument("--person", metavar="NAME")
    x.add_argument("--test", metavar="T")
    x.add_argument("-o", "--output", metavar="OUT.csv", help="file to write (default: stdout)")
    deleting = ("Annotated videos the dashboard saved with the sessions (in the data folder's videos/) "
                "are deleted too; video files elsewhere (analyze --save-video) are kept and listed.")
    x = hs.add_parser("delete-session", parents=[common], help="delete one session, its results and its saved video",
                      description="Delete one session and its results. " + deleting)
    x.add_argument("id", type=int, metavar="ID")
    x = hs.add_parser("delete-person", parents=[common], help="delete a person with all their sessions and saved videos",
                      description="Delete a person with all their sessions and results. " + deleting)
    x.add_argument("name", metavar="NAME")
    x.add_argument("--yes", action="store_true", help="confirm the deletion")
    hi.set_defaults(func=cmd_history)
    st = sub.add_parser(
        "stickers",
        help="write a printable sheet of marker stickers (SVG, true size)",
        description="Write an SVG page (A4) of coloured disc stickers at true size for marker "
        "tracking (--track markers). Print at 100 %% (no 'fit to page'); see docs/TRACKING.md.",
    )
    st.add_argument("-o", "--output", metavar="SHEET.svg", default="hipvision-stickers.svg", help="file to write (default: %(default)s)")
    st.add_argument("--marker-color", choices=sorted(MARKER_COLORS), default=DEFAULT_SETTINGS.tracking.marker_color, help="sticker colour (default: %(default)s)")
    st.add_argument("--diameter", type=_positive_float, default=30.0, metavar="MM", help="disc diameter in mm (default: %(default)s; 25-40 work)")
    st.set_defaults(func=cmd_stickers)

    m = sub.add_parser(
        "model",
        help="find (or download) the pose model and print its path",
        description="Resolve the pose model: --model, $HIPVISION_MODEL, models/, the user "
        "cache, else download the official model into the cache. Prints the path.",
    )
    _add_pose_options(m)
    m.set_defaults(func=cmd_model)

    from .batch.cli import add_parser as _add_batch_parser

    _add_batch_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except HipvisionError as e:
        print(f"hipvision: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("hipvision: interrupted; no partial output was kept", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `hipvision analyze ... --json | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def run() -> None:
    """The ``hipvision`` command: native libraries' fd-2 output is routed away for the whole
    process (see :mod:`hipvision.quiet`), then :func:`main`."""
    from .quiet import route_native_stderr_away

    route_native_stderr_away()
    raise SystemExit(main())


if __name__ == "__main__":
    run()

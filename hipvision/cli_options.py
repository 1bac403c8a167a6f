"""Command-line options shared by several subcommands (``hipvision.cli`` and
``hipvision.batch.cli`` both import them from here, so neither imports the other): argparse
types, the option groups, and the functions that turn parsed options into settings.

Light on purpose (argparse and the configuration only): ``--help`` imports it.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
from typing import Any

from .config import DEFAULT_SETTINGS, MARKER_COLORS, MODEL_VARIANTS, TRACK_MODES, Settings


def positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {v}")
    return v


def positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return v


def non_negative_float(text: str) -> float:
    """argparse type: a finite number >= 0."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(v) or v < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return v


def settings_from_pose_options(args: argparse.Namespace) -> Settings:
    """The default settings with the options of :func:`add_pose_options` applied."""
    s = DEFAULT_SETTINGS
    model = replace(s.model, variant=args.variant, path=args.model)
    source = replace(
        s.source,
        max_frames=args.max_frames,
        max_duration_s=args.duration,
        image_folder_fps=args.fps or s.source.image_folder_fps,
    )
    check = getattr(args, "people_check", None)
    pose = s.pose if check is None else replace(s.pose, multi_person_check_s=check)
    return replace(s, model=model, source=source, pose=pose)


def add_pose_options(p: argparse.ArgumentParser) -> None:
    """Pose model and input options (read by :func:`settings_from_pose_options`)."""
    g = p.add_argument_group("pose model and input")
    g.add_argument("--model", metavar="PATH", help="pose model file (.task); overrides HIPVISION_MODEL")
    g.add_argument(
        "--variant",
        choices=MODEL_VARIANTS,
        default=DEFAULT_SETTINGS.model.variant,
        help="model variant to find or download (default: %(default)s)",
    )
    g.add_argument("--max-frames", type=positive_int, metavar="N", help="stop after N frames")
    g.add_argument("--duration", type=positive_float, metavar="S", help="stop a webcam after S seconds")
    g.add_argument(
        "--fps",
        type=positive_float,
        metavar="F",
        help=f"frame rate of an image folder (default: {DEFAULT_SETTINGS.source.image_folder_fps:g})",
    )
    g.add_argument(
        "--people-check",
        type=non_negative_float,
        metavar="S",
        help=(
            "look for a second person in view every S seconds of video (default: "
            f"{DEFAULT_SETTINGS.pose.multi_person_check_s:g}); 0 = never: about 40 MiB less memory, "
            "but no warning when someone else walks in"
        ),
    )
    g.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def add_tracking_options(p: argparse.ArgumentParser) -> None:
    """Knee/ankle tracking options of the rotation tests (read by :func:`tracking_kwargs`)."""
    g = p.add_argument_group("knee/ankle tracking (rotation tests; see docs/TRACKING.md)")
    g.add_argument(
        "--track",
        choices=TRACK_MODES,
        help="markers: coloured stickers, two per shin; assisted: follow the shins marked with --mark; "
        "model: the pose model behind a plausibility gate; auto: model if plausible, else markers. "
        "Default: auto for --test prone on a video, else the pose model as it is",
    )
    g.add_argument(
        "--mark",
        action="append",
        metavar="NAME=X,Y",
        help="assisted: a point on the --mark-frame frame in pixels, NAME one of left_knee, left_ankle, "
        "right_knee, right_ankle (the person's sides); give all four (both legs)",
    )
    g.add_argument("--mark-frame", type=int, default=0, metavar="N", help="assisted: frame number the marks are on (default: 0)")
    g.add_argument(
        "--marker-color",
        choices=sorted(MARKER_COLORS),
        help=f"markers: sticker colour (default: {DEFAULT_SETTINGS.tracking.marker_color})",
    )


def tracking_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The ``track``, ``marks``, ``mark_frame``, ``marker_color`` keywords of the API from
    the options of :func:`add_tracking_options` (``--mark`` alone means ``--track assisted``)."""
    from .errors import InputError

    marks = None
    if args.mark:
        from .tracking.assisted import parse_marks

        marks = parse_marks(args.mark)
        if args.track is None:
            args.track = "assisted"
    if args.track == "assisted" and marks is None:
        from .tracking.assisted import parse_marks

        parse_marks([])  # raises the "needs marks" error
    if marks is not None and args.track != "assisted":
        raise InputError("--mark is for --track assisted")
    if args.mark_frame < 0:
        raise InputError(f"--mark-frame must be 0 or more, got {args.mark_frame}")
    return {"track": args.track, "marks": marks, "mark_frame": args.mark_frame, "marker_color": args.marker_color}


def add_analysis_options(p: argparse.ArgumentParser) -> None:
    """The analysis options ``analyze`` and ``batch`` share (read by :func:`analysis_settings`)."""
    p.add_argument(
        "--mirrored",
        action="store_true",
        help="rotation tests: the video is mirrored (front/selfie camera): swap the person's left and right",
    )
    sc = DEFAULT_SETTINGS.screening
    p.add_argument(
        "--sex",
        choices=("female", "male", "unspecified"),
        default=sc.sex,
        help=f"screening: picks the FPPA valgus threshold (female {sc.fppa_threshold_female_deg:g}, "
        f"male {sc.fppa_threshold_male_deg:g}, unspecified {sc.fppa_threshold_unspecified_deg:g} deg)",
    )
    p.add_argument("--fppa-threshold", type=float, metavar="DEG", help="screening: valgus flag above this FPPA (overrides --sex)")
    p.add_argument(
        "--hip-shift-threshold",
        type=positive_float,
        metavar="PCT",
        help=f"screening: hip-shift flag above this %% of hip width (default {sc.hip_shift_threshold_pct:g}; descriptive, no validated cut-off)",
    )


def analysis_settings(args: argparse.Namespace, settings: Settings) -> Settings:
    """``settings`` with the options of :func:`add_analysis_options` applied."""
    return replace(
        settings,
        rotation=replace(settings.rotation, mirrored=args.mirrored),
        screening=replace(
            settings.screening,
            sex=args.sex,
            fppa_threshold_deg=args.fppa_threshold,
            hip_shift_threshold_pct=args.hip_shift_threshold or settings.screening.hip_shift_threshold_pct,
        ),
    )

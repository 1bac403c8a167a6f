"""``hipvision batch``: the subcommand's options and handler (wired in by hipvision.cli)."""

from __future__ import annotations

import argparse
import sys

from ..cli_options import add_analysis_options, add_pose_options, analysis_settings, positive_int, settings_from_pose_options
from ..config import DEFAULT_SETTINGS


def add_parser(sub) -> None:
    bs = DEFAULT_SETTINGS.batch
    b = sub.add_parser(
        "batch",
        help="analyse many clips in parallel into one summary (resumable)",
        description=(
            "Analyse every clip of INPUT: a folder (scanned recursively for videos and pose CSVs, "
            "all for --test) or a manifest CSV with a 'path' column (relative to the manifest), an "
            "optional 'test' column and any id columns, which are carried into the summary. Writes "
            "per clip a pose CSV and a JSON report under OUT/clips/, and OUT/summary.csv and "
            "OUT/summary.parquet with one row per clip. A failing clip gets status 'error' and its "
            "message; the batch goes on. Killed at any moment, the same command finishes the rest."
        ),
        epilog=(
            "Rerunning with changed analysis settings (thresholds, --sex, --mirrored) or a new "
            "hipvision version needs --reuse-pose (recompute every report from the stored pose, no "
            "model); changed pose settings (--model, --variant, --max-frames) need a new OUT or --force."
        ),
    )
    b.add_argument("input", metavar="INPUT_DIR|MANIFEST.csv")
    b.add_argument("--out", required=True, metavar="OUT_DIR", help="output folder (created; reuse it to resume)")
    b.add_argument("--test", metavar="T", help="the test for a folder, or for manifest rows without one")
    b.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="worker processes (local engine and local Dask cluster; default: "
        + (str(bs.workers) if bs.workers else "all cores")
        + ")",
    )
    b.add_argument("--engine", choices=("local", "dask"), default="local", help="local processes or Dask (default: %(default)s)")
    b.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address (tcp://host:8786); default: a local Dask cluster")
    b.add_argument("--reuse-pose", action="store_true", help="recompute every report from the stored pose CSVs (no model)")
    b.add_argument("--force", action="store_true", help="start over: delete the results in OUT_DIR and redo every clip")
    b.add_argument("--save-video", action="store_true", help="also write an annotated video per video clip")
    b.add_argument("--trc", action="store_true", help="also write the world landmarks per clip as OpenSim .trc (metres)")
    from ..config import TRACK_MODES

    b.add_argument(
        "--track",
        choices=TRACK_MODES,
        help="rotation-test videos: how knees and ankles are found, as for analyze (default: auto for prone, "
        "the pose model for seated); a manifest's 'track', 'marks' and 'mark_frame' columns set it per clip",
    )
    add_analysis_options(b.add_argument_group("analysis"))  # type: ignore[arg-type]
    add_pose_options(b)
    b.set_defaults(func=cmd_batch)


def cmd_batch(args: argparse.Namespace) -> int:
    from .runner import run_batch

    s = analysis_settings(args, settings_from_pose_options(args))
    try:
        res = run_batch(
            args.input,
            args.out,
            test=args.test,
            settings=s,
            engine=args.engine,
            workers=args.workers,
            scheduler=args.scheduler,
            reuse_pose=args.reuse_pose,
            force=args.force,
            save_video=args.save_video,
            trc=args.trc,
            track=args.track,
            progress=not args.quiet,
        )
    except KeyboardInterrupt:
        print(
            "hipvision: interrupted; finished clips are kept: run the same command to finish",
            file=sys.stderr,
        )
        return 130
    if res.ignored and not args.quiet:
        names = ", ".join(str(p) for p in res.ignored[:3]) + (" ..." if len(res.ignored) > 3 else "")
        print(f"hipvision: note: ignored {len(res.ignored)} file(s) that are neither videos nor pose CSVs: {names}", file=sys.stderr)
    print(
        f"{res.total} clips: {res.ok} ok, {res.errors} failed"
        + (f", {res.skipped} already done before" if res.skipped else "")
        + f" ({res.processed} processed in {res.wall_s:.1f} s) -> {res.summary_csv}",
        file=sys.stderr,
    )
    if res.errors:
        print(f"hipvision: warning: {res.errors} clip(s) failed; see the 'error' column of {res.summary_csv}", file=sys.stderr)
    return 0

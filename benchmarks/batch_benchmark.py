"""Batch throughput: clips/min and frames/s with 1, 2 and N workers on the same clips,
scaling efficiency, the Dask engine against the local engine, and the speed-up of
--reuse-pose over re-extraction.

    python benchmarks/batch_benchmark.py [--clips 4] [--max-frames 120] [--workers 1,2,4]

Uses real clips from ../shared/media (trimmed with --max-frames) and the pose model
($HIPVISION_MODEL or ../shared/models). Every run starts from an empty OUT folder, so the
wall time includes starting the worker processes. The machine's load average is printed
next to each figure: other work on the machine slows the figures down.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hipvision.batch import run_batch  # noqa: E402
from hipvision.config import DEFAULT_SETTINGS  # noqa: E402

from shared_paths import MEDIA, find_model  # noqa: E402

CLIPS = [
    "squat_front_bodyweight_wide_goodform_01.mp4",
    "squat_side_bodyweight_gym_01.mp4",
    "deadlift_front_barbell_gym.mp4",
    "lunge_front_alternating_outdoor.mp4",
    "squat_front_webcam_burnedin_overlay.mp4",
    "squat_front_and_side_airsquat_crossfit_text.mp4",
]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def cpu_s() -> float:
    """CPU seconds of this process and its finished children (the worker processes)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run(src: Path, out: Path, settings, **kw):
    shutil.rmtree(out, ignore_errors=True)
    t0, c0 = time.perf_counter(), cpu_s()
    res = run_batch(src, out, test="squat", settings=settings, progress=False, **kw)
    wall = time.perf_counter() - t0
    run.cores_used = (cpu_s() - c0) / wall  # type: ignore[attr-defined]
    return res, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=4)
    ap.add_argument("--max-frames", type=int, default=120)
    ap.add_argument("--workers", default="", help="comma-separated worker counts (default: 1,2,cores)")
    ap.add_argument("--no-dask", action="store_true")
    a = ap.parse_args()
    model = find_model()
    clips = [MEDIA / c for c in CLIPS if (MEDIA / c).is_file()][: a.clips]
    if model is None or not clips:
        sys.exit("needs the pose model and ../shared/media")
    counts = sorted({int(w) for w in a.workers.split(",") if w} or {1, 2, os.cpu_count() or 1})
    settings = replace(
        DEFAULT_SETTINGS,
        model=replace(DEFAULT_SETTINGS.model, path=str(model)),
        source=replace(DEFAULT_SETTINGS.source, max_frames=a.max_frames),
    )
    tmp = Path(tempfile.mkdtemp(prefix="hipvision-batch-bench-"))
    src = tmp / "in"
    src.mkdir()
    for c in clips:
        os.symlink(c, src / c.name)
    print(f"{len(clips)} clips x up to {a.max_frames} frames ({', '.join(c.name for c in clips)})")
    print(f"{'engine':<7} {'workers':>7} {'wall s':>7} {'clips/min':>9} {'frames/s':>8} {'scaling':>8} {'cores used':>10}   machine")
    base = None
    results = {}
    try:
        for w in counts:
            res, wall = run(src, tmp / f"local{w}", settings, engine="local", workers=w)
            fps = res.frames_extracted / wall
            base = base or fps
            results[("local", w)] = (res, wall)
            eff = fps / base / w
            print(f"{'local':<7} {w:>7} {wall:>7.1f} {60 * res.total / wall:>9.1f} {fps:>8.1f} {100 * eff:>7.0f}% {run.cores_used:>10.2f}   {load()}")
        if not a.no_dask:
            try:
                import dask.distributed  # noqa: F401

                w = max(counts)
                res, wall = run(src, tmp / "dask", settings, engine="dask", workers=w)
                fps = res.frames_extracted / wall
                lw = results[("local", w)][1]
                print(
                    f"{'dask':<7} {w:>7} {wall:>7.1f} {60 * res.total / wall:>9.1f} {fps:>8.1f} {'':>8} {'':>10}   {load()}"
                    f"  (local cluster start included; local engine {lw:.1f} s)"
                )
            except ImportError:
                print("dask: not installed (pip install 'hipvision[dask]')")
        w = max(counts)
        out = tmp / f"local{w}"
        t0 = time.perf_counter()
        res = run_batch(src, out, test="squat", settings=settings, progress=False, engine="local", workers=w, reuse_pose=True)
        wall = time.perf_counter() - t0
        first = results[("local", w)][1]
        per_clip = sum(float(r["runtime_s"]) for r in res.rows) / max(1, len(res.rows))
        print(
            f"--reuse-pose with {w} workers: {wall:.1f} s vs {first:.1f} s extracting: {first / wall:.1f}x faster "
            f"(analysis {per_clip:.2f} s per clip; the rest is worker start-up)   {load()}"
        )
        res1, wall1 = results[("local", min(counts))]
        print(f"ok clips: {res1.ok}/{res1.total}; frames through the model per run: {res1.frames_extracted}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

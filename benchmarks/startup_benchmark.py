"""CPU cost of commands whose work is small: help, a pose-CSV analysis, and a batch that
re-analyses stored poses (``--reuse-pose``), against the floor ``python -c "import numpy"``.

    python benchmarks/startup_benchmark.py [--repeat 5] [--clips 10]

Each command runs as a fresh process; its CPU seconds (user + system, of the process and
its children: batch worker processes included) come from ``getrusage``. Commands are run
in turn, round after round, and the median of ``--repeat`` rounds is printed, so a change
of the machine's load hits all of them alike. CPU time, not wall time: the figures hold on
a busy shared machine.

The batch lines run ``hipvision batch --reuse-pose --workers 2`` over 2 and over
``--clips`` copies of the squat sample (the pose already stored by a first, unmeasured
run; two clips or more start both workers): the CPU that does not grow with the clip
count is start-up (main process and workers), the growth per clip is the analysis.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
HV = [sys.executable, "-m", "hipvision"]


def cpu_of(cmd: list[str]) -> float:
    """CPU seconds (user + system) of ``cmd`` run to completion with its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def batch_input(tmp: Path, n: int) -> tuple[list[str], Path]:
    """A folder with ``n`` copies of the squat sample, analysed once (unmeasured) into an
    output folder, and the ``--reuse-pose`` command over it."""
    src, out = tmp / f"in{n}", tmp / f"out{n}"
    src.mkdir()
    for i in range(n):
        shutil.copyfile(SAMPLES / "demo_squat_front.pose.csv", src / f"clip{i:02d}.pose.csv")
    base = [*HV, "batch", str(src), "--out", str(out), "--test", "squat", "--workers", "2", "-q"]
    subprocess.run(base, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT)
    return [*base, "--reuse-pose"], out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--clips", type=int, default=10)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hipvision-startup-bench-"))
    try:
        two, _ = batch_input(tmp, 2)
        many, _ = batch_input(tmp, max(3, a.clips))
        commands = {
            'python -c "import numpy"': [sys.executable, "-c", "import numpy"],
            "hipvision --help": [*HV, "--help"],
            "hipvision analyze --help": [*HV, "analyze", "--help"],
            "analyze seated_rotation.pose.csv --test seated": [*HV, "analyze", str(SAMPLES / "seated_rotation.pose.csv"), "--test", "seated"],
            "analyze demo_squat_front.pose.csv --test squat": [*HV, "analyze", str(SAMPLES / "demo_squat_front.pose.csv"), "--test", "squat"],
            "analyze seated ... --report R.html": [*HV, "analyze", str(SAMPLES / "seated_rotation.pose.csv"), "--test", "seated", "--report", str(tmp / "r.html")],
            "batch --reuse-pose, 2 clips": two,
            f"batch --reuse-pose, {max(3, a.clips)} clips": many,
        }
        for cmd in commands.values():  # warm the file cache
            cpu_of(cmd)
        times: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(a.repeat):
            for name, cmd in commands.items():
                times[name].append(cpu_of(cmd))
        med = {k: statistics.median(v) for k, v in times.items()}
        floor = med['python -c "import numpy"']
        print(f"CPU seconds, median of {a.repeat} rounds (min-max); {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
        for name, v in times.items():
            print(f"  {name:<48} {med[name]:6.2f}  ({min(v):.2f}-{max(v):.2f})  {med[name] / floor:5.1f}x numpy")
        n = max(3, a.clips)
        b2, bn = med["batch --reuse-pose, 2 clips"], med[f"batch --reuse-pose, {n} clips"]
        per_clip = (bn - b2) / (n - 2)
        fixed = b2 - 2 * per_clip
        print(
            f"  batch --reuse-pose: start-up {fixed:.2f} s CPU, analysis {per_clip:.2f} s CPU per clip; "
            f"with {n} clips {100 * per_clip * n / bn:.0f} % of the CPU is analysis"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

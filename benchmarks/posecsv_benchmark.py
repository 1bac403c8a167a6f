"""Memory and CPU of analysing a long pose CSV: is reading it streamed (issue #14)?

    python benchmarks/posecsv_benchmark.py [--rows 100000 1000000 3000000] [--test seated]

Builds pose CSVs of growing length by repeating a bundled sample back to back (frame
numbers and times continue), then runs ``hipvision analyze FILE --test T --json`` in a fresh
child process for each and prints its CPU seconds and peak memory (max RSS), also per
million rows. Streamed reading means: memory grows with the arrays, not with the text (the
read about 2.2 kB a frame of 33 rows, the whole analysis about 5 kB: docs/DESIGN.md, "Long
pose CSVs"); CPU grows linearly (the per-million figures fall towards a constant as the
start-up is shared out). Also times ``read_pose_csv`` alone in a child for the split.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = {"seated": "seated_rotation.pose.csv", "prone": "prone_rotation.pose.csv", "squat": "demo_squat_front.pose.csv"}


def build(sample: Path, rows: int, target: Path) -> int:
    """Write ``target`` with about ``rows`` landmark rows; returns the rows written."""
    lines = sample.read_text(encoding="utf-8").splitlines()
    header, body = lines[0], [ln.split(",", 2) for ln in lines[1:]]
    frames = [int(b[0]) for b in body]
    times = [float(b[1]) for b in body]
    n_frames = max(frames) + 1
    dt = (times[-1] - times[0]) / max(1, frames[-1] - frames[0])
    span_t = times[-1] + dt
    written = 0
    with open(target, "w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        k = 0
        while written < rows:
            f0, t0 = k * n_frames, k * span_t
            fh.write("".join(f"{f + f0},{t + t0:.6f},{rest}\n" for f, t, (_, _, rest) in zip(frames, times, body)))
            written += len(body)
            k += 1
    return written


def measure(cmd: list[str]) -> tuple[float, float, float]:
    """(cpu s, wall s, peak RSS MiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, after.ru_maxrss / 1024  # ru_maxrss of the largest child so far (KiB on Linux)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000, 3_000_000])
    ap.add_argument("--test", choices=sorted(SAMPLES), default="seated")
    a = ap.parse_args()
    sample = ROOT / "samples" / SAMPLES[a.test]
    print(f"pose CSV analysis, test {a.test}, built from {sample.name}; python {sys.version.split()[0]}")
    print(f"{'rows':>10} {'MB':>7} | {'read cpu s':>10} {'analyze cpu s':>13} {'cpu s/M rows':>12} | {'peak MiB':>8} {'read MiB':>8}")
    with tempfile.TemporaryDirectory() as d:
        for rows in sorted(a.rows):  # ascending: ru_maxrss of children only grows
            f = Path(d) / f"long_{rows}.pose.csv"
            n = build(sample, rows, f)
            mb = f.stat().st_size / 1e6
            read_cpu, _, read_mib = measure(
                [sys.executable, "-c", f"from hipvision.posecsv import read_pose_csv; read_pose_csv({str(f)!r})"]
            )
            cpu, _, mib = measure([sys.executable, "-m", "hipvision", "analyze", str(f), "--test", a.test, "--json"])
            print(f"{n:>10} {mb:>7.0f} | {read_cpu:>10.1f} {cpu:>13.1f} {cpu / n * 1e6:>12.1f} | {mib:>8.0f} {read_mib:>8.0f}")
            f.unlink()


if __name__ == "__main__":
    main()

"""Prints the cost of the history database, the HTML report and the face blur.

    python benchmarks/history_benchmark.py [N_SESSIONS]

Saves N sessions (default 500: a seated report with its per-frame series, and a squat report,
alternating) into a fresh database, then times the progress queries, one session read,
rendering an HTML report, and blurring a face in a 1280x720 frame.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from hipvision.analyzers import get
from hipvision.api import run_analysis
from hipvision.config import DEFAULT_SETTINGS
from hipvision.export import series_csv
from hipvision.history import History
from hipvision.privacy import blur_faces
from hipvision.report_html import key_frame_image, key_frame_time, render_report
from hipvision.sequence import PoseFrame

ROOT = Path(__file__).resolve().parents[1]


def main(n: int) -> None:
    seated = run_analysis(ROOT / "samples" / "seated_rotation.pose.csv", "seated")
    squat = run_analysis(ROOT / "samples" / "demo_squat_front.pose.csv", "squat")
    s_csv = series_csv(get("seated").series_columns, seated.series_rows())
    with tempfile.TemporaryDirectory() as d:
        db = Path(d) / "h.sqlite3"
        with History(db) as h:
            pid = h.add_person("Bench")
            t0 = time.perf_counter()
            for k in range(n):
                if k % 2:
                    h.add_session(pid, squat.report, recorded_at=f"2026-01-01T00:00:{k % 60:02d}")
                else:
                    h.add_session(pid, seated.report, series_csv=s_csv, recorded_at=f"2026-01-01T00:00:{k % 60:02d}")
            t_add = time.perf_counter() - t0
            t0 = time.perf_counter()
            h.progress(pid, "seated", "ir_peak_deg")
            t_first = time.perf_counter() - t0
            t0 = time.perf_counter()
            rows = h.progress(pid, "seated", "ir_peak_deg")
            t_prog = time.perf_counter() - t0
            t0 = time.perf_counter()
            reps = h.progress(pid, "squat", "fppa_deg")
            t_prog2 = time.perf_counter() - t0
            t0 = time.perf_counter()
            h.session(1)
            t_one = time.perf_counter() - t0
        size = db.stat().st_size + sum(p.stat().st_size for p in Path(d).glob("h.sqlite3-*"))
    print(f"history: {n} sessions saved in {t_add:.2f} s ({1000 * t_add / n:.1f} ms each, one transaction each); file {size / 1e6:.1f} MB")
    print(f"history: progress ir_peak_deg ({len(rows)} rows) {1000 * t_prog:.1f} ms (first query after the writes {1000 * t_first:.1f} ms); fppa_deg per rep ({len(reps)} rows) {1000 * t_prog2:.1f} ms; one session with series {1000 * t_one:.1f} ms")

    seq = None
    t0 = time.perf_counter()
    img = key_frame_image(ROOT / "samples" / "seated_rotation.pose.csv", seq, seated, key_frame_time(seated.report))
    html = render_report(seated.report, person="Bench", series=(get("seated").series_columns, seated.series_rows()), key_frame=img)
    t_html = time.perf_counter() - t0
    print(f"report: seated HTML with key frame and plot in {1000 * t_html:.0f} ms, {len(html) / 1e3:.0f} kB")

    frame = np.random.default_rng(0).integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    xy = np.full((33, 2), np.nan)
    xy[:11] = np.array([640, 200]) + np.random.default_rng(1).normal(0, 15, (11, 2))
    xy[7], xy[8] = (670, 200), (610, 200)
    pose = PoseFrame(0, 0.0, xy, np.zeros(33), np.ones(33), np.ones(33), np.full((33, 3), np.nan))
    k = 200
    t0 = time.perf_counter()
    for _ in range(k):
        blur_faces(frame, pose, DEFAULT_SETTINGS.render)
    print(f"privacy: face blur on 1280x720 {1000 * (time.perf_counter() - t0) / k:.2f} ms per frame")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)

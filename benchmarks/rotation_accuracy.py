"""Accuracy of the seated and prone hip-rotation analysis on synthetic clips.

    python benchmarks/rotation_accuracy.py [--clips 40] [--seed 0]

Each clip: a 3-D skeleton performing the test with known peak IR/ER per side (legs one
after the other or both together, 15-55 deg), seen by a hand-held phone camera with random
roll (+-6 deg), yaw (+-10 deg) and pitch (+-8 deg), 1-5 px landmark noise, 5 % unsure
frames (low visibility, wrong position) and 5 % dropped frames. Prints the peak error per
test (MAE, 95th percentile, worst) and the error by noise level. Target (issue #3): MAE
<= 1 deg, worst <= 2.5 deg. No video and no pose model: this measures the geometry and
signal processing, not MediaPipe (the avatar benchmark of issue #6 does that). Also prints how
many frames the skeleton plausibility gate rejected (all are plausible: should be none).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from hipvision.api import analyze
from hipvision.synthetic import Move, default_camera, rotation_clip


def random_moves(rng: np.random.Generator) -> list[Move]:
    if rng.random() < 0.3:  # both legs together
        return [Move("both", float(rng.uniform(15, 50))), Move("both", -float(rng.uniform(20, 55)))]
    moves = []
    for side in ("left", "right"):
        moves.append(Move(side, float(rng.uniform(15, 50)), hold_s=float(rng.uniform(1.0, 3.0))))
        moves.append(Move(side, -float(rng.uniform(20, 55)), hold_s=float(rng.uniform(1.0, 3.0))))
    return moves


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", type=int, default=40, help="clips per test (default 40)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    print(f"{'test':<7} {'clips':>5} {'peaks':>5} {'MAE':>6} {'p95':>6} {'worst':>6}   MAE by noise (1-2 / 2-4 / 4-5 px)")
    rejected = [0, 0]  # frames the plausibility gate rejected, frames checked (all clean clips)
    for test in ("seated", "prone"):
        errs, noises = [], []
        for _ in range(args.clips):
            moves = random_moves(rng)
            cam = default_camera(
                test,
                roll_deg=float(rng.uniform(-6, 6)),
                yaw_deg=float(rng.uniform(-10, 10)),
                pitch_deg=float(rng.uniform(-8, 8)),
            )
            noise = float(rng.uniform(1, 5))
            seq, truth = rotation_clip(
                test, moves, camera=cam, noise_px=noise, low_visibility_fraction=0.05,
                drop_fraction=0.05, seed=int(rng.integers(1 << 30)),
            )
            rep = analyze(seq, test)
            rejected[0] += rep["pose_check"]["doubtful_frames"]
            rejected[1] += rep["pose_check"]["frames_checked"]
            for side in ("left", "right"):
                for key in ("ir", "er"):
                    want = truth.peaks[side][key]
                    got = rep["sides"][side][f"peak_{key}_deg"]
                    if want is None:
                        continue
                    errs.append(np.inf if got is None else abs(got - want))
                    noises.append(noise)
        e, n = np.array(errs), np.array(noises)
        by = [e[(n >= lo) & (n < hi)].mean() for lo, hi in ((1, 2), (2, 4), (4, 5.01))]
        print(
            f"{test:<7} {args.clips:>5} {e.size:>5} {e.mean():6.2f} {np.percentile(e, 95):6.2f} {e.max():6.2f}"
            f"   {by[0]:.2f} / {by[1]:.2f} / {by[2]:.2f}"
        )
    print(f"frames rejected by the plausibility gate (false rejections): {rejected[0]} of {rejected[1]}")
    print(f"({time.perf_counter() - t0:.1f} s; errors in degrees; target MAE <= 1.0, worst <= 2.5)")


if __name__ == "__main__":
    main()

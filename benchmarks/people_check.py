"""The multi-person check: the pose detector alone against a second landmarker.

    HIPVISION_MODEL=/path/pose_landmarker_full.task python benchmarks/people_check.py [--every 2] [--media DIR]

On every real clip in ``../shared/media`` (one frame every ``--every`` seconds), counts the
people with (a) what hipvision uses, :class:`hipvision.pose.mediapipe_backend.PeopleCounter`
(the bundle's detector run alone), and (b) an IMAGE-mode landmarker looking for two poses
(what the check used before). Then the same on two-person frames, each cut to a 640-pixel strip around its person and put side by side (truth: 2),
on blank frames (truth: 0), and, when ``$HIPVISION_CACHE/renders`` holds the rendered
avatar clips (benchmarks/render), on those single-person clips (truth: 1). Prints agreement, CPU milliseconds per check, and the
extra resident memory of each counter created beside a tracking landmarker.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from hipvision.config import DEFAULT_SETTINGS
from hipvision.models import resolve_model
from hipvision.pose.mediapipe_backend import MediaPipePoseBackend, PeopleCounter, _landmarker, mp, vision
from hipvision.sources import open_source

MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        return next(int(ln.split()[1]) for ln in fh if ln.startswith("VmRSS:")) / 1024


def sample_frames(clip: Path, every_s: float) -> list[np.ndarray]:
    out, next_t = [], 0.0
    for fr in open_source(clip):
        if fr.time_s >= next_t:
            out.append(fr.image)
            next_t = fr.time_s + every_s
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--every", type=float, default=2.0, help="seconds between checked frames (default 2)")
    ap.add_argument("--media", type=Path, default=MEDIA, help="folder of real clips (default ../shared/media)")
    ap.add_argument("--model", help="pose model (default: as the CLI finds it)")
    args = ap.parse_args()
    model = str(resolve_model(replace(DEFAULT_SETTINGS.model, path=args.model) if args.model else DEFAULT_SETTINGS.model))
    clips = sorted(args.media.glob("*.mp4"))
    if not clips:
        sys.exit(f"no clips in {args.media}")
    s = DEFAULT_SETTINGS.pose

    tracker = MediaPipePoseBackend(model, stream=True, inline_check=False)
    tracker.detect(np.zeros((720, 1280, 3), np.uint8), 0, 0.0)
    base = rss_mib()
    detector = PeopleCounter(model, s)
    detector.count(np.zeros((720, 1280, 3), np.uint8), 0.0)
    det_mib = rss_mib() - base
    base = rss_mib()
    landmarker = _landmarker(model, vision.RunningMode.IMAGE, 2, s)
    landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((720, 1280, 3), np.uint8)))
    lm_mib = rss_mib() - base

    def by_detector(img: np.ndarray) -> tuple[int, float]:
        detector._next_check_s = 0.0  # a check is due
        t = time.process_time()
        n = detector.count(img, 0.0)
        return int(n or 0), time.process_time() - t

    def by_landmarker(img: np.ndarray) -> tuple[int, float]:
        t = time.process_time()
        n = len(landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(img))).pose_landmarks)
        return n, time.process_time() - t

    still = MediaPipePoseBackend(model, stream=False)

    def strip(img: np.ndarray) -> np.ndarray | None:
        x = still.detect(img, 0, 0.0).xy[:, 0]
        if not np.isfinite(x).any() or img.shape[1] < 640:
            return None
        c = int(np.clip((np.nanmin(x) + np.nanmax(x)) / 2, 320, img.shape[1] - 320))
        return img[:, c - 320 : c + 320]

    print(f"multi-person check, one frame every {args.every:g} s; model {Path(model).name}")
    print(f"  extra memory beside a tracking landmarker: detector alone {det_mib:.0f} MiB, second landmarker {lm_mib:.0f} MiB")
    print(f"  {'clip':<52} {'frames':>6} {'detector':>10} {'landmarker':>11} {'agree':>6}")
    cpu = {"detector": [], "landmarker": []}
    agree = total = 0
    strips: list[np.ndarray] = []
    for clip in clips:
        frames = sample_frames(clip, args.every)
        d = [by_detector(f) for f in frames]
        lm = [by_landmarker(f) for f in frames]
        cpu["detector"] += [t for _, t in d]
        cpu["landmarker"] += [t for _, t in lm]
        same = sum(a == b for (a, _), (b, _) in zip(d, lm))
        agree += same
        total += len(frames)
        dist = lambda xs: "/".join(str(sum(n == k for n, _ in xs)) for k in (0, 1, 2))  # noqa: E731
        print(f"  {clip.name:<52} {len(frames):>6} {dist(d):>10} {dist(lm):>11} {same:>3}/{len(frames)}")
        mid = frames[len(frames) // 2]
        cut = strip(mid)
        if cut is not None and cut.shape[0] >= 360:
            import cv2

            strips.append(cv2.resize(cut, (round(cut.shape[1] * 720 / cut.shape[0]), 720)))
    print("  (counts shown as frames with 0/1/2 people)")
    renders = sorted(Path(os.environ.get("HIPVISION_CACHE", "/nonexistent"), "renders").glob("*/clip.mp4"))
    if renders:  # one person each, in poses the real clips lack (deep squats, hinges, one leg)
        n_frames = over_d = over_l = 0
        for clip in renders:
            for img in sample_frames(clip, args.every / 4):
                n_frames += 1
                over_d += by_detector(img)[0] > 1
                over_l += by_landmarker(img)[0] > 1
        print(f"  rendered single-person clips ({len(renders)}, a frame every {args.every / 4:g} s): "
              f"counted as 2+ people on {over_d}/{n_frames} frames (detector), {over_l}/{n_frames} (landmarker)")
    print(f"  real frames: detector and landmarker agree on {agree}/{total}")
    pairs = [(a, b) for i, a in enumerate(strips) for b in strips[i + 1 :]]
    two_d = [by_detector(np.ascontiguousarray(np.hstack([a, b])))[0] for a, b in pairs]
    two_l = [by_landmarker(np.ascontiguousarray(np.hstack([a, b])))[0] for a, b in pairs]
    print(f"  two people side by side ({len(pairs)} pairs): detector says 2 on {sum(n == 2 for n in two_d)}, "
          f"landmarker on {sum(n == 2 for n in two_l)}; more than 2: {sum(n > 2 for n in two_d)} / {sum(n > 2 for n in two_l)}")
    blank = np.full((720, 1280, 3), 128, np.uint8)
    print(f"  blank frame: detector {by_detector(blank)[0]}, landmarker {by_landmarker(blank)[0]}")
    for k, v in cpu.items():
        print(f"  CPU per check, {k:<10} median {1000 * float(np.median(v)):.1f} ms")
    detector.close()
    landmarker.close()
    still.close()
    tracker.close()


if __name__ == "__main__":
    os.environ.setdefault("GLOG_minloglevel", "2")
    main()

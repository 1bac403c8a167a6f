"""Regenerate the synthetic sample pose CSVs in this folder (deterministic).

    python samples/make_samples.py

``seated_rotation.pose.csv`` and ``prone_rotation.pose.csv``: the two hip-rotation tests
from :mod:`hipvision.synthetic` (3-D skeleton, a hand-held phone camera rolled, turned and
pitched a few degrees, 2 px landmark noise, a few unsure and dropped frames). Known answers:

* seated, legs one after the other: left IR 36, ER 44; right IR 24, ER 47 (degrees);
* prone, both legs at once: IR 40 both, then ER 38 both.

``demo_squat_front.pose.csv``: a person facing the camera (1280x720, 30 fps, 12 s) doing
three slow bodyweight squats, knees tracking over the feet, with 1.5 px landmark noise and
a short stretch where the right knee is occluded (low visibility). It is drawn in image
space, not from a 3D model: a newcomer's first input, and a pose CSV to try the tools on
without a video or the pose model. The analyzers' own generators (3D skeleton, perturbed
camera, known angles) come with the hip-rotation and screening work.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hipvision.landmarks import LANDMARK_INDEX, N_LANDMARKS
from hipvision.posecsv import write_pose_csv
from hipvision.sequence import PoseSequence

HERE = Path(__file__).resolve().parent
W, H, FPS, SECONDS = 1280, 720, 30.0, 12.0

# standing pose: (half-width from the midline, y) per body part, person's left = image right
STAND = {
    "shoulder": (70, 190), "elbow": (85, 280), "wrist": (90, 360), "pinky": (92, 378),
    "index": (90, 382), "thumb": (86, 372), "hip": (48, 390), "knee": (52, 520),
    "ankle": (55, 640), "heel": (52, 652), "foot_index": (66, 672),
    "eye_inner": (6, 95), "eye": (12, 95), "eye_outer": (18, 95), "ear": (26, 102),
}


def demo_squat(seed: int = 7) -> PoseSequence:
    rng = np.random.default_rng(seed)
    t = np.arange(0, SECONDS, 1 / FPS)
    n = t.size
    # depth 0..1: three reps (2 s down, 0.5 s pause, 1.5 s up), standing in between
    depth = np.zeros(n)
    for start in (1.0, 5.0, 9.0):
        ph = t - start
        down = (ph >= 0) & (ph < 2.0)
        depth[down] = 0.5 - 0.5 * np.cos(np.pi * ph[down] / 2.0)
        depth[(ph >= 2.0) & (ph < 2.5)] = 1.0
        up = (ph >= 2.5) & (ph < 4.0)
        depth[up] = 0.5 + 0.5 * np.cos(np.pi * (ph[up] - 2.5) / 1.5)
    cx = W / 2
    xy = np.zeros((n, N_LANDMARKS, 2))
    drop = 150 * depth  # hips drop 150 px at the bottom; knees spread a little
    for name, i in LANDMARK_INDEX.items():
        if name == "nose":
            xy[:, i] = np.stack([np.full(n, cx), 100 + drop], axis=1)
            continue
        if name.startswith("mouth_"):
            sgn = 1 if name.endswith("left") else -1
            xy[:, i] = np.stack([cx + sgn * 10 + 0 * t, 118 + drop], axis=1)
            continue
        side, part = name.split("_", 1)
        sgn = 1 if side == "left" else -1
        dx, y = STAND[part]
        if part in ("ankle", "heel", "foot_index"):
            ys, xs = np.full(n, y, float), np.full(n, cx + sgn * dx)
        elif part == "knee":
            ys, xs = y + 0.35 * drop, cx + sgn * (dx + 14 * depth)
        else:
            ys, xs = y + drop, np.full(n, cx + sgn * dx)
        xy[:, i] = np.stack([xs, ys], axis=1)
    xy += rng.normal(0, 1.5, xy.shape)
    vis = np.clip(rng.normal(0.97, 0.01, (n, N_LANDMARKS)), 0, 1)
    occl = (t > 6.0) & (t < 6.3)
    vis[occl, LANDMARK_INDEX["right_knee"]] = 0.2
    world = np.concatenate([(xy - (cx, 390)) / 700.0, np.zeros((n, N_LANDMARKS, 1))], axis=2)
    return PoseSequence(
        frame=np.arange(n, dtype=np.int64), time_s=t, xy=xy, z=np.zeros((n, N_LANDMARKS)),
        visibility=vis, presence=np.full((n, N_LANDMARKS), 0.99), world=world,
        image_size=(W, H), num_people=np.where(np.arange(n) % 60 == 0, 1, -1),
        source="synthetic demo squat",
    )


def rotation_samples() -> dict[str, PoseSequence]:
    from hipvision.synthetic import Move, default_camera, rotation_clip

    seated, _ = rotation_clip(
        "seated",
        [Move("left", 36), Move("left", -44), Move("right", 24), Move("right", -47)],
        camera=default_camera("seated", roll_deg=3.0, yaw_deg=5.0, pitch_deg=-4.0),
        noise_px=2.0, low_visibility_fraction=0.03, drop_fraction=0.02, seed=21,
    )
    prone, _ = rotation_clip(
        "prone",
        [Move("both", 40, hold_s=2.5), Move("both", -38, hold_s=2.5)],
        camera=default_camera("prone", roll_deg=-2.0, yaw_deg=-4.0, pitch_deg=3.0),
        noise_px=2.0, low_visibility_fraction=0.03, drop_fraction=0.02, seed=22,
    )
    return {"seated_rotation": seated, "prone_rotation": prone}


if __name__ == "__main__":
    outs = [write_pose_csv(demo_squat(), HERE / "demo_squat_front.pose.csv")]
    for name, seq in rotation_samples().items():
        outs.append(write_pose_csv(seq, HERE / f"{name}.pose.csv"))
    for out in outs:
        print(f"wrote {out}")

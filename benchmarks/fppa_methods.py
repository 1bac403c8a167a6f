"""Candidate FPPA definitions against a camera turned from the body (issue 15), offline.

    python benchmarks/fppa_methods.py [--synthetic N] [--azimuths 0,5,10,20] [--renders [NAME ...]]
                                      [--methods PREFIX,...] [--per-rep]

Each method replaces only the per-frame FPPA of the screening analyser
(``ScreeningAnalyzer._fppa_frames``); reps, the bottom window and the read point stay the
analyser's, so the numbers are what the report would say (the view check and the turn gate
are off: every rep is scored). Inputs: synthetic squats (``hipvision.synthetic``, camera
stood round the person by an azimuth, 1-3 cm world-landmark noise) and the rendered squat
clips of ``benchmarks/render`` (their ``pose.csv``, made if missing, and ``truth.json`` in
the render cache). Truth: FPPA as a camera square in front at knee height, at the same
distance, sees it. Prints method x condition: MAE / worst over reps and sides.

Methods: ``a`` the 2-D image angle; ``b`` the knee angle in the body's frontal plane from
the world landmarks alone (body vertical from the standing start, lateral axis from the hip
line, or 4 lines); ``cw`` image x/y with the world landmarks' depth, turned into the body
frame (turn from the world hip line or 4 lines) and seen by a square pinhole; ``cf`` the
legs rebuilt from the image alone (foreshortening, ``geometry.square_view_fppa``) with no
turn, the world hip line's turn, or the turn of the knees' forward travel; ``oracle`` rows
get the rig's true body frame (what a perfect turn estimate would give).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "render"))

from dataclasses import replace  # noqa: E402

from hipvision.analyzers import screening as scr  # noqa: E402
from hipvision.config import DEFAULT_SETTINGS  # noqa: E402
from hipvision.api import analyze  # noqa: E402
from hipvision.geometry import fppa, unit  # noqa: E402
from hipvision.landmarks import LANDMARK_INDEX  # noqa: E402
from hipvision.synthetic import Rep, frontal_camera, screening_clip  # noqa: E402

SIDES = ("left", "right")
JOINTS = ("hip", "knee", "ankle", "shoulder")
ORIG = scr.ScreeningAnalyzer._fppa_frames

#: the true body frame (lateral = person's left, up) in MediaPipe camera axes, per clip (oracle)
ORACLE: dict[str, np.ndarray] = {}


def _frontal(pts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """FPPA per side from 2-D points in a frontal frame (x = person's left, y down)."""
    out = {}
    for s, lat in (("left", np.array([1.0, 0.0])), ("right", np.array([-1.0, 0.0]))):
        out[s] = fppa(pts[f"{s}_hip"], pts[f"{s}_knee"], pts[f"{s}_ankle"], lat)
    return out


def _world(clean, name):
    return clean.world[:, LANDMARK_INDEX[name]]


def _mid(a, b):
    return (a + b) / 2


def body_frame(pts: dict[str, np.ndarray], standing: np.ndarray, lines: tuple[str, ...] = ("hip",)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lateral, up, forward) unit vectors from the standing frames of 3-D points."""
    up = np.nanmedian((_mid(pts["left_hip"], pts["right_hip"]) - _mid(pts["left_ankle"], pts["right_ankle"]))[standing], axis=0)
    up = unit(up)
    ls = []
    for ln in lines:
        v = np.nanmedian((pts[f"left_{ln}"] - pts[f"right_{ln}"])[standing], axis=0)
        v = v - (v @ up) * up
        ls.append(unit(v))
    lat = unit(np.mean(ls, axis=0))
    fwd = np.cross(lat, up)
    return lat, up, fwd


def project_frontal(pts: dict[str, np.ndarray], lat, up, fwd, standing, distance: float | None) -> dict[str, np.ndarray]:
    """2-D points (x = lateral, y = down) as a camera square in front sees them:
    orthographic (distance None) or a pinhole ``distance`` in front of the standing knees,
    at their height, centred between the standing ankles."""
    if distance is None:
        return {k: np.stack([p @ lat, -(p @ up)], axis=-1) for k, p in pts.items()}
    knee = np.nanmedian(_mid(pts["left_knee"], pts["right_knee"])[standing], axis=0)
    ank = np.nanmedian(_mid(pts["left_ankle"], pts["right_ankle"])[standing], axis=0)
    c = knee + ((ank - knee) @ lat) * lat + distance * fwd
    out = {}
    for k, p in pts.items():
        d = p - c
        depth = -(d @ fwd)
        out[k] = np.stack([(d @ lat) / depth, -(d @ up) / depth], axis=-1)
    return out


def focal_px(size: tuple[int, int], mm35: float = 26.0) -> float:
    return mm35 / 43.27 * float(np.hypot(*size))


def hybrid_points(clean, P, standing, persp: bool = True) -> tuple[dict[str, np.ndarray], float]:
    """Camera-frame 3-D points: image x/y (px) with the world landmarks' depth (relative to
    the hip midpoint), back-projected through a pinhole of an assumed focal length.
    Returns the points (world-landmark metres) and the camera's distance to the hips."""
    names = [f"{s}_{j}" for s in SIDES for j in JOINTS]
    W = {n: _world(clean, n) for n in names}
    # px per world metre at the hips: standing leg + trunk lengths, image against world
    segs = [("hip", "knee"), ("knee", "ankle"), ("hip", "shoulder")]
    pl = sum(np.hypot(*(P[f"{s}_{a}"] - P[f"{s}_{b}"]).T) for s in SIDES for a, b in segs)
    wl = sum(np.linalg.norm(W[f"{s}_{a}"] - W[f"{s}_{b}"], axis=1) for s in SIDES for a, b in segs)
    scale = float(np.nanmedian((pl / wl)[standing]))
    w, h = clean.image_size
    f = focal_px(clean.image_size)
    z0 = f / scale
    hip_px = _mid(P["left_hip"], P["right_hip"])
    # the world landmarks' origin (the hips) moves back and down in a rep: anchor the depth
    # on the planted feet instead
    foot = _mid(W["left_ankle"], W["right_ankle"])[:, 2]
    zf = z0 + float(np.nanmedian(foot[standing]))
    out = {}
    for n in names:
        zr = W[n][:, 2]
        if persp:
            Z = zf + zr - foot
            x = (P[n][:, 0] - w / 2) * Z / f
            y = (P[n][:, 1] - h / 2) * Z / f
        else:
            Z = zr
            x = (P[n][:, 0] - hip_px[:, 0]) / scale
            y = (P[n][:, 1] - hip_px[:, 1]) / scale
        out[n] = np.stack([x, y, Z], axis=-1)
    return out, z0


# ----------------------------------------------------------------------------- methods
def m_2d(self, clean, P, standing, up, ss):
    return ORIG(self, clean, P, standing, up, replace(ss, fppa_square_view=False))[0]


def m_analyzer(self, clean, P, standing, up, ss):
    return ORIG(self, clean, P, standing, up, ss)[0]


def m_world(lines=("hip",), per_frame=False, persp=False):
    def run(self, clean, P, standing, up, ss):
        names = [f"{s}_{j}" for s in SIDES for j in JOINTS]
        foot = _mid(_world(clean, "left_ankle"), _world(clean, "right_ankle"))
        W = {n: _world(clean, n) - foot for n in names}  # the feet stay put, the hips do not
        lat, upv, fwd = body_frame(W, standing, lines)
        if per_frame:
            hl = W["left_hip"] - W["right_hip"]
            hl = hl - (hl @ upv)[:, None] * upv
            lat = unit(hl)
            fwd = np.cross(lat, upv)
            pts = {k: np.stack([np.sum(p * lat, axis=1), -(p @ upv)], axis=-1) for k, p in W.items()}
            return _frontal(pts)
        dist = None
        if persp:
            _, z0 = hybrid_points(clean, P, standing)
            dist = z0
        return _frontal(project_frontal(W, lat, upv, fwd, standing, dist))
    return run


def m_hybrid(lines=("hip",), persp=True, oracle=False, yaw_only=False):
    def run(self, clean, P, standing, up, ss):
        H, z0 = hybrid_points(clean, P, standing, persp)
        if oracle:
            lat, upv = ORACLE["lat"], ORACLE["up"]
            fwd = np.cross(lat, upv)
        else:
            lat, upv, fwd = body_frame(H, standing, lines)
            if yaw_only:  # keep the image's own vertical: only the turn about it is corrected
                upv = unit(np.array([up[0], up[1], 0.0]))
                v = np.nanmedian((H["left_hip"] - H["right_hip"])[standing], axis=0)
                v = v - (v @ upv) * upv
                lat = unit(v)
                fwd = np.cross(lat, upv)
        return _frontal(project_frontal(H, lat, upv, fwd, standing, z0 if persp else None))
    return run


def _ray_point(anchor: np.ndarray, px: np.ndarray, length: np.ndarray, near: bool) -> np.ndarray:
    """The point on the camera ray through ``px`` (3-D, camera at the origin) at ``length``
    from ``anchor``: the root nearer the camera (``near``) or the farther one. Where the
    ray passes further than ``length`` from the anchor, its closest point."""
    r = px / np.linalg.norm(px, axis=-1, keepdims=True)
    b = np.sum(r * anchor, axis=-1)
    disc = b * b - np.sum(anchor * anchor, axis=-1) + length * length
    t = b + (-1 if near else 1) * np.sqrt(np.clip(disc, 0, None))
    return r * t[..., None]


def chain_points(clean, P, standing, up):
    """3-D hip/knee/ankle per side (camera axes, x right, y down, z away; unit: one pixel at
    the feet's depth) from the image alone: the ankle stays at the feet's depth, the knee is
    on its ray at the standing shin length from it, nearer the camera (it travels forward),
    the hip on its ray at the standing thigh length from the knee, further away."""
    w, h = clean.image_size
    f = focal_px(clean.image_size)
    c = np.array([w / 2, h / 2])
    ray = lambda p: np.concatenate([p - c, np.full(p.shape[:-1] + (1,), f)], axis=-1)  # noqa: E731
    out = {}
    for s in SIDES:
        hip, knee, ank = P[f"{s}_hip"], P[f"{s}_knee"], P[f"{s}_ankle"]
        Lt = float(np.nanmedian(np.hypot(*(hip - knee)[standing].T)))
        Ls = float(np.nanmedian(np.hypot(*(knee - ank)[standing].T)))
        A = ray(ank)
        K = _ray_point(A, ray(knee), np.full(len(A), Ls), near=True)
        H = _ray_point(K, ray(hip), np.full(len(A), Lt), near=False)
        out[f"{s}_ankle"], out[f"{s}_knee"], out[f"{s}_hip"] = A, K, H
    return out


def m_chain(yaw: str = "zero"):
    def run(self, clean, P, standing, up, ss):
        pts = chain_points(clean, P, standing, up)
        upv = np.array([up[0], up[1], 0.0])
        across = np.array([-up[1], up[0], 0.0])
        hl = np.nanmedian((P["left_hip"] - P["right_hip"])[standing], axis=0)
        if across[:2] @ hl < 0:
            across = -across
        if yaw == "oracle":
            lat, upv = ORACLE["lat"], ORACLE["up"]
        else:
            if yaw == "knees":
                # the knees travel forward in a squat: their mean travel over the planted
                # feet, in the ground plane, points where the body faces
                k = sum(pts[f"{s}_knee"] - pts[f"{s}_ankle"] for s in SIDES)
                a, z = k[:, :3] @ across, k[:, 2]
                shin = sum(float(np.nanmedian(np.linalg.norm((pts[f"{s}_knee"] - pts[f"{s}_ankle"])[standing], axis=1))) for s in SIDES)
                ok = -z > 0.4 * shin
                frame_psi = np.where(ok, np.arctan2(a, -z), np.nan)
                psi = float(np.nanmedian(frame_psi)) if np.isfinite(frame_psi).any() else 0.0
            elif yaw == "world":
                v = np.nanmedian((_world(clean, "left_hip") - _world(clean, "right_hip"))[standing], axis=0)
                psi = np.arctan2(v[2], abs(v[0]))
            else:
                psi = 0.0
            lat = np.cos(psi) * across + np.sin(psi) * np.array([0.0, 0.0, 1.0])
        fwd = np.cross(lat, upv)
        dist = float(np.nanmedian(_mid(pts["left_knee"], pts["right_knee"])[standing][:, 2]))
        return _frontal(project_frontal(pts, lat, upv, fwd, standing, dist))
    return run


METHODS: dict[str, Callable] = {
    "a  2-D image (main)": m_2d,
    "b  world frontal plane, hip line": m_world(),
    "b  world frontal plane, 4 lines": m_world(("hip", "knee", "ankle", "shoulder")),
    "b  world, hip line per frame": m_world(per_frame=True),
    "cw turn-corrected, world depth + hip-line turn": m_hybrid(),
    "cw turn-corrected, world depth + 4-line turn": m_hybrid(("hip", "knee", "ankle", "shoulder")),
    "cf square view, no turn (chosen)": m_analyzer,
    "cf square view + world hip-line turn": m_chain("world"),
    "cf square view + knee-travel turn": m_chain("knees"),
    "oracle: cw with the true body frame": m_hybrid(oracle=True),
    "oracle: cf with the true body frame": m_chain("oracle"),
}


def run_method(name: str, seq, test: str = "squat") -> list[dict]:
    fn = METHODS[name]
    scr.ScreeningAnalyzer._fppa_frames = lambda *a: (fn(*a), name, None)
    # the definition alone: every rep judged (no view check, no turn gate)
    ss = replace(DEFAULT_SETTINGS.screening, frontal_max_yaw_deg=89.0, side_min_yaw_deg=89.5, fppa_max_turn_deg=90.0)
    try:
        return [r for r in analyze(seq, test, settings=replace(DEFAULT_SETTINGS, screening=ss))["reps"] if r.get("complete", True)]
    finally:
        scr.ScreeningAnalyzer._fppa_frames = ORIG


# --------------------------------------------------------------------------- inputs
def synthetic_cases(n: int, azimuths: tuple[float, ...]):
    rng = np.random.default_rng(0)
    for az in azimuths:
        for k in range(n):
            reps = [Rep(depth=float(rng.uniform(0.5, 1.0)), valgus_left_m=float(rng.uniform(-0.03, 0.08)),
                        valgus_right_m=float(rng.uniform(-0.03, 0.08)), hip_shift_m=float(rng.choice([0.0, rng.uniform(-0.05, 0.05)])))
                    for _ in range(3)]
            cam = frontal_camera(azimuth_deg=az, roll_deg=float(rng.uniform(-3, 3)), height=float(rng.uniform(0.5, 0.95)))
            seq, truth = screening_clip("squat", reps, camera=cam, noise_px=float(rng.uniform(1, 4)),
                                        world_noise_m=float(rng.uniform(0.01, 0.03)), seed=int(rng.integers(1 << 30)))
            r, u, f = cam.basis()
            # person's left = world +X; up = world +Y; MediaPipe axes: x right, y down, z away
            to_mp = lambda v: np.array([v @ r, -(v @ u), v @ f])  # noqa: E731
            oracle = {"lat": to_mp(np.array([1.0, 0, 0])), "up": to_mp(np.array([0, 1.0, 0]))}
            true = [{s: fr[s] for s in SIDES} for fr in truth.fppa]
            times = [b for _, b, _ in truth.rep_times]
            yield f"synthetic az {az:+.0f}", seq, true, times, oracle


def render_cases(names: list[str] | None):
    from render import clip_dir  # noqa: PLC0415
    from run_benchmark import pose_csv  # noqa: PLC0415
    from specs import CLIPS  # noqa: PLC0415

    from hipvision.posecsv import read_pose_csv

    for spec in CLIPS:
        if spec.test != "squat" or (names and spec.name not in names):
            continue
        d = clip_dir(spec)
        if not (d / "truth.json").exists():
            continue
        csv = pose_csv(d)
        if csv is None:
            continue
        truth = json.loads((d / "truth.json").read_text())
        raw = json.loads((d / "raw.json").read_text())
        M = np.array(raw["camera"]["matrix_world"])[:3, :3]  # columns: camera x, y (up), z (back)
        to_mp = lambda v: np.array([v @ M[:, 0], -(v @ M[:, 1]), -(v @ M[:, 2])])  # noqa: E731
        oracle = {"lat": to_mp(np.array([1.0, 0, 0])), "up": to_mp(np.array([0, 0, 1.0]))}
        true = [{s: tr[s]["fppa_deg"] for s in SIDES} for tr in truth["reps"]]
        times = [tr["bottom_s"] for tr in truth["reps"]]
        cam = spec.camera
        cond = f"yaw {cam.get('yaw', 0):+g} roll {cam.get('roll', 0):+g} h {cam['height']:g}"
        yield f"{spec.name} ({cond})", read_pose_csv(csv), true, times, oracle


def score(reps: list[dict], true: list[dict], times: list[float]) -> list[float]:
    errs = []
    for tr, tb in zip(true, times):
        m = min(reps, key=lambda r: abs(r["bottom_s"] - tb), default=None)
        if m is not None and abs(m["bottom_s"] - tb) > 1.0:
            m = None
        for s in SIDES:
            if s not in tr:
                continue
            v = (m or {}).get(s) or {}
            v = v.get("fppa_deg")
            errs.append(np.nan if v is None else v - tr[s])
    return errs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--synthetic", type=int, default=0, help="synthetic clips per azimuth")
    ap.add_argument("--azimuths", default="0,5,10,15,20,-10,-20")
    ap.add_argument("--renders", nargs="*", default=None, help="rendered squat clips (default: all cached)")
    ap.add_argument("--methods", default=None, help="comma-separated prefixes of method names")
    ap.add_argument("--per-rep", action="store_true")
    args = ap.parse_args()
    methods = [m for m in METHODS if not args.methods or any(m.startswith(p) for p in args.methods.split(","))]
    cases = []
    if args.synthetic:
        cases += list(synthetic_cases(args.synthetic, tuple(float(a) for a in args.azimuths.split(","))))
    if args.renders is not None:
        cases += list(render_cases(args.renders or None))
    table: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for cond, seq, true, times, oracle in cases:
        ORACLE.clear()
        ORACLE.update(oracle)
        key = cond.rsplit(" #", 1)[0]
        for m in methods:
            e = score(run_method(m, seq), true, times)
            table[m][key] += e
            if args.per_rep:
                print(f"{cond:<50} {m:<42} " + " ".join("  -  " if not np.isfinite(x) else f"{x:+5.1f}" for x in e))
    conds = list(dict.fromkeys(c for m in table for c in table[m]))
    print(f"{'method':<42} " + " ".join(f"{c[:22]:>22}" for c in conds))
    for m in methods:
        cells = []
        for c in conds:
            e = np.array(table[m][c])
            ok = np.isfinite(e)
            cells.append(f"{np.abs(e[ok]).mean():5.1f}/{np.abs(e[ok]).max():5.1f}" + (f" ({(~ok).sum()}-)" if (~ok).any() else "     ") if ok.any() else "-")
        print(f"{m:<42} " + " ".join(f"{x:>22}" for x in cells))
    print("cells: MAE / worst (deg) over reps x sides; (n-) = reps not measured")


if __name__ == "__main__":
    main()


def rig_sequence(d: Path):
    """A perfect pose model for a render: the rig's joints projected (pixels) and in camera
    axes (metres from the hip midpoint) as the world landmarks."""
    from hipvision.landmarks import N_LANDMARKS
    from hipvision.sequence import PoseSequence

    raw = json.loads((d / "raw.json").read_text())
    n = len(raw["frames"])
    M = np.array(raw["camera"]["matrix_world"])[:3, :3]
    xy = np.full((n, N_LANDMARKS, 2), np.nan)
    world = np.full((n, N_LANDMARKS, 3), np.nan)
    for i, fr in enumerate(raw["frames"]):
        hm = (np.array(fr["world"]["left_hip"]) + np.array(fr["world"]["right_hip"])) / 2
        for name, p in fr["world"].items():
            if name not in LANDMARK_INDEX:
                continue
            j = LANDMARK_INDEX[name]
            xy[i, j] = fr["image"][name][:2]
            v = np.array(p) - hm
            world[i, j] = [v @ M[:, 0], -(v @ M[:, 1]), -(v @ M[:, 2])]
    t = np.arange(n) / 10.0
    return PoseSequence(frame=np.arange(n), time_s=t, xy=xy, z=np.zeros((n, N_LANDMARKS)),
                        visibility=np.where(np.isfinite(xy[..., 0]), 0.99, 0.0), presence=np.full((n, N_LANDMARKS), 0.99),
                        world=world, image_size=(raw["width"], raw["height"]), num_people=np.full(n, -1), source="rig")

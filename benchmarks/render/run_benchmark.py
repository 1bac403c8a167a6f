"""End-to-end accuracy of hipvision on rendered avatar videos with known joint angles.

    python benchmarks/render/run_benchmark.py [NAME ...] [--json OUT.json]

Renders the clip set of ``specs.py`` if it is not cached (``render.py``), then for each clip
runs the real command line, ``hipvision analyze CLIP --test T --json`` (prone clips: the
default ``auto`` on the clip and on a copy with the stickers painted out, and
``--track markers`` / ``assisted``), and prints per clip and side the measured against the true
values: peak IR/ER (rotation tests); FPPA per rep, valgus and hip-shift flags, rep counts
(screening); then MAE and worst case per test.

Where the numbers fall short, the stage table splits the error: the pose model's 2-D
landmarks (``hipvision extract`` pose CSV) against the rig's joints projected with the
actual camera. ``model`` = the angle computed from the pose model's landmarks minus the
same angle from the projected true joints (pose-model error); ``analysis`` = the reported
value minus the angle from the pose model's landmarks (geometry / signal processing);
``camera`` = the projected true angle minus the true angle (what the camera's view does).
The model is ``HIPVISION_MODEL`` (default ../shared/models/pose_landmarker_full.task).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from render import render  # noqa: E402
from specs import CLIPS, ClipSpec, by_name  # noqa: E402
from truth import SIDES  # noqa: E402

from hipvision.geometry import fppa, lateral_angle  # noqa: E402
from hipvision.posecsv import read_pose_csv  # noqa: E402

DEFAULT_MODEL = Path(__file__).resolve().parents[3] / "shared" / "models" / "pose_landmarker_full.task"
NO_MARKERS = "marker mode not available in this build"


#: the command that runs hipvision (``--hipvision``): this interpreter's package by default
HIPVISION_CMD = [sys.executable, "-m", "hipvision"]


def hipvision(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.setdefault("HIPVISION_MODEL", str(DEFAULT_MODEL))
    # run outside any checkout: `python -m hipvision` would import ./hipvision from the cwd
    return subprocess.run([*HIPVISION_CMD, *args], capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())


def analyze(clip: Path, test: str, *extra: str) -> tuple[dict | None, str]:
    p = hipvision("analyze", str(clip), "--test", test, "--json", "-q", *extra)
    if p.returncode != 0:
        err = (p.stderr.strip().splitlines() or ["?"])[-1]
        if "--track" in extra and ("unrecognized arguments" in err or "--track" in err):
            return None, NO_MARKERS
        return None, err
    return json.loads(p.stdout), ""


def pose_csv(clip_dir: Path) -> Path | None:
    out = clip_dir / "pose.csv"
    if not out.exists():
        p = hipvision("extract", str(clip_dir / "clip.mp4"), "-o", str(out), "-q")
        if p.returncode != 0:
            return None
    return out


def bare_clip(clip_dir: Path) -> Path:
    """The clip with its green stickers painted over in the surrounding skin colour (cached
    beside it): assisted mode is meant for legs without stickers."""
    import cv2

    from hipvision.sources import open_source
    from hipvision.videowriter import H264Writer

    out = clip_dir / "clip_bare.mp4"
    if out.exists():
        return out
    src = open_source(clip_dir / "clip.mp4")
    with H264Writer(out, src.width, src.height, src.fps, crf=18) as w:
        for fr in src:
            hsv = cv2.cvtColor(fr.image, cv2.COLOR_RGB2HSV)
            green = ((hsv[..., 0] > 35) & (hsv[..., 0] < 90) & (hsv[..., 1] > 60)).astype(np.uint8)
            green = cv2.dilate(green, np.ones((5, 5), np.uint8))
            w.write(cv2.inpaint(fr.image, green, 5, cv2.INPAINT_TELEA), fr.time_s)
    return out


def model_points(csv: Path, n: int) -> dict[str, np.ndarray]:
    """The pose model's pixel landmarks per rendered frame (NaN where not found)."""
    seq = read_pose_csv(csv)
    out = {}
    for side in SIDES:
        for j in ("hip", "knee", "ankle"):
            arr = np.full((n, 2), np.nan)
            pts = seq.point(f"{side}_{j}")
            ok = seq.frame < n
            arr[seq.frame[ok]] = pts[ok]
            out[f"{side}_{j}"] = arr
    return out


def swapped(model: dict[str, np.ndarray], truth: dict, joints: tuple[str, ...] = ("knee", "ankle")) -> np.ndarray:
    """Per frame: the pose model's left/right legs (knee + ankle together) sit nearer the
    opposite true legs (NaN where a landmark is missing)."""
    same = np.zeros(len(model["left_knee"]))
    cross = np.zeros_like(same)
    for j in joints:
        tl, tr = (np.asarray(truth["joints_image"][f"{s}_{j}"])[:, :2] for s in SIDES)
        ml, mr = model[f"left_{j}"], model[f"right_{j}"]
        same = same + np.hypot(*(ml - tl).T) + np.hypot(*(mr - tr).T)
        cross = cross + np.hypot(*(ml - tr).T) + np.hypot(*(mr - tl).T)
    return np.where(np.isfinite(same) & np.isfinite(cross), cross < same, np.nan)


def nanmean_or_none(x: np.ndarray) -> float | None:
    x = np.asarray(x, dtype=float)
    return float(np.nanmean(x)) if np.isfinite(x).any() else None


def nanmedian_or_none(x: np.ndarray) -> float | None:
    x = np.asarray(x, dtype=float)
    return float(np.nanmedian(x)) if np.isfinite(x).any() else None


def px_error(model: dict[str, np.ndarray], truth: dict, name: str) -> np.ndarray:
    return np.hypot(*(model[name] - np.asarray(truth["joints_image"][name])[:, :2]).T)


def fmt(x: float | None, w: int = 6, nd: int = 1) -> str:
    return f"{'-':>{w}}" if x is None else f"{x:{w}.{nd}f}"


def diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


# ------------------------------------------------------------------- rotation tests
def rotation_rows(spec: ClipSpec, truth: dict, rep: dict | None, model: dict[str, np.ndarray] | None, mode: str) -> list[dict]:
    rows = []
    for s in SIDES:
        ts = truth["sides"][s]
        cmd = np.asarray(ts["commanded_deg"])
        ms = rep["sides"][s] if rep else {}
        if model is not None:
            lat = model[f"{s}_hip"] - model[f"{'right' if s == 'left' else 'left'}_hip"]
            # neutral: the median direction of the first still second
            lead = cmd == 0
            lead[int(spec.lead_s * spec.fps):] = False
            k, a = model[f"{s}_knee"], model[f"{s}_ankle"]
            seg = (a - k)[lead]
            ok = np.isfinite(seg).all(axis=1)
            ref = np.median(seg[ok], axis=0) if ok.any() else np.array([np.nan, np.nan])
            mang = lateral_angle(k, a, ref[None, :], lat)
        for key, sgn in (("ir", 1), ("er", -1)):
            true = ts[f"true_{key}_deg"]
            if true is None:
                continue
            held = sgn * cmd >= 0.99 * true
            m2d = found = swap = knee_px = ankle_px = None
            if model is not None:
                vals = sgn * mang[held]
                found = float(np.mean(np.isfinite(vals)))
                m2d = float(np.nanmedian(vals)) if np.isfinite(vals).any() else None
                swap = nanmean_or_none(swapped(model, truth)[held])
                knee_px = nanmedian_or_none(px_error(model, truth, f"{s}_knee")[held])
                ankle_px = nanmedian_or_none(px_error(model, truth, f"{s}_ankle")[held])
            measured = ms.get(f"peak_{key}_deg") if ms else None
            rows.append({
                "clip": spec.name, "test": spec.test, "mode": mode, "side": s, "dir": key, "true": true,
                "measured": measured, "error": diff(measured, true), "band": ms.get(f"peak_{key}_band_deg") if ms else None,
                "camera_2d": ts[f"camera_2d_{key}_deg"], "stickers_2d": ts.get(f"stickers_2d_{key}_deg"),
                "model_2d": m2d, "found": found, "swapped": swap, "knee_px": knee_px, "ankle_px": ankle_px,
            })
    return rows


def print_rotation(rows: list[dict]) -> None:
    print(f"  {'mode':<8} {'side':<5} {'dir':<3} {'true':>6} {'meas':>6} {'err':>6} | {'cam2d':>6} {'model2d':>7} {'found':>5} | "
          f"{'camera':>6} {'model':>6} {'analysis':>8} | {'swap':>5} {'knee px':>7} {'ankle px':>8}")
    for r in rows:
        cam, m2d = r["camera_2d"], r["model_2d"]
        print(f"  {r['mode']:<8} {r['side']:<5} {r['dir']:<3} {fmt(r['true'])} {fmt(r['measured'])} {fmt(r['error'])} | "
              f"{fmt(cam)} {fmt(m2d, 7)} {fmt(None if r['found'] is None else 100 * r['found'], 4, 0)}% | "
              f"{fmt(diff(cam, r['true']))} {fmt(diff(m2d, cam))} {fmt(diff(r['measured'], m2d), 8)} | "
              f"{fmt(None if r['swapped'] is None else 100 * r['swapped'], 4, 0)}% {fmt(r['knee_px'], 7, 0)} {fmt(r['ankle_px'], 8, 0)}")


def print_tracking(mode: str, rep: dict) -> None:
    """Which tracker produced a rotation report, how often the pose model's legs failed the
    gate's frame checks (``failed_share``), and the warning codes."""
    tr = rep.get("tracking")
    if tr is None:
        return
    gate = tr.get("checks", {}).get("failed_share")
    for a in tr.get("attempts", []):
        gate = gate or a.get("failed_share")
    share = ", ".join(f"{s} {100 * v:.0f} %" for s, v in (gate or {}).items()) or "-"
    print(f"  {mode}: tracking {tr['mode']} (requested {tr['requested']}); pose model's legs failed the gate in {share}; "
          f"warnings: {', '.join(w['code'] for w in rep['warnings']) or '-'}")


# ------------------------------------------------------------------------ screening
def screening_rows(spec: ClipSpec, truth: dict, rep: dict | None, model: dict[str, np.ndarray] | None) -> tuple[list[dict], dict]:
    true_reps = truth["reps"]
    got = [r for r in rep["reps"] if r.get("complete", True)] if rep else []  # cut-off reps do not count
    prog = np.asarray(truth["series"]["progress"])
    rows = []
    for tr in true_reps:
        # the measured rep whose bottom is nearest the true bottom
        m = min(got, key=lambda r: abs(r["bottom_s"] - tr["bottom_s"]), default=None)
        if m is not None and abs(m["bottom_s"] - tr["bottom_s"]) > 1.0:
            m = None
        t = np.asarray(truth["time_s"])
        bottom = (t >= tr["start_s"]) & (t <= tr["end_s"]) & (prog >= 0.9)
        sides = [truth["working_side"]] if truth["working_side"] else list(SIDES)
        for s in sides:
            mf = swap = None
            if model is not None:
                swap = nanmean_or_none(swapped(model, truth)[bottom])
                o = "right" if s == "left" else "left"
                lat = model[f"{s}_hip"] - model[f"{o}_hip"]
                f = fppa(model[f"{s}_hip"], model[f"{s}_knee"], model[f"{s}_ankle"], lat)[bottom]
                mf = float(np.nanmedian(f)) if np.isfinite(f).any() else None
            ms = (m or {}).get(s) or {}
            rows.append({
                "clip": spec.name, "test": spec.test, "rep": tr["index"], "side": s,
                "true": tr[s]["fppa_deg"], "camera_2d": tr[s]["fppa_camera_deg"], "model_2d": mf, "swapped": swap,
                "measured": ms.get("fppa_deg"), "note": ms.get("fppa_note"), "error": diff(ms.get("fppa_deg"), tr[s]["fppa_deg"]),
                "band": ms.get("fppa_band_deg"), "peak": ms.get("fppa_peak_deg"), "peak_band": ms.get("fppa_peak_band_deg"),
                "valgus_expected": tr[s]["valgus_expected"], "valgus": ms.get("valgus"), "valgus_borderline": ms.get("valgus_borderline"),
                "view": (m or {}).get("view"),
                "shift_true": tr["hip_shift_pct"], "shift_cm": tr["hip_shift_cm"], "shift": (m or {}).get("hip_shift_pct"),
                "shift_expected": tr["hip_shift_expected"], "shift_flag": (m or {}).get("hip_shift"),
                "shift_band": (m or {}).get("hip_shift_band_pct"), "shift_borderline": (m or {}).get("hip_shift_borderline"),
            })
    counts = {"true_reps": len(true_reps), "measured_reps": len(got)}
    return rows, counts


def print_screening(rows: list[dict], counts: dict) -> None:
    print(f"  reps: true {counts['true_reps']}, measured {counts['measured_reps']}")
    print(f"  {'rep':>3} {'side':<5} {'view':<8} {'FPPA true':>9} {'meas':>6} {'err':>6} | {'cam2d':>6} {'model2d':>7} | "
          f"{'camera':>6} {'model':>6} {'analysis':>8} | {'valgus exp/got':>14} | {'shift true':>10} {'meas':>6} {'flag exp/got':>12} | {'swap':>4}")

    def yn(x: Any) -> str:
        return "-" if x is None else ("yes" if x else "no")

    for r in rows:
        print(f"  {r['rep']:>3} {r['side']:<5} {str(r['view']):<8} {fmt(r['true'], 9)} {fmt(r['measured'])} {fmt(r['error'])} | "
              f"{fmt(r['camera_2d'])} {fmt(r['model_2d'], 7)} | {fmt(diff(r['camera_2d'], r['true']))} "
              f"{fmt(diff(r['model_2d'], r['camera_2d']))} {fmt(diff(r['measured'], r['model_2d']), 8)} | "
              f"{yn(r['valgus_expected']):>6}/{yn(r['valgus']):<7} | {fmt(r['shift_true'], 9)}% {fmt(r['shift'])} "
              f"{yn(r['shift_expected']):>6}/{yn(r['shift_flag']):<5} | {fmt(None if r['swapped'] is None else 100 * r['swapped'], 3, 0)}%")


# -------------------------------------------------------------------------- summary
def withheld_why(note: str) -> str:
    """The reason of a withheld FPPA, short: the note up to its first bracket or comma."""
    text = note.removeprefix("withheld: ")
    return text.split(" (")[0].split(",")[0][:60]


def stats(errs: list[float]) -> str:
    e = np.abs([x for x in errs if x is not None])
    if e.size == 0:
        return "no values"
    return f"MAE {e.mean():.1f} deg, worst {e.max():.1f} deg (n={e.size})"


#: the order of ``truth.json``'s ``stickers_image``
STICKER_POINTS = ("left_knee", "left_ankle", "right_knee", "right_ankle")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="clip names (default: all)")
    ap.add_argument("--json", metavar="OUT.json", help="also write all rows as JSON")
    ap.add_argument("--hipvision", metavar="CMD", help="command running another hipvision build, e.g. "
                    "'/work/venv/bin/python -m hipvision' (default: this interpreter's)")
    args = ap.parse_args()
    if args.hipvision:
        HIPVISION_CMD[:] = shlex.split(args.hipvision)
    specs = [by_name(n) for n in args.names] if args.names else list(CLIPS)
    t0 = time.perf_counter()
    rot_rows: list[dict] = []
    scr_rows: list[dict] = []
    rep_counts: list[tuple[str, int, int]] = []
    render_s = 0.0
    for spec in specs:
        d = render(spec)
        truth = json.loads((d / "truth.json").read_text())
        render_s += truth.get("render_s", 0.0)
        n = truth["frames"]
        csv = pose_csv(d)
        model = model_points(csv, n) if csv else None
        print(f"\n{spec.name}  ({spec.test}, {spec.avatar}, look {spec.look}, camera {spec.camera}, {n} frames at {spec.fps:g} fps; {spec.note})")
        if spec.kind in ("seated", "prone"):
            if truth.get("stickers_hidden_frames") is not None:
                print(f"  stickers (L knee, L ankle, R knee, R ankle) hidden by the other leg in "
                      f"{truth['stickers_hidden_frames']} of {n} frames")
            modes = [("model", ())]
            if spec.test == "prone":
                # the default (auto) with and without the stickers in the picture
                modes = [("auto", ()), ("auto-bare", ())]
                # assisted: the points a user would click on the first frame (the stickers)
                first = truth["stickers_image"]
                marks = [f"--mark={p}={first[i][0][0]:.1f},{first[i][0][1]:.1f}" for i, p in enumerate(STICKER_POINTS)]
                modes += [("markers", ("--track", "markers")), ("assisted", ("--track", "assisted", *marks)),
                          ("assisted-bare", ("--track", "assisted", *marks))]  # stickers painted out
            for mode, extra in modes:
                clip = bare_clip(d) if mode.endswith("-bare") else d / "clip.mp4"
                rep, err = analyze(clip, spec.test, *extra)
                if rep is None:
                    print(f"  {mode}: {err}")
                else:
                    print_tracking(mode, rep)
                # the pose model's stage split only where its legs gave the numbers
                used_model = mode == "model" or (mode == "auto" and ((rep or {}).get("tracking") or {}).get("mode") == "model")
                rows = rotation_rows(spec, truth, rep, model if used_model else None, mode)
                for r in rows:
                    if rep is None:
                        r["note"] = err
                    else:
                        r["tracking"] = (rep.get("tracking") or {}).get("mode")
                        r["warnings"] = [w["code"] for w in rep["warnings"]]
                rot_rows += rows
                if err != NO_MARKERS:
                    print_rotation(rows)
        else:
            rep, err = analyze(d / "clip.mp4", spec.test)
            if rep is None:
                print(f"  analyze failed: {err}")
            rows, counts = screening_rows(spec, truth, rep, model)
            scr_rows += rows
            rep_counts.append((spec.name, counts["true_reps"], counts["measured_reps"]))
            print_screening(rows, counts)

    print("\n=== summary (|measured - true|) ===")
    for test in ("seated", "prone"):
        for mode in ("model", "auto", "auto-bare", "markers", "assisted", "assisted-bare"):
            sel = [r for r in rot_rows if r["test"] == test and r["mode"] == mode]
            if not sel:
                continue
            if all(r.get("note") == NO_MARKERS for r in sel):
                print(f"{test:<17} {mode:<8} peak IR/ER: {NO_MARKERS}")
                continue
            print(f"{test:<17} {mode:<8} peak IR/ER: {stats([r['error'] for r in sel])}; measured {sum(r['measured'] is not None for r in sel)}/{len(sel)}")
            if mode.startswith("auto"):
                used = {c: sorted({r.get("tracking") or "refused" for r in sel if r["clip"] == c}) for c in dict.fromkeys(r["clip"] for r in sel)}
                print(f"{'':<17} {'':<8}   tracking used: " + "; ".join(f"{c} {'/'.join(m)}" for c, m in used.items()))
            if mode in ("model", "auto"):
                clean = [r for r in sel if r["swapped"] is not None and r["swapped"] < 0.1]
                print(f"{'':<17} {'':<8}   without left/right swaps (< 10 % of the held frames): "
                      f"{stats([r['error'] for r in clean])}; pose model {stats([diff(r['model_2d'], r['camera_2d']) for r in clean])}; "
                      f"analysis {stats([diff(r['measured'], r['model_2d']) for r in clean])}")
                print(f"{'':<17} {'':<8}   camera view {stats([diff(r['camera_2d'], r['true']) for r in sel])}; "
                      f"pose model {stats([diff(r['model_2d'], r['camera_2d']) for r in sel])}; "
                      f"analysis {stats([diff(r['measured'], r['model_2d']) for r in sel])}")
    for test in ("squat", "single-leg-squat", "hinge"):
        sel = [r for r in scr_rows if r["test"] == test]
        if not sel:
            continue
        front = [r for r in sel if r["view"] == "frontal"]
        print(f"{test:<17} FPPA: {stats([r['error'] for r in front])} on frontal reps; "
              f"camera view {stats([diff(r['camera_2d'], r['true']) for r in sel])}; "
              f"pose model {stats([diff(r['model_2d'], r['camera_2d']) for r in sel])}; "
              f"analysis {stats([diff(r['measured'], r['model_2d']) for r in sel])}")
        for clip in dict.fromkeys(r["clip"] for r in sel):
            cs = [r for r in sel if r["clip"] == clip]
            held = sum(r["measured"] is None for r in cs)
            print(f"{'':<17}   {clip:<22} FPPA {stats([r['error'] for r in cs if r['view'] == 'frontal'])}; "
                  f"not given {held}/{len(cs)}; camera view {stats([diff(r['camera_2d'], r['true']) for r in cs])}")
            why = Counter(withheld_why(r["note"]) for r in cs if r["measured"] is None and r["note"])
            if why:
                print(f"{'':<17}   {'':<22} withheld: " + "; ".join(f"{k} ({v})" for k, v in why.items()))
        vc = [r for r in sel if r["valgus_expected"] is not None]
        vg = [r for r in vc if r["valgus"] is not None]  # a withheld flag is neither right nor wrong
        sc = {(r["clip"], r["rep"]): r for r in sel if r["shift_expected"] is not None}.values()
        print(f"{'':<17} valgus flags right on clear cases: {sum(r['valgus'] == r['valgus_expected'] for r in vg)}/{len(vg)} "
              f"given ({len(vc) - len(vg)} withheld); "
              f"hip-shift flags: {sum(bool(r['shift_flag']) == r['shift_expected'] for r in sc)}/{len(list(sc))}")
    for name, tr, me in rep_counts:
        print(f"reps {name:<24} true {tr}  measured {me}")
    print(f"\nrender time of the set (cached renders count their original time): {render_s:.0f} s; this run {time.perf_counter() - t0:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({"rotation": rot_rows, "screening": scr_rows, "rep_counts": rep_counts}, indent=1))


if __name__ == "__main__":
    main()

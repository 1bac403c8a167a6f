"""Ground truth for one rendered clip, from the rig's 3-D joints (``raw.json``) and the
commanded time course (``specs.build_frames``).

Per frame, rotation tests: the commanded hip rotation per side; the shin's 3-D angle to the
vertical in the frontal plane (XZ; a check of the posing: it must equal the command); the
same shin as the actual camera sees it (projected knee -> ankle, relative to its neutral
direction in the first frame: what an ideal 2-D pose model would give the analyser); and
the same from the sticker centres. All + = lateral = IR, the person's left/right.

Per frame, screening: FPPA per side (+ = valgus) as an ideal frontal camera at knee height
would see the rig's hip/knee/ankle joints, and as the actual camera sees them; the true
hip shift (pelvis midpoint minus ankle midpoint, or minus the stance ankle relative to
standing in single-leg tests, across the body, + = the person's left) in cm and in % of
the distance between the hip joints. Per rep: the medians over the bottom frames
(>= 90 % of the rep's depth), and which flags a correct analyser must raise on clear
cases.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hipvision.geometry import fppa, lateral_angle

SIDES = ("left", "right")
SIGN = {"left": 1.0, "right": -1.0}
#: clear cases for the flag check (unspecified-sex FPPA threshold 10 deg, shift 15 %)
VALGUS_CLEAR_YES, VALGUS_CLEAR_NO = 14.0, 6.0
SHIFT_CLEAR_YES, SHIFT_CLEAR_NO = 25.0, 7.0


def _world(raw: dict, name: str) -> np.ndarray:
    return np.array([f["world"][name] for f in raw["frames"]], dtype=float)


def _image(raw: dict, name: str) -> np.ndarray:
    return np.array([f["image"][name][:2] for f in raw["frames"]], dtype=float)


def _r(x: float | None, nd: int = 2) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def shin_angle_3d(knee: np.ndarray, ankle: np.ndarray, side: str, up: bool) -> np.ndarray:
    """Shin angle to the vertical in the frontal (XZ) plane, + = lateral (deg)."""
    v = ankle - knee
    vert = v[:, 2] if up else -v[:, 2]
    return np.degrees(np.arctan2(SIGN[side] * v[:, 0], vert))


def image_shin_angle(knee: np.ndarray, ankle: np.ndarray, lat: np.ndarray, neutral: int = 0) -> np.ndarray:
    """2-D shin angle relative to its direction in frame ``neutral``, + = towards ``lat``."""
    ref = ankle[neutral] - knee[neutral]
    return lateral_angle(knee, ankle, ref[None, :], lat)


def frontal_projection(P: dict[str, np.ndarray], distance: float) -> dict[str, np.ndarray]:
    """Pinhole image (px, y down, f = 1000) of an ideal camera square in front of the
    person (looking along +Y) at knee height, ``distance`` in front of the knees, centred
    between the feet of the first frame."""
    knees = (P["left_knee"][0] + P["right_knee"][0]) / 2
    cx = (P["left_ankle"][0, 0] + P["right_ankle"][0, 0]) / 2
    cam = np.array([cx, knees[1] - distance, knees[2]])
    out = {}
    for k, p in P.items():
        d = p - cam
        out[k] = np.stack([1000 * d[:, 0] / d[:, 1], -1000 * d[:, 2] / d[:, 1]], axis=1)
    return out


def compute_truth(spec: Any, raw: dict, course: dict) -> dict[str, Any]:
    names = [f"{s}_{j}" for s in SIDES for j in ("hip", "knee", "ankle", "shoulder")]
    W = {n: _world(raw, n) for n in names}
    I = {n: _image(raw, n) for n in names}
    lat_img = {"left": I["left_hip"] - I["right_hip"], "right": I["right_hip"] - I["left_hip"]}
    t = np.asarray(course["time_s"])
    out: dict[str, Any] = {"clip": spec.name, "test": spec.test, "avatar": spec.avatar, "fps": spec.fps,
                           "camera": spec.camera, "note": spec.note, "time_s": t.round(3).tolist()}
    if spec.kind in ("seated", "prone"):
        up = spec.kind == "prone"
        cmd = {s: np.array([r[s] for r in course["rotation_deg"]]) for s in SIDES}
        per_side = {}
        for s in SIDES:
            a3 = shin_angle_3d(W[f"{s}_knee"], W[f"{s}_ankle"], s, up)
            a3 = a3 - a3[0]
            cam = image_shin_angle(I[f"{s}_knee"], I[f"{s}_ankle"], lat_img[s])
            entry = {"commanded_deg": cmd[s].round(2).tolist(), "shin_3d_deg": a3.round(2).tolist(),
                     "camera_2d_deg": cam.round(2).tolist(),
                     "posing_error_max_deg": _r(np.nanmax(np.abs(a3 - cmd[s])), 3)}
            # held values per direction (frames within 1 % of the peak command)
            for key, sgn in (("ir", 1), ("er", -1)):
                peak = course["peaks"][s][key]
                if peak is None:
                    entry[f"true_{key}_deg"] = entry[f"camera_2d_{key}_deg"] = entry[f"stickers_2d_{key}_deg"] = None
                    continue
                held = sgn * cmd[s] >= 0.99 * peak
                entry[f"true_{key}_deg"] = peak
                entry[f"camera_2d_{key}_deg"] = _r(sgn * np.nanmedian(cam[held]))
                entry[f"_held_{key}"] = held
            per_side[s] = entry
        if raw["frames"][0].get("stickers_image"):
            st = [[f["stickers_image"][k] for f in raw["frames"]] for k in range(4)]
            pts = [np.array([p[:2] if p is not None else [np.nan, np.nan] for p in col]) for col in st]
            for i, s in enumerate(SIDES):  # stickers: left proximal, left distal, right ...
                prox, dist = pts[2 * i], pts[2 * i + 1]
                ang = image_shin_angle(prox, dist, lat_img[s])
                per_side[s]["stickers_2d_deg"] = ang.round(2).tolist()
                for key, sgn in (("ir", 1), ("er", -1)):
                    held = per_side[s].get(f"_held_{key}")
                    per_side[s][f"stickers_2d_{key}_deg"] = None if held is None else _r(sgn * np.nanmedian(ang[held]))
            out["stickers_hidden_frames"] = [sum(bool(f.get("stickers_hidden", [False] * 4)[k]) for f in raw["frames"]) for k in range(4)]
            out["stickers_image"] = [[None if p is None else [round(p[0], 1), round(p[1], 1)] for p in col] for col in st]
        for s in SIDES:
            for key in ("ir", "er"):
                per_side[s].pop(f"_held_{key}", None)
        out["sides"] = per_side
        out["peak_frame"] = int(np.argmax(np.abs(cmd["left"]) + np.abs(cmd["right"])))
        out["joints_image"] = {k: v.round(1).tolist() for k, v in I.items() if "shoulder" not in k}
        return out

    # screening
    ideal = frontal_projection(W, float(spec.camera["distance"]))
    lat_ideal = {"left": ideal["left_hip"] - ideal["right_hip"], "right": ideal["right_hip"] - ideal["left_hip"]}
    f_ideal = {s: fppa(ideal[f"{s}_hip"], ideal[f"{s}_knee"], ideal[f"{s}_ankle"], lat_ideal[s]) for s in SIDES}
    f_cam = {s: fppa(I[f"{s}_hip"], I[f"{s}_knee"], I[f"{s}_ankle"], lat_img[s]) for s in SIDES}
    pelvis = (W["left_hip"] + W["right_hip"]) / 2
    hip_w = np.linalg.norm(W["left_hip"] - W["right_hip"], axis=1)
    if spec.lift:
        stance = "left" if spec.lift == "right" else "right"
        base = W[f"{stance}_ankle"]
        shift_m = pelvis[:, 0] - base[:, 0]
        shift_m = shift_m - shift_m[0]
    else:
        base = (W["left_ankle"] + W["right_ankle"]) / 2
        shift_m = pelvis[:, 0] - base[:, 0]
    shift_pct = 100 * shift_m / hip_w
    prog = np.asarray(course["progress"])
    rep_of = course["rep"]
    reps = []
    for k, rt in enumerate(course["reps"]):
        bottom = np.array([r == k for r in rep_of]) & (prog >= 0.9)
        rep: dict[str, Any] = {"index": k + 1, **{key: round(v, 2) for key, v in rt.items()}}
        for s in SIDES:
            fi = float(np.nanmedian(f_ideal[s][bottom]))
            rep[s] = {
                "fppa_deg": _r(fi),
                "fppa_camera_deg": _r(float(np.nanmedian(f_cam[s][bottom]))),
                "valgus_expected": True if fi > VALGUS_CLEAR_YES else False if fi < VALGUS_CLEAR_NO else None,
            }
        hs = float(np.nanmedian(shift_pct[bottom]))
        rep["hip_shift_pct"] = _r(hs, 1)
        rep["hip_shift_cm"] = _r(100 * float(np.nanmedian(shift_m[bottom])), 1)
        rep["hip_shift_expected"] = True if abs(hs) > SHIFT_CLEAR_YES else False if abs(hs) < SHIFT_CLEAR_NO else None
        reps.append(rep)
    out["reps"] = reps
    out["working_side"] = ("left" if spec.lift == "right" else "right") if spec.lift else None
    out["series"] = {
        "progress": prog.round(3).tolist(),
        **{f"{s}_fppa_deg": f_ideal[s].round(2).tolist() for s in SIDES},
        **{f"{s}_fppa_camera_deg": f_cam[s].round(2).tolist() for s in SIDES},
        "hip_shift_pct": shift_pct.round(2).tolist(),
    }
    out["joints_image"] = {k: v.round(1).tolist() for k, v in I.items()}
    mid = course["reps"][min(1, len(course["reps"]) - 1)]["bottom_s"] if course["reps"] else 0.0
    out["peak_frame"] = int(np.argmin(np.abs(t - mid)))
    return out

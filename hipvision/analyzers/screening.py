"""Movement screening: knee valgus (FPPA) and lateral hip shift per repetition in squats,
single-leg squats, hinges (RDL) and single-leg hinges.

Conventions:

* Left and right are the **person's**. FPPA (frontal-plane projection angle) is 180 deg
  minus the hip-knee-ankle angle as the camera sees it, **positive = valgus** (knee medial
  of the hip-ankle line), negative = varus; measured as the median over the frames at the
  bottom of the rep (depth >= ``bottom_fraction`` of the rep's peak), not one frame.
* Hip shift: the sideways displacement of the pelvis midpoint from the midpoint of the
  ankles (the stance ankle in single-leg tests, relative to standing), measured across the
  **true vertical** found at the standing start (pelvis over feet), not the image edge, in
  % of the distance between the hip landmarks; + = towards the person's left.
* Depth: how far the pelvis (squats) or the shoulders (hinges) went down, as a share of
  their standing height above the ankles.
* Valgus and hip shift need a frontal (or rear) view; a rep seen from the side gets depth,
  knee flexion and trunk lean instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..cleaning import clean_sequence, true_runs
from ..config import ScreeningSettings, Settings
from ..errors import AnalysisError
from ..geometry import fppa, signed_angle, unit
from ..landmarks import LANDMARK_INDEX
from ..reps import RepSpan, segment_reps
from ..results import QualityWarning, clean_number, provenance
from ..sequence import PoseSequence
from . import register

SIDES = ("left", "right")
TESTS = ("squat", "single-leg-squat", "hinge", "single-leg-hinge")


def _mid(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a + b) / 2


def _perp_offset(p: np.ndarray, base: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Signed distance of ``p`` from the line through ``base`` along ``up`` (+ = clockwise
    side of ``up`` on screen)."""
    d = p - base
    return up[0] * d[..., 1] - up[1] * d[..., 0]


@dataclass
class ScreeningRun:
    report: dict[str, Any]
    time_s: np.ndarray
    frame: np.ndarray
    depth: np.ndarray
    fppa: dict[str, np.ndarray]
    hip_shift_pct: np.ndarray
    clean: PoseSequence
    reps: list[dict[str, Any]]
    spans: list[RepSpan]
    threshold_deg: float

    def series_rows(self) -> list[tuple]:
        return [
            (
                float(t),
                clean_number(self.depth[i] * 100, 1),
                clean_number(self.fppa["left"][i], 2),
                clean_number(self.fppa["right"][i], 2),
                clean_number(self.hip_shift_pct[i], 1),
            )
            for i, t in enumerate(self.time_s)
        ]

    def draw(self, image: np.ndarray, frame: int) -> np.ndarray:
        from ..overlays import draw_screening

        return draw_screening(image, self, frame)


class ScreeningAnalyzer:
    """Per-rep knee valgus and lateral hip shift for one screening test."""

    series_columns = ("time_s", "depth_pct", "left_fppa_deg", "right_fppa_deg", "hip_shift_pct")

    def __init__(self, test: str) -> None:
        if test not in TESTS:
            raise ValueError(test)
        self.name = test
        self.single = test.startswith("single")
        self.hinge = "hinge" in test
        self.description = {
            "squat": "squat: knee valgus (FPPA) and lateral hip shift per rep, camera in front",
            "single-leg-squat": "single-leg squat: valgus of the working knee and hip shift per rep",
            "hinge": "hinge / RDL: hip shift and knee valgus per rep, camera in front",
            "single-leg-hinge": "single-leg hinge: hip shift and valgus of the stance knee per rep",
        }[test]

    # ----------------------------------------------------------------- main
    def run(self, seq: PoseSequence, settings: Settings) -> ScreeningRun:
        ss = settings.screening
        warnings: list[QualityWarning] = []
        self._check_landmarks(seq)
        clean = clean_sequence(seq, settings.cleaning)
        t = clean.time_s
        P = {f"{s}_{p}": clean.point(f"{s}_{p}") for s in SIDES for p in ("hip", "knee", "ankle", "shoulder")}
        hip_mid = _mid(P["left_hip"], P["right_hip"])
        sh_mid = _mid(P["left_shoulder"], P["right_shoulder"])

        working = self._working_side(P) if self.single else None
        base = P[f"{working}_ankle"] if working else _mid(P["left_ankle"], P["right_ankle"])
        up, standing = self._vertical(hip_mid, sh_mid, base)
        self._check_standing(P, hip_mid, base, up, standing)
        # depth: pelvis drop over the feet (squats) or trunk inclination (hinges, 1 = 90 deg)
        if self.hinge:
            # the shoulders' drop over the pelvis, 1 - cos(trunk lean): the same from the
            # front and from the side (from the front the lean itself is foreshortened)
            trunk = (sh_mid - hip_mid) @ up
            depth = 1.0 - trunk / np.nanmedian(trunk[standing])
        else:
            height = (hip_mid - base) @ up
            depth = 1.0 - height / np.nanmedian(height[standing])

        # geometry per frame
        lat_left = P["left_hip"] - P["right_hip"]
        f = {
            s: fppa(P[f"{s}_hip"], P[f"{s}_knee"], P[f"{s}_ankle"], lat_left if s == "left" else -lat_left)
            for s in SIDES
        }
        hip_w = np.hypot(*lat_left.T)
        lat_unit = unit(lat_left)
        # + towards the person's left: project the pelvis offset on the left-pointing axis,
        # after removing its component along the true vertical
        off = hip_mid - base
        off = off - np.outer(off @ up, up)
        shift = 100 * np.sum(off * lat_unit, axis=1) / hip_w
        if self.single:  # the pelvis sits medial of the stance foot when standing
            shift = shift - np.nanmedian(shift[standing])
        leg_len = np.nanmedian(np.hypot(*(hip_mid - base)[standing].T))

        spans = segment_reps(
            t, depth, min_depth=ss.min_rep_depth, min_separation_s=ss.min_rep_separation_s,
            return_fraction=ss.rep_return_fraction,
        )
        yaw = self._body_yaw(clean)
        # how much the thigh still points down the image, as a share of its standing length:
        # deep in a squat it points at the camera or sideways and FPPA loses its meaning
        thigh_down = {s: (P[f"{s}_knee"] - P[f"{s}_hip"]) @ -up for s in SIDES}
        thigh_ratio = {s: thigh_down[s] / np.nanmedian(thigh_down[s][standing]) for s in SIDES}
        reps = [
            self._rep(i, sp, t, depth, f, shift, P, yaw, thigh_ratio, leg_len, up, working, ss)
            for i, sp in enumerate(spans)
        ]
        self._quality(seq, clean, reps, spans, t, warnings, ss)
        report = {
            **provenance(),
            "test": self.name,
            "source": seq.source,
            "frames": int(len(clean)),
            "duration_s": clean_number(float(t[-1] - t[0]) if len(t) else 0.0, 2),
            "sign_convention": "left/right are the person's; FPPA + = valgus (knee medial), - = varus; hip shift + = towards the person's left",
            "working_side": working,
            "thresholds": {
                "fppa_valgus_deg": ss.fppa_threshold(),
                "sex": ss.sex,
                "hip_shift_pct": ss.hip_shift_threshold_pct,
                "hip_shift_note": "no validated cut-off exists for lateral hip shift; the flag is descriptive",
                "sources": "Herrington & Munro 2010 (landing FPPA norms 7-13 deg women, 3-8 deg men); "
                "Herrington 2014 (single-leg squat FPPA 8.4 +- 5.1 healthy vs 16.8 +- 5.4 deg patellofemoral pain); "
                "Munro 2012 (within-person change > ~8 deg is real)",
            },
            "reps": reps,
            "summary": self._summary(reps, spans, ss),
            "vertical_reference": {
                "method": "standing start (pelvis over the feet)" if standing.any() else "image vertical",
                "camera_roll_deg": clean_number(float(signed_angle(np.array([0.0, -1.0]), up)), 1),
            },
            "warnings": [w.to_dict() for w in warnings],
        }
        if not reps:
            report["no_reps_reason"] = self._no_reps_reason(depth, clean, P, ss)
        return ScreeningRun(report, t, clean.frame, depth, f, shift, clean, reps, spans, ss.fppa_threshold())

    # ----------------------------------------------------------------- parts
    def _check_landmarks(self, seq: PoseSequence) -> None:
        if len(seq) == 0:
            raise AnalysisError("the pose sequence is empty: no person was found in any frame")
        need = [f"{s}_{p}" for s in SIDES for p in ("shoulder", "hip", "knee", "ankle")]
        missing = [n for n in need if np.isfinite(seq.point(n)).all(axis=1).mean() < 0.2]
        if missing:
            raise AnalysisError(
                f"cannot screen a {self.name}: missing or almost never seen landmarks {', '.join(missing)} "
                "(film the whole body, feet included)"
            )

    def _working_side(self, P: dict[str, np.ndarray]) -> str:
        """The stance leg: its ankle stays lowest in the image (largest y)."""
        ly = np.nanmedian(P["left_ankle"][:, 1])
        ry = np.nanmedian(P["right_ankle"][:, 1])
        return "left" if ly >= ry else "right"

    def _vertical(self, hip_mid: np.ndarray, sh_mid: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """True 'up' in the image and the standing frames. Standing = the tallest quarter of
        the clip (shoulders furthest above the feet); then the pelvis is over the feet
        (two-legged tests) or the trunk is upright (single-leg tests)."""
        tallness = np.hypot(*(sh_mid - base).T)
        ok = np.isfinite(tallness)
        if not ok.any():
            raise AnalysisError("the shoulders, pelvis and feet are never seen together")
        standing = ok & (tallness >= np.nanpercentile(tallness, 75))
        v = np.nanmedian(((sh_mid - hip_mid) if self.single else (hip_mid - base))[standing], axis=0)
        up = unit(v) if np.isfinite(v).all() else np.array([0.0, -1.0])
        return up, standing

    def _check_standing(self, P, hip_mid, base, up, standing) -> None:
        """Refuse clips where the person never stands: a seated rotation test, for one."""
        knee_mid = _mid(P["left_knee"], P["right_knee"])
        shin = np.nanmedian(np.hypot(*(knee_mid - base)[standing].T))
        thigh_rise = np.nanmedian(((hip_mid - knee_mid) @ up)[standing])
        if not (np.isfinite(shin) and np.isfinite(thigh_rise)) or thigh_rise < 0.5 * shin:
            raise AnalysisError(
                f"no {self.name} found: the person never stands up (the hips stay within "
                f"{thigh_rise / shin if shin else 0:.1f} shin lengths of the knees); they seem to be "
                "seated or lying: is this a hip-rotation test?"
            )

    def _body_yaw(self, clean: PoseSequence) -> np.ndarray:
        """(N,) how far the body is turned from the camera (0 = facing it or its back to it,
        90 = side on), from the world landmarks' hip and shoulder lines; NaN without them."""
        yaws = []
        for a, b in (("left_hip", "right_hip"), ("left_shoulder", "right_shoulder")):
            v = clean.world[:, LANDMARK_INDEX[a]] - clean.world[:, LANDMARK_INDEX[b]]
            yaws.append(np.degrees(np.arctan2(np.abs(v[:, 2]), np.abs(v[:, 0]))))
        return np.nanmean(np.stack(yaws), axis=0)

    def _view(self, P, yaw: np.ndarray, k0: int, k1: int, ss: ScreeningSettings) -> tuple[str, float | None, float | None]:
        """(view, body yaw, width ratio) over frames k0..k1."""
        sl = slice(k0, k1 + 1)
        y = float(np.nanmedian(yaw[sl])) if np.isfinite(yaw[sl]).any() else None
        sw = np.hypot(*(P["left_shoulder"] - P["right_shoulder"])[sl].T)
        torso = np.hypot(*(_mid(P["left_shoulder"], P["right_shoulder"]) - _mid(P["left_hip"], P["right_hip"]))[sl].T)
        r = float(np.nanmedian(sw / torso)) if np.isfinite(sw / torso).any() else None
        if y is not None:
            view = "frontal" if y <= ss.frontal_max_yaw_deg else "side" if y >= ss.side_min_yaw_deg else "oblique"
        elif r is not None:
            view = "frontal" if r >= ss.frontal_min_width_ratio else "side" if r <= ss.side_max_width_ratio else "oblique"
        else:
            view = "unknown"
        return view, y, r

    def _rep(self, i, sp: RepSpan, t, depth, f, shift, P, yaw, thigh_ratio, leg_len, up, working, ss: ScreeningSettings):
        thr = ss.fppa_threshold()
        peak = depth[sp.bottom]
        in_rep = np.zeros(len(t), bool)
        in_rep[sp.start : sp.end + 1] = True
        bottom = in_rep & (depth >= ss.bottom_fraction * peak)
        if bottom.sum() < 3:  # very short bottoms: the frames around the deepest one
            bottom[max(sp.bottom - 2, 0) : sp.bottom + 3] = True
        view, body_yaw, width_ratio = self._view(P, yaw, sp.start, sp.end, ss)
        rep: dict[str, Any] = {
            "index": i + 1,
            "start_s": clean_number(t[sp.start], 2),
            "bottom_s": clean_number(t[sp.bottom], 2),
            "end_s": clean_number(t[sp.end], 2),
            "depth_pct": clean_number(100 * peak, 1),
            "view": view,
            "body_yaw_deg": clean_number(body_yaw, 1),
        }
        frontal = view in ("frontal", "unknown")
        sides = (working,) if working else SIDES
        for s in SIDES:
            if s not in sides or not frontal:
                rep[s] = None
                continue
            # FPPA at the bottom; where the thigh is too foreshortened there (deep squats),
            # at the deepest frames of the rep where it is still measurable
            usable = in_rep & (thigh_ratio[s] >= ss.min_thigh_ratio) & np.isfinite(f[s])
            sel = bottom & usable
            at_bottom = sel.sum() >= 3
            if not at_bottom and usable.any():
                deepest = np.nanmax(np.where(usable, depth, np.nan))
                sel = usable & (depth >= ss.bottom_fraction * deepest)
            if not sel.any():
                rep[s] = {"fppa_deg": None, "valgus": None, "medial_knee_displacement": None,
                          "fppa_note": "the thigh is never clearly visible in this rep"}
                continue
            val = float(np.nanmedian(f[s][sel]))
            hip, knee, ankle = P[f"{s}_hip"][sel], P[f"{s}_knee"][sel], P[f"{s}_ankle"][sel]
            axis = unit(ankle - hip)
            lat = (P["left_hip"] - P["right_hip"])[sel] * (1 if s == "left" else -1)
            rel = knee - hip
            perp = rel - axis * np.sum(rel * axis, axis=1, keepdims=True)
            medial = -np.sum(perp * unit(lat), axis=1) / leg_len
            rep[s] = {
                "fppa_deg": clean_number(val, 1),
                "valgus": bool(val > thr),
                "medial_knee_displacement": clean_number(float(np.nanmedian(medial)), 3),
            }
            if not at_bottom:
                rep[s]["fppa_at_depth_pct"] = clean_number(100 * float(np.nanmedian(depth[sel])), 1)
                rep[s]["fppa_note"] = "thigh foreshortened at the bottom: FPPA taken at the deepest point where it is measurable"
        if frontal and np.isfinite(shift[bottom]).any():
            hs = float(np.nanmedian(shift[bottom]))
            rep["hip_shift_pct"] = clean_number(hs, 1)
            rep["hip_shift_toward"] = "left" if hs > 0 else "right"
            rep["hip_shift"] = bool(abs(hs) > ss.hip_shift_threshold_pct)
            if not working and rep["left"] and rep["right"] and rep["left"]["fppa_deg"] is not None and rep["right"]["fppa_deg"] is not None:
                rep["fppa_left_minus_right_deg"] = clean_number(rep["left"]["fppa_deg"] - rep["right"]["fppa_deg"], 1)
        else:
            rep["hip_shift_pct"] = rep["hip_shift_toward"] = rep["hip_shift"] = None
        if view in ("side", "oblique"):
            rep.update(self._side_view_measures(P, bottom, up))
        if view == "oblique":
            rep["view_note"] = (
                f"the body is turned {body_yaw:.0f} deg from the camera: valgus and hip shift are not judged"
                if body_yaw is not None
                else "oblique view: valgus and hip shift are not judged"
            )
        return rep

    def _side_view_measures(self, P, bottom, up) -> dict[str, Any]:
        """Knee flexion and trunk lean at the bottom, from the side nearer the camera."""
        best = None
        for s in SIDES:
            hip, knee, ankle = P[f"{s}_hip"][bottom], P[f"{s}_knee"][bottom], P[f"{s}_ankle"][bottom]
            ang = np.abs(signed_angle(ankle - knee, knee - hip))
            if np.isfinite(ang).any():
                v = float(np.nanmedian(ang))
                best = v if best is None else max(best, v)
        hip_mid = _mid(P["left_hip"], P["right_hip"])[bottom]
        sh_mid = _mid(P["left_shoulder"], P["right_shoulder"])[bottom]
        lean = np.abs(signed_angle(sh_mid - hip_mid, up))
        return {
            "knee_flexion_deg": clean_number(best, 1),
            "trunk_lean_deg": clean_number(float(np.nanmedian(lean)) if np.isfinite(lean).any() else None, 1),
        }

    def _summary(self, reps: list[dict[str, Any]], spans, ss: ScreeningSettings) -> dict[str, Any]:
        views = [r["view"] for r in reps]
        out: dict[str, Any] = {
            "reps": len(reps),
            "view": max(set(views), key=views.count) if views else None,
            "valgus_reps": {s: sum(bool(r[s] and r[s]["valgus"]) for r in reps) for s in SIDES},
            "hip_shift_reps": sum(bool(r.get("hip_shift")) for r in reps),
        }
        worst = None
        for r in reps:
            for s in SIDES:
                v = r[s]["fppa_deg"] if r[s] else None
                if v is not None and (worst is None or v > worst[0]):
                    worst = (v, r["index"], s)
        out["worst_rep"] = {"index": worst[1], "side": worst[2], "fppa_deg": worst[0]} if worst else None
        for s in SIDES:
            vals = [r[s]["fppa_deg"] for r in reps if r[s] and r[s]["fppa_deg"] is not None]
            out[f"{s}_fppa_mean_deg"] = clean_number(float(np.mean(vals)), 1) if vals else None
            out[f"{s}_fppa_sd_deg"] = clean_number(float(np.std(vals)), 1) if len(vals) > 1 else None
        shifts = [r["hip_shift_pct"] for r in reps if r.get("hip_shift_pct") is not None]
        out["hip_shift_mean_pct"] = clean_number(float(np.mean(shifts)), 1) if shifts else None
        lm, rm = out["left_fppa_mean_deg"], out["right_fppa_mean_deg"]
        if lm is not None and rm is not None:
            out["fppa_left_minus_right_deg"] = clean_number(lm - rm, 1)
            out["fppa_side_difference_real"] = bool(abs(lm - rm) > ss.fppa_real_change_deg)
        return out

    def _quality(self, seq, clean, reps, spans, t, warnings, ss: ScreeningSettings) -> None:
        views = {r["view"] for r in reps}
        if "side" in views:
            warnings.append(
                QualityWarning(
                    "side_view",
                    "seen from the side: knee valgus and hip shift cannot be judged from this view "
                    "(depth, knee flexion and trunk lean are reported instead); film from the front",
                    float(sum(r["view"] == "side" for r in reps)),
                )
            )
        if "oblique" in views:
            warnings.append(
                QualityWarning(
                    "oblique_view",
                    "some reps are filmed at an angle, so valgus and hip shift were not judged for them; face the camera squarely",
                    float(sum(r["view"] == "oblique" for r in reps)),
                )
            )
        # the person leaving the frame: long runs without the legs
        chain = {s: [LANDMARK_INDEX[f"{s}_{p}"] for p in ("hip", "knee", "ankle")] for s in SIDES}
        legs = np.zeros(len(t), bool)  # one whole leg in view is enough (side views hide the other)
        for idx in chain.values():
            legs |= np.isfinite(clean.xy[:, idx, 0]).all(axis=1)
        for a, b in true_runs(~legs):
            if b - 1 >= a and t[min(b, len(t) - 1)] - t[a] > ss.max_missing_s:
                warnings.append(
                    QualityWarning(
                        "left_frame",
                        f"the legs were out of view from {t[a]:.1f} s to {t[min(b, len(t) - 1)]:.1f} s; reps then are missing",
                        float(t[min(b, len(t) - 1)] - t[a]),
                    )
                )
        if (seq.num_people > 1).any():
            warnings.append(
                QualityWarning("multiple_people", "more than one person was in view; the measured person may have switched", float((seq.num_people > 1).sum()))
            )
        if len(reps) > 30:
            warnings.append(QualityWarning("many_reps", f"{len(reps)} reps found; screening is meant for sets of 1-30", float(len(reps))))

    def _no_reps_reason(self, depth, clean, P, ss: ScreeningSettings) -> str:
        rng = float(np.nanmax(depth) - np.nanmin(depth)) if np.isfinite(depth).any() else 0.0
        knee_mid = _mid(P["left_knee"], P["right_knee"])
        hip_mid = _mid(P["left_hip"], P["right_hip"])
        ankle_mid = _mid(P["left_ankle"], P["right_ankle"])
        thigh = np.nanmedian(np.hypot(*(knee_mid - hip_mid).T))
        shin = np.nanmedian(np.hypot(*(ankle_mid - knee_mid).T))
        if np.isfinite(thigh) and np.isfinite(shin) and shin > 0 and thigh < 0.5 * shin:
            return "the person seems to be seated (thighs pointing at the camera): is this a hip-rotation test?"
        what = "shoulders" if self.hinge else "pelvis"
        return f"no repetition found: the {what} moved down at most {100 * rng:.0f} % (a rep needs {100 * ss.min_rep_depth:.0f} %)"

    def summary_row(self, report: dict[str, Any]) -> dict[str, Any]:
        """The report's key numbers as flat columns for a batch summary (person's sides;
        FPPA + = valgus; worst = the highest FPPA of any rep; None = not measured)."""
        s = report["summary"]
        row: dict[str, Any] = {"reps": s["reps"], "view": s["view"], "working_side": report["working_side"]}
        for side in SIDES:
            row[f"{side}_valgus_reps"] = s["valgus_reps"][side]
        row["hip_shift_reps"] = s["hip_shift_reps"]
        for side in SIDES:
            vals = [r[side]["fppa_deg"] for r in report["reps"] if r.get(side) and r[side]["fppa_deg"] is not None]
            row[f"{side}_worst_fppa_deg"] = max(vals) if vals else None
            row[f"{side}_fppa_mean_deg"] = s[f"{side}_fppa_mean_deg"]
        row["hip_shift_mean_pct"] = s["hip_shift_mean_pct"]
        row["fppa_valgus_threshold_deg"] = report["thresholds"]["fppa_valgus_deg"]
        return row

    def summary_text(self, report: dict[str, Any]) -> str:
        lines = [f"{self.name} screening: {report['source']} ({report['duration_s']} s)"]
        if report.get("working_side"):
            lines[0] += f", working leg: {report['working_side']}"
        thr = report["thresholds"]
        if not report["reps"]:
            lines.append(f"  no reps: {report.get('no_reps_reason', '')}")
        else:
            lines.append(f"  rep  bottom   depth  view      FPPA left   FPPA right  hip shift   (valgus > {thr['fppa_valgus_deg']:g} deg, shift > {thr['hip_shift_pct']:g} %)")
        for r in report["reps"]:
            def knee(d):
                if d is None or d["fppa_deg"] is None:
                    return "     -     "
                return f"{d['fppa_deg']:6.1f}{' VALG' if d['valgus'] else '     '}"

            hs = "     -" if r["hip_shift_pct"] is None else f"{r['hip_shift_pct']:5.1f} % {r['hip_shift_toward'][0].upper()}{' SHIFT' if r['hip_shift'] else ''}"
            lines.append(f"  {r['index']:>3}  {r['bottom_s']:6.2f}  {r['depth_pct']:5.1f} %  {r['view']:<8}  {knee(r['left'])}  {knee(r['right'])}  {hs}")
        s = report["summary"]
        if s["worst_rep"]:
            w = s["worst_rep"]
            lines.append(f"  worst: rep {w['index']}, {w['side']} knee FPPA {w['fppa_deg']:.1f} deg")
        if report["reps"]:
            lines.append(
                f"  valgus reps: left {s['valgus_reps']['left']}, right {s['valgus_reps']['right']}; hip-shift reps: {s['hip_shift_reps']}; view: {s['view']}"
            )
        for w in report["warnings"]:
            lines.append(f"  warning [{w['code']}]: {w['message']}")
        return "\n".join(lines)


for _t in TESTS:
    register(ScreeningAnalyzer(_t))

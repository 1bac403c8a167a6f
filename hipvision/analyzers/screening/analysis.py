"""Movement screening: knee valgus (FPPA) and lateral hip shift per repetition in squats,
single-leg squats, hinges (RDL) and single-leg hinges.

Conventions:

* Left and right are the **person's**. FPPA (frontal-plane projection angle) is 180 deg
  minus the hip-knee-ankle angle as the camera sees it, **positive = valgus** (knee medial
  of the hip-ankle line), negative = varus (``fppa_method`` "image"; "square-view" with
  ``fppa_square_view``: the legs rebuilt and seen square on at knee height,
  :func:`geometry.square_view_fppa`). A body turned from the camera cannot be corrected
  for; where the turn would move a knee's FPPA by more than 3 deg it is withheld with the
  reason (``fppa_note``). Read at the rep's deepest point from a line fitted to FPPA
  against depth over the frames around the bottom (:func:`value_at_bottom`), not one frame.
* Hip shift: the sideways displacement of the pelvis midpoint from the midpoint of the
  ankles (the stance ankle in single-leg tests, relative to standing), measured across the
  **true vertical** found at the standing start (pelvis over feet), not the image edge, in
  % of the distance between the hip landmarks; + = towards the person's left. The part a
  body turned from the camera adds (the pelvis moving back) can be removed with the world
  landmarks (``hip_shift_turn_correction``, off by default). No validated cut-off exists:
  the flag is descriptive.
* Thresholds (config.ScreeningSettings): valgus above 13 deg women / 8 deg men / 10 deg
  unspecified (Herrington & Munro 2010 landing norms; Herrington 2014 single-leg squat
  8.4 +- 5.1 healthy vs 16.8 +- 5.4 deg patellofemoral pain); a difference beyond ~8 deg is
  real (Munro 2012).
* Depth: how far the pelvis went down, as a share of its standing height above the ankles
  (squats); 1 - cos of the trunk's lean from standing, from the world landmarks (hinges).
* Reps: :func:`hipvision.reps.segment_reps` on the depth signal. A rep the clip cuts off
  (it starts or ends mid-rep) is listed with ``complete: false`` and a reason, but left out
  of the rep count, the flag counts and every summary (``reps_incomplete`` counts them).
* Valgus and hip shift need a frontal (or rear) view; a rep seen from the side gets depth,
  knee flexion and trunk lean instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ...bands import annotate_screening, borderline_counts, screening_basis
from ...cleaning import clean_and_check, restore_missing_frames, true_runs
from ...config import ScreeningSettings, Settings
from ...errors import AnalysisError
from ...geometry import ACROSS_LINES, body_turn_deg, body_yaw_deg, fppa, signed_angle, square_view_fppa, unit
from ...landmarks import LANDMARK_INDEX, SIDES
from ...plausibility import doubtful_warning, refuse_if_unreliable, rests_on
from ...reps import RepSpan, segment_reps
from ...results import QualityWarning, clean_number, provenance, withhold_fppa
from ...sequence import PoseSequence
from ...stance_leg import free_leg_gap, standing_leg_length, withhold_hidden
from ...stance_turn import start_turn_deg, two_leg_start
from ...swapped_legs import bottom_through_gaps, crossed_frames, withhold_swapped
from ...wording import (
    FPPA_CAVEAT_LEGEND, FPPA_DEFINITION, fppa_caveat, fppa_peak, has_fppa_caveat,
    knee_band_note, shift_band_note, summary_tail, with_band,
)
from .. import register
from .schema import Knee, ScreeningReport, SideCounts

TESTS = ("squat", "single-leg-squat", "hinge", "single-leg-hinge")


def _mid(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a + b) / 2


def rolling_median(x: np.ndarray, half: int) -> np.ndarray:
    """Median over the samples within ``half`` of each one (NaN ignored), along axis 0."""
    out = np.full(x.shape, np.nan)
    for i in range(len(x)):
        w = x[max(0, i - half) : i + half + 1]
        ok = np.isfinite(w).all(axis=-1) if w.ndim > 1 else np.isfinite(w)
        if ok.any():
            out[i] = np.median(w[ok], axis=0)
    return out


def value_at_bottom(value: np.ndarray, depth: np.ndarray, peak: float) -> float | None:
    """``value`` at depth ``peak`` from the frames given (the bottom window of one rep): a
    straight line fitted to value against depth, outliers beyond 3 robust SDs dropped, read
    at ``peak`` and kept within the values seen. With too few frames or too little spread of
    depth (a pause at the bottom) the median. None when no value is finite."""
    ok = np.isfinite(value) & np.isfinite(depth)
    v, d = value[ok], depth[ok]
    if v.size == 0:
        return None
    med = float(np.median(v))
    if v.size < 6 or np.ptp(d) < 0.05 * abs(peak):
        return med
    keep = np.ones(v.size, bool)
    for _ in range(2):
        slope, icpt = np.polyfit(d[keep], v[keep], 1)
        res = v - (slope * d + icpt)
        mad = 1.4826 * float(np.median(np.abs(res[keep] - np.median(res[keep]))))
        new = np.abs(res) <= max(3 * mad, 1e-9)
        if new.sum() < 6 or (new == keep).all():
            break
        keep = new
    slope, icpt = np.polyfit(d[keep], v[keep], 1)
    # never beyond what was seen (a glitchy rep must not extrapolate wildly)
    return float(np.clip(slope * peak + icpt, v[keep].min(), v[keep].max()))


def unseen_bottom_note(seen_depth: float) -> str:
    """Why a knee's FPPA is withheld in a rep whose deepest frames are missing (the
    plausibility gate rejected them, or the legs left the picture), so that the rep's depth
    is unknown and the thigh was last seen at ``seen_depth`` (share of standing height).

    FPPA grows towards the bottom of a squat, valgus and varus alike, so a value read
    above an unknown bottom falls short by an unknown amount: on the rendered squat with
    the camera at knee height (benchmarks/render, squat-mannequin-knee) every frame deeper
    than 79 % of two reps' depth was rejected, and knees turned in to 19-23 deg
    (square view) read -4 to 0 deg at 11-14 % depth, 19-23 deg short, flagged clearly not
    valgus. The value at that depth is not the rep's, and no band can say by how much."""
    return (
        f"withheld: the deepest frames of this rep are missing (implausible skeletons left out, or the legs out "
        f"of view), so its depth is unknown; the thigh was last seen at {100 * seen_depth:.0f} % depth and FPPA "
        "grows towards the bottom by an unknown amount. Check the annotated video; film with the whole body in view"
    )


def fppa_measurable(hip: np.ndarray, knee: np.ndarray, up: np.ndarray, standing: np.ndarray, min_ratio: float) -> np.ndarray:
    """(N,) the frames where a knee's 2-D FPPA has a meaning: the thigh (hip -> knee) still
    points down the image by at least ``min_ratio`` of its downward extent when standing.
    Deeper in a squat it points at the camera or sideways and the hip-knee-ankle angle the
    camera sees reads anything up to +-160 deg. The per-rep FPPA and the per-frame series
    both use this rule (a frame without the landmarks is not measurable)."""
    down = (knee - hip) @ -up
    ref = np.nanmedian(down[standing]) if standing.any() else np.nan
    if not np.isfinite(ref) or ref <= 0:
        return np.zeros(len(down), bool)
    with np.errstate(invalid="ignore"):
        return down / ref >= min_ratio


def peak_valgus(t: np.ndarray, fppa: np.ndarray, frames: np.ndarray, ss: ScreeningSettings) -> tuple[float, int] | None:
    """(highest FPPA, its frame index) over ``frames`` (a mask: one rep's loaded, measurable
    frames), from a running median over ``ss.peak_median_s`` so that one glitchy frame is
    no peak; None with fewer than ``ss.peak_min_frames`` frames. + = valgus."""
    idx = np.flatnonzero(frames & np.isfinite(fppa))
    if idx.size < ss.peak_min_frames:
        return None
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    half = max(1, int(round(ss.peak_median_s / 2 / dt))) if dt > 0 else 1
    # only the rep's stretch (and half a window either side) is smoothed: the same windows
    # for the frames in ``idx``, and time linear in the clip's length over all its reps
    lo, hi = max(0, int(idx[0]) - half), int(idx[-1]) + half + 1
    sm = rolling_median(np.where(frames[lo:hi], fppa[lo:hi], np.nan), half)[idx - lo]
    k = int(np.nanargmax(sm))
    return float(sm[k]), int(idx[k])


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
    #: per side, the frames where FPPA has a meaning (:func:`fppa_measurable`)
    measurable: dict[str, np.ndarray]
    pose: PoseSequence | None = None  # set by api.run_analysis

    def series_rows(self) -> list[tuple]:
        """Per frame: time, depth, FPPA per knee (None where :func:`fppa_measurable` says the
        2-D angle has no meaning, as the rep values do) and hip shift. Over a rep whose FPPA
        (per knee) or hip shift the report withholds (turned body, hidden stance knee, swapped
        legs, side view...), the series is empty too: no chart shows a number the report
        refused to give."""
        shown = {s: np.where(self.measurable[s], self.fppa[s], np.nan) for s in SIDES}
        shift = self.hip_shift_pct.astype(float).copy()
        for sp, rep in zip(self.spans, self.reps):
            span = slice(sp.start, sp.end + 1)
            for s in SIDES:
                if (rep.get(s) or {}).get("fppa_deg") is None:
                    shown[s][span] = np.nan
            if rep.get("hip_shift_pct") is None:
                shift[span] = np.nan
        return [
            (
                float(t),
                clean_number(self.depth[i] * 100, 1),
                clean_number(shown["left"][i], 2),
                clean_number(shown["right"][i], 2),
                clean_number(shift[i], 1),
            )
            for i, t in enumerate(self.time_s)
        ]


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
        # implausible skeletons out before anything is measured; in a frontal view the hips
        # (and in two-legged tests the knees) never change their left-right order
        clean, check = clean_and_check(
            seq, replace(settings.cleaning, cutoff_hz=ss.cutoff_hz), settings.plausibility,
            ("hip",) if self.single else ("hip", "knee"),
        )
        refuse_if_unreliable(check, settings.plausibility)
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
            # 1 - cos(trunk lean): from the world landmarks' trunk (a frontal camera sees the
            # shoulders come towards it rather than drop); else the shoulders' drop over the
            # pelvis in the image
            depth = self._world_trunk_depth(clean, standing) if ss.hinge_depth_from_world else None
            if depth is None:
                trunk = (sh_mid - hip_mid) @ up
                depth = 1.0 - trunk / np.nanmedian(trunk[standing])
        else:
            height = (hip_mid - base) @ up
            depth = 1.0 - height / np.nanmedian(height[standing])

        # geometry per frame
        lat_left = P["left_hip"] - P["right_hip"]
        f, fppa_method, turn_sens = self._fppa_frames(clean, P, standing, up, ss)
        # + towards the person's left: the pelvis offset across the true vertical (``across``
        # points the way the hip line points, to the person's left), in hip widths
        across = np.array([-up[1], up[0]])  # perpendicular to true up
        # point towards the person's left: the way the hip line points in most frames, not
        # only the standing ones (the pose model can read a still, faceless body with its
        # hips collapsed or reversed, which flipped the shift's sign on a rendered mannequin)
        lat_across = lat_left @ across
        if np.isfinite(lat_across).any() and np.nanmedian(lat_across) < 0:
            across = -across
        # hip width: a running median over +-1 s (steady, yet follows a change of view)
        half = max(1, int(round(1.0 / float(np.median(np.diff(t)))))) if len(t) > 1 else 1
        hip_w = rolling_median(np.abs(lat_left @ across), half)
        shift = 100 * ((hip_mid - base) @ across) / hip_w
        # a body turned from the camera shows the pelvis moving back as a sideways shift:
        # optionally take that part out with the world landmarks (see _yaw_leak)
        yaw = self._body_yaw(clean)
        if ss.hip_shift_turn_correction:
            leak = self._yaw_leak(clean, working, standing & (yaw <= ss.frontal_max_yaw_deg), across)
            if leak is not None:
                shift = shift - leak
        if self.single:  # the pelvis sits medial of the stance foot when standing
            shift = shift - np.nanmedian(shift[standing])
        leg_len = np.nanmedian(np.hypot(*(hip_mid - base)[standing].T))

        spans = segment_reps(
            t, depth, min_depth=ss.min_rep_depth, min_separation_s=ss.min_rep_separation_s,
            return_fraction=ss.rep_return_fraction, complete_tolerance=ss.rep_complete_tolerance,
            split_rise=ss.rep_split_rise, min_half_width_s=ss.min_rep_half_width_s,
        )
        # deep in a squat the thigh points at the camera or sideways and FPPA loses its meaning
        measurable = {s: fppa_measurable(P[f"{s}_hip"], P[f"{s}_knee"], up, standing, ss.min_thigh_ratio) for s in SIDES}
        reps = [
            self._rep(i, sp, t, depth, f, shift, P, yaw, measurable, leg_len, up, working, ss)
            for i, sp in enumerate(spans)
        ]
        for r in reps:
            for s in SIDES:
                if r.get(s) and r[s].get("fppa_deg") is not None:
                    r[s]["fppa_method"] = fppa_method
        if working and not self.hinge:  # single-leg squat: the free leg hangs in front of the stance knee
            hidden = self._withhold_hidden_stance_knee(reps, spans, depth, P, working, standing, ss)
            if hidden is not None:
                warnings.append(hidden)
        if working:  # single-leg tests: the stance leg's labels on the free leg at the bottom
            swapped = self._withhold_swapped_legs(reps, spans, depth, restore_missing_frames(seq), working, across, standing, ss)
            if swapped is not None:
                warnings.append(swapped)
        turn = self._withhold_turned(reps, spans, depth, clean, turn_sens, warnings, ss, P, working, up)
        # a rep whose bottom (the frames its numbers come from, and its deepest frame, which
        # may lie in a gap the gate left) rests on rejected frames
        for r, sp in zip(reps, spans):
            used = self._fit_frames(sp, depth, ss)
            used[sp.bottom] = True
            r["doubtful_pose"] = rests_on(check.doubtful, used, settings.plausibility.doubtful_warn_share)
        # error bands, and flags raised only when a value clears its threshold by more than its band
        bottoms = [self._fit_frames(sp, depth, ss) & (depth >= ss.bottom_fraction * depth[sp.bottom]) for sp in spans]
        band_terms = annotate_screening(
            reps, bottoms, test=self.name, settings=settings, time_s=t, turn_deg=turn, turn_sens=turn_sens,
            visibility=clean.visibility, index=LANDMARK_INDEX, doubtful_pct=check.to_dict().get("doubtful_pct") or 0.0,
        )
        doubtful = doubtful_warning(check, [f"rep {r['index']}" for r in reps if r["doubtful_pose"]], settings.plausibility)
        if doubtful is not None:
            warnings.append(doubtful)
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
            "pose_check": check.to_dict(),
            "band_basis": screening_basis(self.name, settings.bands),
            "band_terms": band_terms,
            "warnings": [w.to_dict() for w in warnings],
        }
        if not reps:
            report["no_reps_reason"] = self._no_reps_reason(depth, clean, P, ss)
        return ScreeningRun(report, t, clean.frame, depth, f, shift, clean, reps, spans, ss.fppa_threshold(), measurable)

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

    def _fppa_frames(
        self, clean: PoseSequence, P, standing, up, ss: ScreeningSettings
    ) -> tuple[dict[str, np.ndarray], str, dict[str, np.ndarray] | None]:
        """(N,) FPPA per side and frame, how it was measured (``fppa_method``), and per side
        and frame how many degrees it would move per degree the body is turned (None when
        the legs cannot be rebuilt: no standing frames).

        ``image`` (the default): the 2-D angle as the phone sees it. ``square-view``
        (``fppa_square_view``): each leg is rebuilt in 3-D from the image alone
        (:func:`geometry.leg_from_image`: planted ankle, standing segment lengths, depth from
        foreshortening) and seen by a level camera square in front of the standing knees at
        their height, at the phone's distance (:func:`geometry.square_view`): right on exact
        landmarks whatever the phone's height, but no better on the pose model's
        (docs/DESIGN.md). Either way the body's turn is taken as none: it cannot be measured
        well enough to correct for it, so a turned body's FPPA is withheld instead
        (``_withhold_turned``, which uses the rebuilt legs' change per degree of turn)."""
        lat_left = P["left_hip"] - P["right_hip"]
        flat = {
            s: fppa(P[f"{s}_hip"], P[f"{s}_knee"], P[f"{s}_ankle"], lat_left if s == "left" else -lat_left)
            for s in SIDES
        }
        w, h = clean.image_size
        focal = ss.camera_focal_35mm / 43.27 * float(np.hypot(w, h))  # 43.27 mm: a 35 mm frame's diagonal
        legs = {s: (P[f"{s}_hip"], P[f"{s}_knee"], P[f"{s}_ankle"]) for s in SIDES}
        view = (standing, up, focal, np.array([w / 2, h / 2]))
        facing = self._facing_camera(clean, P)
        square = square_view_fppa(legs, *view, 0.0, facing)
        if not any(np.isfinite(v).any() for v in square.values()):
            return flat, "image", None
        # how much a 1 deg turn would move it (the rebuilt legs, whichever FPPA is reported)
        turned = square_view_fppa(legs, *view, 1.0, facing)
        sens = {s: np.abs(turned[s] - square[s]) for s in SIDES}
        return (square, "square-view", sens) if ss.fppa_square_view else (flat, "image", sens)

    def _withhold_turned(self, reps, spans, depth, clean: PoseSequence, turn_sens, warnings, ss: ScreeningSettings,
                         P, working, up) -> float | None:
        """Withhold FPPA (value and flag, with ``fppa_note``) where the body may be turned
        from the camera enough to move it by more than ``fppa_turn_tolerance_deg``.

        The turn is :func:`geometry.body_turn_deg` over the frames of the reps seen from the
        front (a set is done facing one way; one rep's frames read too noisily), from the hip,
        shoulder, knee and foot lines (single-leg tests: on the two-legged standing start
        before the leg lifts, :mod:`hipvision.stance_turn`; without one it is unknown). Square
        views read up to 3.9 deg on the test clips, so only turns beyond
        ``fppa_max_turn_deg`` count (single-leg: ``two_leg_start_max_turn_deg``); without world landmarks the turn is unknown and may be
        anything the view check lets through (``frontal_max_yaw_deg``). The effect is that
        turn times the FPPA's change per degree of turn at the rep's bottom (from the
        rebuilt legs; unknown for ``image`` FPPA: then any such turn is too much)."""
        frames = np.zeros(len(depth), bool)
        for r, sp in zip(reps, spans):
            if r["view"] == "frontal":
                frames[sp.start : sp.end + 1] = True
        no_start = False
        if working and frames.any():  # single-leg stance misreads the turn: read it standing on both feet
            free = "right" if working == "left" else "left"
            start = two_leg_start(P[f"{working}_hip"], P[f"{working}_ankle"], P[f"{free}_ankle"], up,
                                  min(sp.start for sp in spans), ss.two_leg_start_max_rise)
            dt = float(np.median(np.diff(clean.time_s))) if len(clean) > 1 else 1.0
            need = max(1, int(round(ss.two_leg_start_min_s / dt)))
            turn = start_turn_deg(clean.world, start, need)
            no_start = int(start.sum()) < need
        else:
            turn = body_turn_deg(clean.world[frames], ACROSS_LINES) if frames.any() else None
        if turn is not None and turn <= (ss.two_leg_start_max_turn_deg if working else ss.fppa_max_turn_deg):
            return turn
        if no_start:
            possible = ss.frontal_max_yaw_deg
            why = ("the body's turn from the camera cannot be read in single-leg stance, and the clip has no "
                   f"two-legged start (at least {ss.two_leg_start_min_s:g} s on both feet before the first rep); "
                   "start standing on both feet, facing the camera, for a second before lifting the leg")
        elif turn is None:
            possible = ss.frontal_max_yaw_deg
            why = f"the body's turn from the camera cannot be checked without world landmarks (up to {possible:.0f} deg passes as frontal)"
        else:
            possible = turn
            why = f"the body is turned about {turn:.0f} deg from the camera"
        withheld = 0
        for r, sp in zip(reps, spans):
            peak = depth[sp.bottom]
            bottom = np.zeros(len(depth), bool)
            bottom[sp.start : sp.end + 1] = True
            bottom &= depth >= ss.bottom_fraction * peak
            for s in SIDES:
                d = r.get(s)
                if not d or d.get("fppa_deg") is None:
                    continue
                sens = turn_sens[s][bottom] if turn_sens is not None else np.array([])
                per_deg = float(np.nanmedian(sens)) if np.isfinite(sens).any() else None
                if per_deg is not None and possible * per_deg <= ss.fppa_turn_tolerance_deg:
                    continue
                moved = f"by about {possible * per_deg:.0f} deg" if per_deg is not None else "by an unknown amount"
                withhold_fppa(
                    d, f"withheld: {why}, which at this knee bend can move FPPA {moved}; "
                    "it is only given for a view known to be square. Face the camera squarely",
                )
                r.pop("fppa_left_minus_right_deg", None)
                withheld += 1
        if withheld:
            warnings.append(
                QualityWarning(
                    "fppa_withheld_turn",
                    f"knee valgus (FPPA) withheld for {withheld} knee(s) of the reps: {why}; a bent knee's FPPA moves "
                    "by up to about 2 deg per degree of turn and the turn cannot be corrected for; film square on",
                    float(possible),
                )
            )
        return turn

    def _withhold_hidden_stance_knee(self, reps, spans, depth, P, working, standing, ss: ScreeningSettings):
        """Single-leg squats: :func:`stance_leg.withhold_hidden` over each rep's bottom frames
        (not hinges: there the free leg swings back, behind the stance knee)."""
        free = "right" if working == "left" else "left"
        leg = standing_leg_length(P[f"{working}_hip"], P[f"{working}_ankle"], standing)
        gap = free_leg_gap(P[f"{working}_knee"], P[f"{free}_hip"], P[f"{free}_knee"], P[f"{free}_ankle"], leg)
        bottoms = []
        for sp in spans:
            b = np.zeros(len(depth), bool)
            b[sp.start : sp.end + 1] = True
            bottoms.append(b & (depth >= ss.bottom_fraction * depth[sp.bottom]))
        return withhold_hidden(reps, bottoms, gap, working, ss.stance_knee_min_gap, ss.stance_knee_hidden_share)

    def _withhold_swapped_legs(self, reps, spans, depth, raw: PoseSequence, working, across, standing, ss: ScreeningSettings):
        """Single-leg tests: :func:`swapped_legs.withhold_swapped` over each rep's frames deeper
        than ``peak_window_fraction`` of it (through the gate's gaps), from the left-right order of the stance and free ankles as
        the pose model gave them (``raw``: the gate removes the worst swapped frames, but the
        smoothed values around them are still off; ``across``: towards the person's left)."""
        free = "right" if working == "left" else "left"
        crossed = crossed_frames(raw.point(f"{working}_ankle"), raw.point(f"{free}_ankle"), across, standing,
                                 ss.swapped_legs_min_separation)
        # the frames the rep's bottom and peak values come from (the swap corrupts the depth too)
        deep = [bottom_through_gaps(depth, sp.start, sp.end, ss.peak_window_fraction) for sp in spans]
        return withhold_swapped(reps, deep, crossed, working, ss.swapped_legs_max_share)

    def _facing_camera(self, clean: PoseSequence, P) -> bool:
        """Whether the person faces the camera (else their back is to it): the pose model
        labels the sides from the person's front, so their left hip on the image's right
        means they face it (a mirrored video looks the same to it). Not from the world
        landmarks' nose depth: on the faceless rendered avatars that flipped."""
        return bool(np.nanmedian((P["left_hip"] - P["right_hip"])[:, 0]) >= 0)

    def _world(self, clean: PoseSequence, name: str) -> np.ndarray:
        return clean.world[:, LANDMARK_INDEX[name]]

    def _world_trunk_depth(self, clean: PoseSequence, standing: np.ndarray) -> np.ndarray | None:
        """1 - cos(trunk inclination from its standing direction), from the world landmarks'
        hip and shoulder midpoints; None when they are missing or flat (2-D only)."""
        trunk = _mid(self._world(clean, "left_shoulder"), self._world(clean, "right_shoulder")) - _mid(
            self._world(clean, "left_hip"), self._world(clean, "right_hip")
        )
        ok = np.isfinite(trunk).all(axis=1)
        if ok.mean() < 0.5 or not (ok & standing).any() or np.nanmax(np.abs(trunk[:, 2])) == 0:
            return None
        ref = unit(np.nanmedian(trunk[standing & ok], axis=0))
        if not np.isfinite(ref).all():
            return None
        return 1.0 - np.sum(unit(trunk) * ref, axis=1)

    def _yaw_leak(self, clean: PoseSequence, working: str | None, standing: np.ndarray, across: np.ndarray) -> np.ndarray | None:
        """(N,) the part of the image hip shift (% of hip width) that is the pelvis moving
        forward/back, seen by a camera the body is turned from; None without world landmarks.

        World landmarks (metres, camera-aligned axes: x right, y down as in the image) give the
        body's vertical ``v`` and lateral axis ``l`` at the standing frames seen from the front
        and its forward axis
        ``f`` = v x l. The image measures the pelvis offset along ``e`` (the image's lateral
        direction); of that, (D.f)(f.e) / (W (l.e)) comes from the forward offset D.f, W the
        hip width. Only the forward offset is read per frame, and it is scaled by tan(yaw),
        so the world landmarks' depth noise barely reaches the result."""
        W = lambda n: self._world(clean, n)  # noqa: E731
        hip_mid = _mid(W("left_hip"), W("right_hip"))
        base = W(f"{working}_ankle") if working else _mid(W("left_ankle"), W("right_ankle"))
        sh_mid = _mid(W("left_shoulder"), W("right_shoulder"))
        hip_line = W("left_hip") - W("right_hip")
        st = standing & np.isfinite(hip_mid).all(axis=1) & np.isfinite(base).all(axis=1) & np.isfinite(sh_mid).all(axis=1)
        if st.sum() < 3 or np.nanmax(np.abs(hip_line[:, 2])) == 0:
            return None
        # "up" in the world frame (y down): pelvis over the feet, or the trunk on one leg
        v = unit(np.nanmedian(((sh_mid - hip_mid) if working else (hip_mid - base))[st], axis=0))
        hl = np.nanmedian(hip_line[st], axis=0)
        lvec = hl - (hl @ v) * v
        width = float(np.linalg.norm(lvec))
        if not np.isfinite(width) or width <= 0:
            return None
        l = lvec / width  # noqa: E741
        f = np.cross(v, l)
        e = np.array([across[0], across[1], 0.0])
        le = l @ e
        if abs(le) < 0.7:  # turned more than 45 deg: no frontal numbers are reported anyway
            return None
        return 100 * ((hip_mid - base) @ f) * (f @ e) / (width * le)

    def _body_yaw(self, clean: PoseSequence) -> np.ndarray:
        """(N,) how far the body is turned from the camera (see :func:`geometry.body_yaw_deg`)."""
        return body_yaw_deg(clean.world)

    def _view(self, P, yaw: np.ndarray, sl: np.ndarray, ss: ScreeningSettings) -> tuple[str, float | None, float | None]:
        """(view, body yaw, width ratio) over the frames ``sl`` (a mask)."""
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

    @staticmethod
    def _fit_frames(sp: RepSpan, depth: np.ndarray, ss: ScreeningSettings) -> np.ndarray:
        """(N,) the frames of a rep whose values are fitted against depth and read at its peak."""
        in_rep = np.zeros(len(depth), bool)
        in_rep[sp.start : sp.end + 1] = True
        return in_rep & (depth >= ss.bottom_fit_fraction * depth[sp.bottom])

    def _rep(self, i, sp: RepSpan, t, depth, f, shift, P, yaw, measurable, leg_len, up, working, ss: ScreeningSettings):
        thr = ss.fppa_threshold()
        peak = depth[sp.bottom]
        in_rep = np.zeros(len(t), bool)
        in_rep[sp.start : sp.end + 1] = True
        bottom = in_rep & (depth >= ss.bottom_fraction * peak)
        if bottom.sum() < 3:  # very short bottoms: the frames around the deepest one
            bottom[max(sp.bottom - 2, 0) : sp.bottom + 3] = True
        fit = self._fit_frames(sp, depth, ss)
        # the view where the numbers come from: the frames around the bottom (a person turning
        # round part-way through a "rep" is not seen from the front there)
        view, body_yaw, width_ratio = self._view(P, yaw, fit if fit.sum() >= 3 else in_rep, ss)
        rep: dict[str, Any] = {
            "index": i + 1,
            "start_s": clean_number(t[sp.start], 2),
            "bottom_s": clean_number(t[sp.bottom], 2),
            "end_s": clean_number(t[sp.end], 2),
            "depth_pct": clean_number(100 * peak, 1),
            "complete": sp.complete,
            "incomplete_reason": sp.incomplete_reason,
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
            usable = in_rep & measurable[s] & np.isfinite(f[s])
            sel = bottom & usable
            at_bottom = sel.sum() >= 3
            at, win = peak, fit & usable
            if not at_bottom and usable.any():
                at = float(np.nanmax(np.where(usable, depth, np.nan)))
                sel = usable & (depth >= ss.bottom_fraction * at)
                win = usable & (depth >= ss.bottom_fit_fraction * at)
            if not sel.any():
                rep[s] = {"fppa_deg": None, "valgus": None, "medial_knee_displacement": None,
                          "fppa_note": "the thigh is never clearly visible in this rep"}
                continue
            if not at_bottom and not np.isfinite(peak):
                rep[s] = {"fppa_deg": None, "valgus": None, "medial_knee_displacement": None,
                          "fppa_note": unseen_bottom_note(float(np.nanmedian(depth[sel])))}
                continue
            val = value_at_bottom(f[s][win], depth[win], at)
            if val is None:  # no fitted window (a very short bottom): the bottom frames
                val = float(np.nanmedian(f[s][sel]))
            pk = peak_valgus(t, f[s], in_rep & usable & (depth >= ss.peak_window_fraction * peak), ss)
            hip, knee, ankle = P[f"{s}_hip"][sel], P[f"{s}_knee"][sel], P[f"{s}_ankle"][sel]
            axis = unit(ankle - hip)
            lat = (P["left_hip"] - P["right_hip"])[sel] * (1 if s == "left" else -1)
            rel = knee - hip
            perp = rel - axis * np.sum(rel * axis, axis=1, keepdims=True)
            medial = -np.sum(perp * unit(lat), axis=1) / leg_len
            rep[s] = {
                "fppa_deg": clean_number(val, 1),
                "medial_knee_displacement": clean_number(float(np.nanmedian(medial)), 3),
            }
            if pk is not None:
                k = pk[1]
                phase = "bottom" if bottom[k] else ("descent" if k < sp.bottom else "ascent")
                rep[s].update({
                    "fppa_peak_deg": clean_number(pk[0], 1),
                    "fppa_peak_s": clean_number(t[k], 2),
                    "fppa_peak_phase": phase,
                    "fppa_peak_depth_pct": clean_number(100 * depth[k], 1),
                })
            # the flag is raised on the rep's peak valgus (the bottom value when no peak)
            judged = pk[0] if pk is not None else val
            rep[s]["valgus"] = bool(judged > thr)
            if not at_bottom:
                rep[s]["fppa_at_depth_pct"] = clean_number(100 * float(np.nanmedian(depth[sel])), 1)
                rep[s]["fppa_note"] = "thigh foreshortened at the bottom: FPPA taken at the deepest point where it is measurable"
        if frontal and np.isfinite(shift[bottom]).any():
            hs = value_at_bottom(shift[fit], depth[fit], peak)
            if hs is None:
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
        if view == "side":
            rep["view_note"] = "side view: knee valgus and hip shift cannot be judged from the side (depth, knee flexion and trunk lean only)"
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

    def _summary(self, all_reps: list[dict[str, Any]], spans, ss: ScreeningSettings) -> dict[str, Any]:
        """Counts, flags and per-knee / hip-shift summaries over the complete reps only."""
        reps = [r for r in all_reps if r.get("complete", True)]
        views = [r["view"] for r in all_reps]  # the view describes the whole clip
        out: dict[str, Any] = {
            "reps": len(reps),
            "reps_incomplete": len(all_reps) - len(reps),
            "view": max(set(views), key=views.count) if views else None,
            "valgus_reps": {s: sum(bool(r[s] and r[s]["valgus"]) for r in reps) for s in SIDES},
            "hip_shift_reps": sum(bool(r.get("hip_shift")) for r in reps),
            **borderline_counts(reps),
        }
        worst = None  # the highest peak valgus (the bottom value where a rep has no peak)
        for r in reps:
            for s in SIDES:
                v = Knee.from_dict(r[s]).judged_deg if r[s] else None
                if v is not None and (worst is None or v > worst[0]):
                    worst = (v, r["index"], s)
        out["worst_rep"] = {"index": worst[1], "side": worst[2], "fppa_deg": worst[0]} if worst else None
        for s in SIDES:
            vals = [r[s]["fppa_deg"] for r in reps if r[s] and r[s]["fppa_deg"] is not None]
            out[f"{s}_fppa_mean_deg"] = clean_number(float(np.mean(vals)), 1) if vals else None
            out[f"{s}_fppa_sd_deg"] = clean_number(float(np.std(vals)), 1) if len(vals) > 1 else None
            out[f"{s}_fppa_range_deg"] = clean_number(float(np.ptp(vals)), 1) if len(vals) > 1 else None
        # consistency: reps differing by more than a real within-person change (Munro 2012)
        ranges = [out[f"{s}_fppa_range_deg"] for s in SIDES if out[f"{s}_fppa_range_deg"] is not None]
        out["fppa_varies_between_reps"] = bool(max(ranges) > ss.fppa_real_change_deg) if ranges else None
        shifts = [r["hip_shift_pct"] for r in reps if r.get("hip_shift_pct") is not None]
        out["hip_shift_mean_pct"] = clean_number(float(np.mean(shifts)), 1) if shifts else None
        out["hip_shift_sd_pct"] = clean_number(float(np.std(shifts)), 1) if len(shifts) > 1 else None
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
        turned = [r["body_yaw_deg"] for r in reps if r["view"] == "frontal" and r["body_yaw_deg"] is not None]
        if turned and float(np.median(turned)) > ss.turned_warn_deg:
            warnings.append(
                QualityWarning(
                    "turned_body",
                    f"the body is turned about {np.median(turned):.0f} deg from the camera: at deep knee flexion 2-D FPPA "
                    "changes by about 2.5 deg per degree of turn; face the camera squarely for valgus numbers you can compare",
                    float(np.median(turned)),
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
        cut = [r for r in reps if not r.get("complete", True)]
        if cut:
            which = "; ".join(f"rep {r['index']}, {r['incomplete_reason']}" for r in cut)
            warnings.append(
                QualityWarning(
                    "incomplete_reps",
                    f"{len(cut)} incomplete rep{'s' if len(cut) > 1 else ''}, shown but not counted and left out of the "
                    f"flags and summaries: {which}. Start filming standing and stop after the last rep",
                    float(len(cut)),
                )
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

    def summary_row(self, report: dict[str, Any] | ScreeningReport) -> dict[str, Any]:
        """The report's key numbers as flat columns for a batch summary (person's sides;
        FPPA + = valgus; worst = the highest peak valgus of any rep; None = not measured)."""
        rep = ScreeningReport.coerce(report)
        s = rep.summary
        row: dict[str, Any] = {"reps": s.reps, "reps_incomplete": s.reps_incomplete, "view": s.view, "working_side": rep.working_side}
        for side in SIDES:
            row[f"{side}_valgus_reps"] = s.valgus_reps.of(side)
        row["hip_shift_reps"] = s.hip_shift_reps
        for side in SIDES:
            knees = [d for r in rep.complete_reps if (d := r.knee(side)) and d.judged_deg is not None]
            row[f"{side}_worst_fppa_deg"] = max(d.judged_deg for d in knees) if knees else None  # type: ignore[type-var]
            row[f"{side}_fppa_mean_deg"] = s.fppa_mean(side)
            # the band of the worst (highest judged) value, and the borderline reps
            row[f"{side}_worst_fppa_band_deg"] = max(knees, key=lambda d: d.judged_deg).judged_band_deg if knees else None  # type: ignore[arg-type,return-value]
            row[f"{side}_valgus_borderline_reps"] = s.valgus_borderline_reps.of(side) if s.valgus_borderline_reps else None
        row["hip_shift_mean_pct"] = s.hip_shift_mean_pct
        row["hip_shift_borderline_reps"] = s.hip_shift_borderline_reps
        row["fppa_valgus_threshold_deg"] = rep.thresholds.fppa_valgus_deg
        return row

    def summary_text(self, report: dict[str, Any] | ScreeningReport) -> str:
        rep = ScreeningReport.coerce(report)
        lines = [f"{self.name} screening: {rep.source} (clip {rep.duration_s} s)"]
        if rep.working_side:
            lines[0] += f", working leg: {rep.working_side}"
        thr = rep.thresholds

        def knee(d: Knee | None) -> str:
            if d is None or d.fppa_deg is None:
                return "     -"
            caveat = fppa_caveat(d, short=True)
            peak = fppa_peak(d, short=True)
            band = d.fppa_band_deg
            return (f"{d.fppa_deg:6.1f}" + ("" if band is None else f"±{band:.0f}") + (f" ({caveat})" if caveat else "")
                    + (f", {peak}" if peak else "") + (" VALG" if d.valgus else " border" if d.valgus_borderline else ""))

        cells = [(knee(r.left), knee(r.right)) for r in rep.reps]
        w = max([11] + [len(c) for pair in cells for c in pair])  # a caveat widens the FPPA columns
        if not rep.reps:
            lines.append(f"  no reps: {rep.no_reps_reason or ''}")
        else:
            lines.append(
                f"  rep  bottom   depth  view      {'FPPA left: bottom, peak':<{w}}  {'FPPA right: bottom, peak':<{w}}  hip shift   "
                f"(valgus > {thr.fppa_valgus_deg:g} deg, shift > {thr.hip_shift_pct:g} %)"
            )
        for r, (left, right) in zip(rep.reps, cells):
            hb = "" if r.hip_shift_band_pct is None else f"±{r.hip_shift_band_pct:.0f}"
            flag = " SHIFT" if r.hip_shift else " border" if r.hip_shift_borderline else ""
            hs = "     -" if r.hip_shift_pct is None else f"{r.hip_shift_pct:5.1f}{hb} % {(r.hip_shift_toward or '?')[0].upper()}{flag}"
            mark = "*" if not r.complete else " "
            lines.append(f"  {r.index:>3}{mark} {r.bottom_s:6.2f}  {r.depth_pct:5.1f} %  {r.view:<8}  {left:<{w}}  {right:<{w}}  {hs}")
        s = rep.summary
        if s.worst_rep:
            wr = s.worst_rep
            wk = rep.worst_knee()
            # the number the flag was judged on, once, with its band: the peak, else the bottom
            if fppa_peak(wk):
                what = f"FPPA {fppa_peak(wk)}"
            else:
                band = wk.fppa_band_deg if wk is not None else None
                what = f"FPPA at the bottom {with_band(wr.fppa_deg, band)}" + (f" ({fppa_caveat(wk)})" if fppa_caveat(wk) else "")
            lines.append(f"  worst: rep {wr.index}, {wr.side} knee: {what}")
        if rep.reps:
            lines.append(f"  {FPPA_DEFINITION}")
        if has_fppa_caveat(rep.knees()):
            lines.append(f"  {FPPA_CAVEAT_LEGEND}")
        if s.reps_incomplete:
            lines.append(f"  * incomplete (the clip cuts it off, or a tracking jump): not counted; complete reps: {s.reps}")
        if rep.reps:
            lines.append(
                f"  valgus reps: left {s.valgus_reps.left}, right {s.valgus_reps.right}; hip-shift reps: {s.hip_shift_reps}; view: {s.view}"
            )
            bl = s.valgus_borderline_reps or SideCounts()
            if bl.left or bl.right or s.hip_shift_borderline_reps:
                lines.append(
                    f"  borderline (within the error band of the threshold, not flagged): valgus left {bl.left}, "
                    f"right {bl.right}; hip shift {s.hip_shift_borderline_reps or 0}"
                )
            for r in rep.reps:
                notes = [knee_band_note(r.knee(sd), thr.fppa_valgus_deg) for sd in ("left", "right")]
                notes.append(shift_band_note(r, thr.hip_shift_pct))
                for sd, n in zip(("left knee: ", "right knee: ", ""), notes):
                    if n:
                        lines.append(f"  rep {r.index} {sd}{n}")
        lines += summary_tail(rep.band_basis if rep.reps else None, rep.warnings)
        return "\n".join(lines)



for _t in TESTS:
    register(ScreeningAnalyzer(_t))

"""Seated and prone hip-rotation tests: the shin-to-vertical angle per side.

Conventions (see also :mod:`hipvision.geometry`):

* Left and right are the **person's**. The lateral direction of each leg comes from the
  person's own landmarks (other hip -> this hip; knees when hips are missing), so the same
  code serves the seated test seen from the front and the prone test seen from the feet.
* The angle is **positive when the foot moves laterally = internal rotation (IR)** and
  negative when it moves medially = external rotation (ER). Peaks are reported as positive
  magnitudes (``peak_ir_deg``, ``peak_er_deg``).
* Vertical is gravity, not the image edge: each shin's relaxed, still, neutral position (at
  the start, or between attempts) defines its vertical. This removes camera roll and the
  perspective tilt of off-centre shins. Without a still neutral the image vertical is used
  and the report says so.
* The peak is the **held end range**: the highest level the moving median over
  ``hold_s`` reaches, so single-frame spikes and noise do not count.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ...cleaning import clean_and_check
from ...plausibility import doubtful_warning, refuse_if_unreliable, rests_on
from ...sides import fix_swapped_sides
from ...cleaning import run_around, true_runs as runs
from ...config import RotationSettings, Settings
from ...errors import AnalysisError
from ...geometry import IMAGE_DOWN, IMAGE_UP, lateral_angle, rotate, signed_angle, unit
from ...landmarks import LANDMARK_INDEX, SIDES
from ...results import QualityWarning, clean_number, provenance
from ...sequence import PoseSequence
from ...shin_axis import anchored_knee, foreshortened, neutral_frames
from ...bands import annotate_rotation, rotation_terms
from ...wording import asymmetry_sentence, norm_sentence, summary_tail, with_band
from .. import register
from .schema import RotationReport, RotationVertical

DIRECTIONS = {"ir": 1.0, "er": -1.0}


def one_direction_message(side: str, done: str) -> str:
    """The ``one_direction_only`` warning's message for the person's ``side`` where only
    ``done`` ("ir" or "er") was tested."""
    missing = "ER" if done == "ir" else "IR"
    return f"{side} side: only {done.upper()} was tested, no {missing}"


def er_maybe_hidden_message(side: str) -> str:
    """The same warning where the shins crossed (assisted tracking left those frames out):
    only IR was measured and ER may be hidden there, not untested."""
    return f"{side} side: only IR was measured; ER may be hidden where the shins crossed"
#: vertical-reference methods that measure each shin's own neutral (roll is then known)
NEUTRAL_METHODS = ("neutral shins at the start", "neutral shins between attempts", "still neutral per side")


# --------------------------------------------------------------------------- helpers


def mirror_sequence(seq: PoseSequence) -> PoseSequence:
    """Swap the person's left and right landmarks (for a mirrored selfie video)."""
    return seq.mirrored()


#: moving-window statistics work on blocks of at most this many window cells (memory bound)
_BLOCK_CELLS = 1 << 21


def _window_blocks(t: np.ndarray, x: np.ndarray, window_s: float):
    """Yield ``(rows, values, count)`` blocks: for each sample in ``rows`` (a slice), the
    finite values of ``x`` in its centred time window, sorted ascending with NaN padding at
    the end of the row, and how many there are. Vectorised (no per-sample Python loop)."""
    half = window_s / 2
    lo = np.searchsorted(t, t - half, side="left")
    hi = np.searchsorted(t, t + half, side="right")
    n = len(t)
    width = max(1, int((hi - lo).max())) if n else 1
    padded = np.concatenate([np.asarray(x, dtype=np.float64), np.full(width, np.nan)])
    view = np.lib.stride_tricks.sliding_window_view(padded, width)
    step = max(1, _BLOCK_CELLS // width)
    for a in range(0, n, step):
        rows = slice(a, min(n, a + step))
        w = view[lo[rows]]
        w = np.where(np.arange(width) < (hi[rows] - lo[rows])[:, None], w, np.nan)
        w.sort(axis=1)  # NaN sorts last
        yield rows, w, np.isfinite(w).sum(axis=1)


def moving_median(t: np.ndarray, x: np.ndarray, window_s: float, min_fraction: float = 0.6) -> np.ndarray:
    """Centred moving median over a time window (seconds); NaN where fewer than
    ``min_fraction`` of the samples expected in the window are finite."""
    out = np.full(len(t), np.nan, dtype=np.float64)
    dt = np.median(np.diff(t)) if len(t) > 1 else 1.0
    need = max(1, int(min_fraction * (window_s / dt)))
    for rows, w, k in _window_blocks(t, x, window_s):
        ok = k >= need
        r = np.flatnonzero(ok)
        lo_mid, hi_mid = w[r, (k[r] - 1) // 2], w[r, k[r] // 2]
        block = np.full(len(k), np.nan)
        block[r] = (lo_mid + hi_mid) / 2  # as np.median: the middle value, or the mean of two
        out[rows] = block
    return out


def moving_sd(t: np.ndarray, x: np.ndarray, window_s: float) -> np.ndarray:
    """Centred moving standard deviation (NaN where the window holds < 3 finite samples)."""
    out = np.full(len(t), np.nan, dtype=np.float64)
    for rows, w, k in _window_blocks(t, x, window_s):
        fin = np.isfinite(w)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(fin, w, 0.0).sum(axis=1) / k
            dev = np.where(fin, w - mean[:, None], 0.0)
            sd = np.sqrt((dev * dev).sum(axis=1) / k)
        out[rows] = np.where(k >= 3, sd, np.nan)
    return out


def _unseen_beside(angle: np.ndarray, t: np.ndarray, a: int, b: int, span_s: float) -> bool:
    """True when most frames within ``span_s`` before index ``a`` or after index ``b`` (a
    plateau's ends) have no angle: the plateau runs into a gap where the shin was not seen."""
    for near in ((t >= t[a] - span_s) & (t < t[a]), (t > t[b]) & (t <= t[b] + span_s)):
        if near.any() and np.isfinite(angle[near]).mean() < 0.5:
            return True
    return False


def _median_point(seq: PoseSequence, name: str) -> np.ndarray:
    p = seq.point(name)
    ok = np.isfinite(p).all(axis=1)
    return np.median(p[ok], axis=0) if ok.any() else np.array([np.nan, np.nan])


# --------------------------------------------------------------------------- result types


@dataclass
class Hold:
    value: float  # degrees, positive magnitude
    at_s: float
    from_s: float
    to_s: float


@dataclass
class SideResult:
    angle: np.ndarray  # (N,) degrees, + = IR (lateral)
    present: bool
    reference_deg: float | None  # neutral direction, degrees from the nominal image vertical
    reference_method: str
    peaks: dict[str, Hold | None] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    range_deg: float | None = None
    unseen: list[str] = field(default_factory=list)  # directions whose held end range was not seen


# --------------------------------------------------------------------------- analyzer


class RotationAnalyzer:
    """Seated (hip 90 deg flexed, camera in front at knee height) or prone (hip neutral,
    camera at the foot end at table height) hip-rotation test."""

    def __init__(self, test: str) -> None:
        if test not in ("seated", "prone"):
            raise ValueError(test)
        self.name = test
        self.description = (
            "seated hip rotation: shin-to-vertical angle per side, camera in front at knee height"
            if test == "seated"
            else "prone hip rotation: shin-to-vertical angle per side, camera at the foot end"
        )
        #: which way the neutral shin points in the image: down (seated) or up (prone)
        self.nominal = IMAGE_DOWN if test == "seated" else IMAGE_UP

    series_columns = ("time_s", "left_deg", "right_deg")

    def run(self, seq: PoseSequence, settings: Settings) -> "RotationRun":
        rs = settings.rotation
        warnings: list[QualityWarning] = []
        if rs.mirrored:
            seq = mirror_sequence(seq)
        if len(seq) == 0:
            raise AnalysisError("the pose sequence is empty: no person was found in any frame")
        seq, swapped = fix_swapped_sides(seq, rs.swap_min_separation)
        if swapped > 0:
            warnings.append(
                QualityWarning(
                    "sides_swapped",
                    f"the pose model swapped the person's left and right legs in {100 * swapped:.0f} % of the "
                    "frames; they were swapped back from the knees' positions (check the annotated video)",
                    round(100 * swapped, 1),
                )
            )
        # implausible skeletons out before anything is measured (swaps were undone above)
        clean, check = clean_and_check(seq, replace(settings.cleaning, cutoff_hz=rs.cutoff_hz), settings.plausibility)
        refuse_if_unreliable(check, settings.plausibility)
        t = clean.time_s
        if t[-1] - t[0] < rs.neutral_window_s + 2 * rs.hold_s:
            raise AnalysisError(
                f"the clip is too short for a rotation test ({t[-1] - t[0]:.1f} s): it needs a still "
                f"neutral and a held end position, at least {rs.neutral_window_s + 2 * rs.hold_s:.1f} s"
            )
        # presence is judged after gating, over all frames (a CSV omits frames without a person)
        present = self._check_landmarks(clean, warnings)
        lateral = self._lateral_dirs(clean, warnings)
        self._check_test_type(clean, present)

        raw = {}
        for side in SIDES:
            knee, ankle = clean.point(f"{side}_knee"), clean.point(f"{side}_ankle")
            raw[side] = lateral_angle(knee, ankle, self.nominal, lateral[side])

        refs = self._neutral_references(t, raw, present, rs, warnings)
        sides: dict[str, SideResult] = {}
        ref_vecs = {}
        knees = {s: clean.point(f"{s}_knee") for s in SIDES}  # the knee each shin is measured from
        for side in SIDES:
            ref_deg, method = refs[side]
            # the reference is the nominal vertical turned laterally by ref_deg
            lat_sign = np.sign(signed_angle(lateral[side], self.nominal))
            ref_vecs[side] = rotate(self.nominal, (ref_deg or 0.0) * lat_sign)
            if not present[side]:
                sides[side] = SideResult(np.full(len(t), np.nan), False, None, "not visible")
                continue
            knee, ankle = clean.point(f"{side}_knee"), clean.point(f"{side}_ankle")
            out_of_plane = np.zeros(len(t), dtype=bool)
            if self.name in rs.knee_anchor_tests:  # the thigh is still: measure from the neutral knee
                neutral = neutral_frames(raw[side], ref_deg, rs.knee_anchor_neutral_deg)
                knee = anchored_knee(knee, neutral, rs.knee_anchor_weight)
                knees[side] = knee
                out_of_plane = foreshortened(knee, ankle, neutral, rs.shin_min_length_ratio)
            angle = lateral_angle(knee, ankle, ref_vecs[side], lateral[side])
            angle = np.where(out_of_plane, np.nan, angle)  # the shin swung back or forward
            implausible = np.abs(angle) > rs.max_plausible_deg
            if implausible.any():
                angle = np.where(implausible, np.nan, angle)
                if implausible.mean() > 0.02:
                    warnings.append(
                        QualityWarning(
                            "implausible_angles",
                            f"{side} shin: {100 * implausible.mean():.0f} % of the frames gave angles beyond "
                            f"{rs.max_plausible_deg:g} deg (a misplaced knee or ankle); they were left out",
                            round(100 * float(implausible.mean()), 1),
                        )
                    )
            sr = SideResult(angle, True, ref_deg, method)
            self._peaks(t, sr, rs)
            for key in sr.unseen:
                warnings.append(
                    QualityWarning(
                        "peak_unseen",
                        f"{side} {key.upper()}: the shin was not followed where it was held (frames left out "
                        "by the pose check); the peak is not reported",
                    )
                )
            sides[side] = sr

        # a held peak on rejected frames of its leg
        affected = [
            f"the {s} {key.upper()} peak"
            for s in SIDES
            for key, h in sides[s].peaks.items()
            if h is not None
            and rests_on(check.side_doubtful(s), (t >= h.from_s) & (t <= h.to_s), settings.plausibility.doubtful_warn_share)
        ]
        doubtful = doubtful_warning(check, affected, settings.plausibility)
        if doubtful is not None:
            warnings.append(doubtful)
        report = self._report(seq, clean, sides, refs, rs, warnings)
        report["pose_check"] = check.to_dict()
        report["band_terms"] = rotation_terms(
            clean.visibility, t, {s: sides[s].peaks for s in SIDES}, LANDMARK_INDEX, {s: check.side_doubtful(s) for s in SIDES}
        )
        annotate_rotation(report, settings)
        return RotationRun(
            report=report,
            time_s=t,
            frame=clean.frame,
            angles={s: sides[s].angle for s in SIDES},
            knee=knees,
            ankle={s: clean.point(f"{s}_ankle") for s in SIDES},
            reference=ref_vecs,
            peaks={s: sides[s].peaks for s in SIDES},
        )

    def summary_text(self, report: dict[str, Any] | RotationReport) -> str:
        rep = RotationReport.coerce(report)

        def deg(v: float | None, band: float | None = None) -> str:
            return f"{'-':<13}" if v is None else f"{with_band(v, band):<13}"

        lines = [
            f"{self.name} hip rotation: {rep.source} (clip {rep.duration_s} s)"
            + (", mirrored" if rep.mirrored else ""),
            "          IR             ER             arc",
        ]
        for s in SIDES:
            d = rep.sides.of(s)
            if not d.measured:
                lines.append(f"  {s:<6}  not measured")
                continue
            lines.append(
                f"  {s:<6}  {deg(d.peak_ir_deg, d.peak_ir_band_deg)}  {deg(d.peak_er_deg, d.peak_er_band_deg)}  "
                f"{deg(d.total_arc_deg, d.total_arc_band_deg)}"
            )
        for key, label in (("ir", "IR"), ("er", "ER"), ("arc", "arc")):
            a = rep.asymmetry.of(key)  # type: ignore[arg-type]
            if a:
                lines.append(f"  {label}: {asymmetry_sentence(a)}")
        for s in SIDES:
            for key, n in rep.sides.of(s).norms.items():
                if n.verdict:
                    lines.append(f"  {norm_sentence(s, key, n)}")
        v = rep.vertical_reference or RotationVertical()
        roll = f", camera roll {v.camera_roll_deg:+.1f}°" if v.camera_roll_deg is not None else ""
        lines.append(f"  vertical: {v.method} (confidence {v.confidence}{roll})")
        lines += summary_tail(rep.band_basis, rep.warnings)
        return "\n".join(lines)

    def summary_row(self, report: dict[str, Any] | RotationReport) -> dict[str, Any]:
        """The report's key numbers as flat columns for a batch summary (person's sides;
        peaks are positive magnitudes; None = not measured)."""
        rep = RotationReport.coerce(report)
        row: dict[str, Any] = {}
        for s in SIDES:
            d = rep.sides.of(s)
            row[f"{s}_peak_ir_deg"] = d.peak_ir_deg
            row[f"{s}_peak_er_deg"] = d.peak_er_deg
            row[f"{s}_total_arc_deg"] = d.total_arc_deg
            row[f"{s}_peak_ir_band_deg"] = d.peak_ir_band_deg
            row[f"{s}_peak_er_band_deg"] = d.peak_er_band_deg
            row[f"{s}_total_arc_band_deg"] = d.total_arc_band_deg
        for key in ("ir", "er", "arc"):
            a = rep.asymmetry.of(key)  # type: ignore[arg-type]
            row[f"{key}_left_minus_right_deg"] = a.left_minus_right_deg if a else None
            row[f"{key}_left_minus_right_band_deg"] = a.band_deg if a else None
            row[f"{key}_asymmetry"] = a.verdict if a else None
        row["vertical_confidence"] = rep.vertical_reference.confidence if rep.vertical_reference else None
        return row

    # ----------------------------------------------------------------- checks
    def _check_landmarks(self, seq: PoseSequence, warnings: list[QualityWarning]) -> dict[str, bool]:
        present = {}
        missing: list[str] = []
        for side in SIDES:
            ok = True
            for part in ("knee", "ankle"):
                name = f"{side}_{part}"
                frac = np.isfinite(seq.point(name)).all(axis=1).mean()
                if frac < 0.2:
                    ok = False
                    missing.append(name)
            present[side] = ok
        if not any(present.values()):
            raise AnalysisError(
                f"no {self.name} rotation test can be measured: missing or almost never seen "
                f"landmarks {', '.join(missing)} (knee and ankle of at least one leg are needed)"
            )
        if not all(present.values()):
            gone = [s for s in SIDES if not present[s]][0]
            warnings.append(
                QualityWarning(
                    "one_side_only",
                    f"the {gone} leg's knee/ankle are not visible enough ({', '.join(missing)}); only the other side is measured",
                )
            )
        return present

    def _lateral_dirs(self, seq: PoseSequence, warnings: list[QualityWarning]) -> dict[str, np.ndarray]:
        """Image direction pointing to the outside of each leg, from the person's landmarks."""
        for part in ("hip", "knee"):
            lft, rgt = _median_point(seq, f"left_{part}"), _median_point(seq, f"right_{part}")
            d = lft - rgt
            if np.isfinite(d).all() and np.hypot(*d) > 0:
                return {"left": d, "right": -d}
        # one leg only and no hips: fall back on the camera placement the test prescribes
        # (seated, from the front: the person's left appears on the image's right; prone,
        # from the feet: on the image's left)
        d = np.array([1.0, 0.0]) if self.name == "seated" else np.array([-1.0, 0.0])
        warnings.append(
            QualityWarning(
                "sides_assumed",
                "left and right could not be told apart from the landmarks; assumed the standard camera placement",
            )
        )
        return {"left": d, "right": -d}

    def _check_test_type(self, seq: PoseSequence, present: dict[str, bool]) -> None:
        """Refuse clips that do not show this test (e.g. a squat analysed as seated)."""
        problem = self._test_type_problem(seq, present)
        if problem is not None:
            raise AnalysisError(problem[1])

    def wrong_test(self, seq: PoseSequence) -> str | None:
        """Why ``seq`` (a raw pose) does not show this test, in a few words (e.g. "the
        ankles are not above the knees (...)"), or None when it might. The same check as
        :meth:`run`'s refusal, for a pose that is not analysed (tracking's fallback)."""
        present = {
            s: bool(all(np.isfinite(seq.point(f"{s}_{p}")).all(axis=1).mean() >= 0.2 for p in ("knee", "ankle")))
            for s in SIDES
        }
        if len(seq) == 0 or not any(present.values()):
            return None
        problem = self._test_type_problem(seq, present)
        return None if problem is None else problem[0]

    def _test_type_problem(self, seq: PoseSequence, present: dict[str, bool]) -> tuple[str, str] | None:
        """``(finding, full refusal)`` when the clip does not show this test, else None."""
        shin_len, ankle_side, thigh_drop = [], [], []
        for side in SIDES:
            if not present[side]:
                continue
            knee, ankle, hip = (seq.point(f"{side}_{p}") for p in ("knee", "ankle", "hip"))
            shin = ankle - knee
            shin_len.append(np.nanmedian(np.hypot(shin[:, 0], shin[:, 1])))
            # along the nominal vertical: positive when the ankle lies where the test expects
            ankle_side.append(np.nanmedian(shin @ self.nominal))
            if np.isfinite(hip).any():
                thigh_drop.append(np.nanmedian(np.abs((knee - hip) @ self.nominal)))
        L = float(np.nanmedian(shin_len))
        along = float(np.nanmedian(ankle_side))
        other = "prone" if self.name == "seated" else "seated"
        where = "below" if self.name == "seated" else "above"
        if not np.isfinite(along) or along < 0.3 * L:
            finding = (f"the ankles are not {where} the knees "
                       f"(shin along the vertical {along / L if L else 0:.2f} shin lengths)")
            return finding, (f"no {self.name} rotation test found: {finding}; "
                             f"is this the {other} test, or another exercise?")
        if thigh_drop:
            drop = float(np.nanmedian(thigh_drop)) / L
            if drop > 0.6:
                finding = (f"the hips are {drop:.1f} shin lengths "
                           f"{'above' if self.name == 'seated' else 'away from'} the knees in the image, "
                           "so the thighs do not point at the camera")
                return finding, (
                    f"no {self.name} rotation test found: {finding} (a standing exercise such as a "
                    "squat?). Film the test as described: "
                    + (
                        "seated, camera in front at knee height"
                        if self.name == "seated"
                        else "lying face down, camera at the foot end at table height"
                    )
                )
        return None

    # ----------------------------------------------------------------- vertical
    def _neutral_references(
        self,
        t: np.ndarray,
        raw: dict[str, np.ndarray],
        present: dict[str, bool],
        rs: RotationSettings,
        warnings: list[QualityWarning],
    ) -> dict[str, tuple[float | None, str]]:
        """Neutral (vertical) direction of each shin, in degrees lateral of the nominal
        image vertical, and how it was found."""
        still = {s: moving_sd(t, raw[s], rs.neutral_window_s) < rs.still_sd_deg for s in SIDES}
        level = {s: moving_median(t, raw[s], rs.neutral_window_s) for s in SIDES}
        out: dict[str, tuple[float | None, str]] = {}
        # 1. a period when both shins are still and near vertical, and agree with each other:
        #    camera roll adds +r to one side's lateral angle and -r to the other's, so at a
        #    true neutral left + right ~ 0 and (left - right) / 2 (the roll) is small. This
        #    rejects a held rotation of one or both legs that happens to be still.
        both = np.ones(len(t), bool)
        for s in SIDES:
            if present[s]:
                both &= still[s] & (np.abs(level[s]) < rs.neutral_max_offset_deg)
        best: tuple[float, int, int] | None = None
        for a, b in runs(both):
            if t[b - 1] - t[a] < 0.5 * rs.neutral_window_s:
                continue
            med = {s: float(np.nanmedian(raw[s][a:b])) for s in SIDES if present[s]}
            if len(med) == 2:
                disagree = abs(med["left"] + med["right"])
                roll = abs(med["left"] - med["right"]) / 2
                if disagree > rs.neutral_max_disagreement_deg or roll > rs.max_plausible_roll_deg:
                    continue
                score = disagree
            else:
                score = abs(next(iter(med.values())))
            if best is None or score < best[0] - 1.0:  # earlier periods win near-ties
                best = (score, a, b)
        if best is not None:
            _, a, b = best
            at_start = t[a] - t[0] <= rs.neutral_start_within_s
            method = "neutral shins at the start" if at_start else "neutral shins between attempts"
            for s in SIDES:
                out[s] = (float(np.nanmedian(raw[s][a:b])), method) if present[s] else (None, "")
            if not at_start:
                warnings.append(
                    QualityWarning(
                        "no_neutral_start",
                        f"the test did not start with both shins relaxed and still; vertical was "
                        f"taken from a still, relaxed period at {t[a]:.1f} s",
                        float(t[a]),
                    )
                )
            return out
        # 2. per side: the still level closest to the image vertical, anywhere in the clip
        for s in SIDES:
            if not present[s]:
                out[s] = (None, "")
                continue
            ok = still[s] & np.isfinite(level[s]) & (np.abs(level[s]) < rs.neutral_max_offset_deg)
            if ok.any():
                k = np.flatnonzero(ok)[np.argmin(np.abs(level[s][ok]))]
                out[s] = (float(level[s][k]), "still neutral per side")
            else:
                out[s] = (None, "")
        # 3. a side without a neutral borrows the camera roll from the other side
        for s, o in (("left", "right"), ("right", "left")):
            if present[s] and out[s][0] is None and out[o][0] is not None:
                # roll adds +r to one side's lateral angle and -r to the other's
                out[s] = (-out[o][0], f"camera roll from the {o} leg's neutral")
        for s in SIDES:
            if present[s] and out[s][0] is None:
                out[s] = (0.0, "image vertical (no still neutral found)")
        warnings.append(
            QualityWarning(
                "no_neutral_start",
                "the shins were never relaxed and still together; vertical was taken from "
                + "; ".join(sorted({out[s][1] for s in SIDES if present[s]})),
            )
        )
        return out

    # ----------------------------------------------------------------- peaks
    def _peaks(self, t: np.ndarray, sr: SideResult, rs: RotationSettings) -> None:
        # a level reached by the median over 2 x hold_s was kept for at least hold_s
        held = moving_median(t, sr.angle, 2 * rs.hold_s)
        finite = np.isfinite(held)
        sr.range_deg = float(np.ptp(held[finite])) if finite.any() else None
        for key, sign in DIRECTIONS.items():
            x = sign * held
            over = np.where(np.isfinite(x), x, -np.inf) > rs.attempt_threshold_deg
            # attempts: excursions beyond the threshold, merging dips shorter than 0.3 s
            rr = runs(over)
            merged: list[list[int]] = []
            for a, b in rr:
                if merged and t[a] - t[merged[-1][1] - 1] < 0.3:
                    merged[-1][1] = b
                else:
                    merged.append([a, b])
            sr.attempts[key] = len(merged)
            if not merged:
                sr.peaks[key] = None
                continue
            k = int(np.nanargmax(np.where(over, x, -np.inf)))
            # The max of a moving median is biased upwards by noise: take the plateau around
            # it (frames within a tolerance of it) and report the median of all its frames.
            tol = max(rs.plateau_tolerance_deg, rs.plateau_tolerance_frac * float(x[k]))
            near = np.where(np.isfinite(x), x, -np.inf) >= x[k] - tol
            a, b = run_around(near, k)
            plateau = sign * sr.angle[a : b + 1]
            plateau = plateau[np.isfinite(plateau)]
            peak = float(np.median(plateau)) if plateau.size else float(x[k])
            if self.name in rs.unseen_peak_tests and _unseen_beside(sr.angle, t, a, b, rs.hold_s):
                # the level found runs into frames without a shin (left out by the pose
                # check): the held end range was most likely there, unseen; not a number
                sr.peaks[key] = None
                sr.unseen.append(key)
                continue
            sr.peaks[key] = Hold(peak, float(t[k]), float(t[a]), float(t[b]))

    # ----------------------------------------------------------------- report
    def _report(
        self,
        seq: PoseSequence,
        clean: PoseSequence,
        sides: dict[str, SideResult],
        refs: dict[str, tuple[float | None, str]],
        rs: RotationSettings,
        warnings: list[QualityWarning],
    ) -> dict[str, Any]:
        t = clean.time_s
        side_docs: dict[str, Any] = {}
        for s in SIDES:
            sr = sides[s]
            doc: dict[str, Any] = {"measured": sr.present}
            for key in DIRECTIONS:
                h = sr.peaks.get(key)
                doc[f"peak_{key}_deg"] = clean_number(h.value, 1) if h else None
                doc[f"{key}_held"] = (
                    {"at_s": clean_number(h.at_s, 2), "from_s": clean_number(h.from_s, 2), "to_s": clean_number(h.to_s, 2)}
                    if h
                    else None
                )
                doc[f"{key}_attempts"] = sr.attempts.get(key, 0)
            ir, er = sr.peaks.get("ir"), sr.peaks.get("er")
            doc["total_arc_deg"] = clean_number(ir.value + er.value, 1) if ir and er else None
            # a held end range that went unseen (peak_unseen) leaves the range short: not a number
            doc["range_deg"] = clean_number(sr.range_deg, 1) if not sr.unseen else None
            doc["norms"] = self._norms(doc, rs)
            side_docs[s] = doc

        self._quality(seq, clean, sides, refs, rs, warnings)
        asym = self._asymmetry(side_docs, rs)
        ref_vals = [refs[s][0] for s in SIDES if sides[s].present and refs[s][0] is not None]
        methods = sorted({refs[s][1] for s in SIDES if sides[s].present})
        agreement = None
        roll = None
        if len(ref_vals) == 2 and all(refs[s][1] in NEUTRAL_METHODS for s in SIDES):
            # in lateral terms, roll shows up with opposite signs on the two sides
            roll = 0.5 * (refs["left"][0] - refs["right"][0])  # type: ignore[operator]
            agreement = abs(refs["left"][0] + refs["right"][0])  # type: ignore[operator]
        if any("image vertical" in m for m in methods):
            confidence = "low"
        elif agreement is None:
            confidence = "medium"
        elif agreement <= 3.0:
            confidence = "high"
        elif agreement <= 6.0:
            confidence = "medium"
        else:
            confidence = "low"
        return {
            **provenance(),
            "test": self.name,
            "source": seq.source,
            "frames": int(len(clean)),
            "duration_s": clean_number(float(t[-1] - t[0]) if len(t) else 0.0, 2),
            "mirrored": rs.mirrored,
            "sign_convention": "left/right are the person's; + = foot lateral = internal rotation (IR); peaks are positive magnitudes",
            "sides": side_docs,
            "asymmetry": asym,
            "vertical_reference": {
                "method": "; ".join(methods),
                "confidence": confidence,
                "per_side_offset_deg": {s: clean_number(refs[s][0], 2) for s in SIDES},
                "camera_roll_deg": clean_number(roll, 1),
                "neutral_disagreement_deg": clean_number(agreement, 1),
            },
            "warnings": [w.to_dict() for w in warnings],
        }

    def _norms(self, doc: dict[str, Any], rs: RotationSettings) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, field_ in (("ir", "peak_ir_deg"), ("er", "peak_er_deg"), ("arc", "total_arc_deg")):
            band = rs.band(self.name, key)
            v = doc[field_]
            if band is None:
                continue
            verdict = None if v is None else ("below" if v < band.low else "above" if v > band.high else "within")
            out[key] = {"value_deg": v, "band_deg": [band.low, band.high], "verdict": verdict, "source": band.source}
        return out

    def _asymmetry(self, side_docs: dict[str, Any], rs: RotationSettings) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, field_ in (("ir", "peak_ir_deg"), ("er", "peak_er_deg"), ("arc", "total_arc_deg")):
            lv, rv = side_docs["left"][field_], side_docs["right"][field_]
            if lv is None or rv is None:
                out[key] = None
                continue
            diff = lv - rv
            if abs(diff) <= rs.equal_within_deg:
                verdict = "equal"
            elif abs(diff) <= rs.equal_within_deg + rs.measurement_error_deg:
                verdict = "borderline"
            else:
                verdict = "not equal"
            out[key] = {
                "left_minus_right_deg": clean_number(diff, 1),
                "verdict": verdict,
                "lower_side": None if diff == 0 else ("right" if diff > 0 else "left"),
                "equal_within_deg": rs.equal_within_deg,
                "measurement_error_deg": rs.measurement_error_deg,
            }
        return out

    def _quality(
        self,
        seq: PoseSequence,
        clean: PoseSequence,
        sides: dict[str, SideResult],
        refs: dict[str, tuple[float | None, str]],
        rs: RotationSettings,
        warnings: list[QualityWarning],
    ) -> None:
        measured = [s for s in SIDES if sides[s].present]
        # movement
        if all((sides[s].range_deg or 0.0) < rs.attempt_threshold_deg for s in measured):
            rng = max((sides[s].range_deg or 0.0) for s in measured)
            warnings.append(QualityWarning("no_movement", "the shins never rotated beyond the attempt threshold; nothing to measure", rng))
        else:
            for s in measured:
                done = [k for k in DIRECTIONS if sides[s].attempts.get(k)]
                if len(done) == 1:
                    warnings.append(QualityWarning("one_direction_only", one_direction_message(s, done[0])))
                elif not done:
                    warnings.append(QualityWarning("side_not_tested", f"{s} side: the shin did not rotate"))
        # compensation: pelvis and thigh movement
        lh, rh = clean.point("left_hip"), clean.point("right_hip")
        hip_w = np.nanmedian(np.hypot(*(lh - rh).T)) if np.isfinite(lh).any() and np.isfinite(rh).any() else np.nan
        if np.isfinite(hip_w) and hip_w > 0:
            mid = (lh + rh) / 2
            shift = np.nanmax(np.hypot(*(mid - np.nanmedian(mid, axis=0)).T)) / hip_w
            if shift > rs.max_pelvis_shift_frac:
                warnings.append(
                    QualityWarning("pelvis_moved", f"the pelvis moved by {100 * shift:.0f} % of the hip width; keep it still", 100 * shift)
                )
        for s in measured:
            knee, ankle = clean.point(f"{s}_knee"), clean.point(f"{s}_ankle")
            L = np.nanmedian(np.hypot(*(ankle - knee).T))
            moved = knee - np.nanmedian(knee, axis=0)
            if self.name in rs.knee_anchor_tests:
                # seated: the pose model's knee slides along the shin as the shin turns (the thigh
                # points at the camera; shin_axis.py); a thigh that moves takes the knee across it
                shin = ankle - knee
                shin = shin / np.hypot(*shin.T)[:, None]
                dist = np.abs(moved[:, 0] * shin[:, 1] - moved[:, 1] * shin[:, 0])
            else:
                dist = np.hypot(*moved.T)
            spread = np.nanmax(dist) / L if L > 0 and np.isfinite(dist).any() else np.nan
            limit = rs.max_knee_shift_frac_anchored if self.name in rs.knee_anchor_tests else rs.max_knee_shift_frac
            if np.isfinite(spread) and spread > limit:
                warnings.append(
                    QualityWarning(
                        "thigh_moved",
                        f"{s} knee moved by {100 * spread:.0f} % of the shin length: the thigh moved (compensation); keep the thighs still",
                        100 * spread,
                    )
                )
        # visibility and framing at the peaks
        w, h = seq.image_size
        for s in measured:
            for key, hold in sides[s].peaks.items():
                if hold is None:
                    continue
                k = int(np.argmin(np.abs(clean.time_s - hold.at_s)))
                for part in ("knee", "ankle"):
                    j = LANDMARK_INDEX[f"{s}_{part}"]
                    vis = clean.visibility[k, j]
                    x, y = clean.xy[k, j]
                    outside = np.isfinite(x) and not (0 <= x < w and 0 <= y < h)
                    if outside or (np.isfinite(vis) and vis < 0.5):
                        warnings.append(
                            QualityWarning(
                                "landmark_unclear_at_peak",
                                f"{s} {part} is {'outside the frame' if outside else 'barely visible'} at the {key.upper()} peak; keep the whole leg in view",
                                None if outside else float(vis),
                            )
                        )
        # camera
        roll_vals = [refs[s][0] for s in measured if refs[s][0] is not None and refs[s][1] in NEUTRAL_METHODS]
        if len(roll_vals) == 2:
            roll = 0.5 * (roll_vals[0] - roll_vals[1])
            if abs(roll) > rs.max_camera_roll_deg:
                warnings.append(
                    QualityWarning("camera_tilted", f"the camera is rolled by about {abs(roll):.0f} deg (corrected from the neutral shins); level it for best accuracy", abs(roll))
                )
        yaw = self._camera_yaw(clean)
        if yaw is not None and abs(yaw) > rs.max_camera_yaw_deg:
            warnings.append(
                QualityWarning("camera_off_axis", f"the camera looks at the person {abs(yaw):.0f} deg off the test's axis; place it straight in line", abs(yaw))
            )
        if self.name == "prone":
            flex = self._knee_flexion(clean)
            if flex is not None and abs(flex - 90.0) > rs.knee_flexion_tolerance_deg:
                warnings.append(QualityWarning("knee_not_90", f"the knees are bent {flex:.0f} deg; the prone test needs 90 deg", flex))
        if (seq.num_people > 1).any():
            warnings.append(
                QualityWarning("multiple_people", "more than one person was in view; the measured person may have switched", float((seq.num_people > 1).sum()))
            )

    def _camera_yaw(self, seq: PoseSequence) -> float | None:
        """Angle between the thighs (world landmarks) and the camera axis, degrees."""
        vals = []
        for s in SIDES:
            d = seq.world[:, LANDMARK_INDEX[f"{s}_knee"]] - seq.world[:, LANDMARK_INDEX[f"{s}_hip"]]
            ok = np.isfinite(d).all(axis=1)
            if ok.sum() < 5:
                continue
            m = np.median(d[ok], axis=0)
            # the thigh should point along the camera's depth axis (z)
            vals.append(np.degrees(np.arctan2(m[0], abs(m[2]))))
        return float(np.mean(vals)) if vals else None

    def _knee_flexion(self, seq: PoseSequence) -> float | None:
        vals = []
        for s in SIDES:
            hip, knee, ankle = (seq.world[:, LANDMARK_INDEX[f"{s}_{p}"]] for p in ("hip", "knee", "ankle"))
            a, b = unit(hip - knee), unit(ankle - knee)
            cos = np.clip(np.sum(a * b, axis=1), -1, 1)
            ang = np.degrees(np.arccos(cos))
            if np.isfinite(ang).sum() >= 5:
                vals.append(180.0 - np.nanmedian(ang))
        return float(np.mean(vals)) if vals else None


@dataclass
class RotationRun:
    """Everything one analysis produced: the report, the per-frame angle series, and what an
    overlay needs (smoothed knee/ankle tracks, each side's vertical, the held peaks)."""

    report: dict[str, Any]
    time_s: np.ndarray
    frame: np.ndarray
    angles: dict[str, np.ndarray]
    knee: dict[str, np.ndarray]
    ankle: dict[str, np.ndarray]
    reference: dict[str, np.ndarray]
    peaks: dict[str, dict[str, Hold | None]]
    pose: PoseSequence | None = None  # set by api.run_analysis

    def series_rows(self) -> list[tuple[float, float | None, float | None]]:
        """(time_s, left_deg, right_deg) per frame; + = IR (foot lateral)."""
        return [
            (float(t), clean_number(self.angles["left"][i], 2), clean_number(self.angles["right"][i], 2))
            for i, t in enumerate(self.time_s)
        ]


SEATED = register(RotationAnalyzer("seated"))
PRONE = register(RotationAnalyzer("prone"))

"""Error bands: a 95 % half-width (degrees, or % of the hip width for hip shift) on every
reported angle and shift, and the flag / verdict logic that uses them.

A band is ``sqrt(base**2 + sum(term**2))``: a base per measure and condition, measured on
the rendered benchmark (``benchmarks/render``), widened by terms for what makes this
recording worse than the benchmark's typical clip: the view (body turn, camera roll, the
vertical reference's confidence, a thigh read above the bottom because it was
foreshortened), the pose model's confidence at the frames the number is read from, the
share of doubtful frames (``pose_check``) and left/right swaps, and the tracker (markers /
assisted / pose model). Every figure lives in :class:`hipvision.config.BandSettings` with its
provenance. Adding terms in quadrature keeps a band at least its base and monotone in each
term.

Flags: a value is flagged only when it clears its threshold by more than its band; within
the band of the threshold (either side) it is *borderline* (no flag, the report says why).

Pure functions of numbers and report dicts (no numpy arrays in the report); the arrays
needed for a read frame's confidence are reduced by :func:`read_confidence`.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Literal, Mapping

import numpy as np

from .config import BandSettings, Settings
from .landmarks import SIDES

Judgement = Literal["flag", "borderline", "clear"]
#: reported values and bands are rounded to 0.1: a value exactly on threshold + band is borderline
EPS = 1e-6
DIRECTIONS = (("ir", "peak_ir_deg"), ("er", "peak_er_deg"), ("arc", "total_arc_deg"))


def no_bands() -> BandSettings:
    """Settings with every band term zero: flags on the bare thresholds, as before bands
    (for known-answer tests of the thresholds themselves, or to compare with a published
    cut-off applied without a measurement error)."""
    return BandSettings(
        rotation_bases=tuple((t, k, 0.0) for t, k, _ in BandSettings.rotation_bases),
        rotation_per_deg_of_value=0.0, rotation_roll_per_deg=0.0,
        vertical_confidence_deg=tuple((k, 0.0) for k, _ in BandSettings.vertical_confidence_deg),
        confidence_deg_per_unit=0.0, doubtful_deg_per_pct=0.0, hold_doubtful_deg_per_pct=0.0,
        swapped_deg_per_pct=0.0, failed_deg_per_pct=0.0,
        fppa_bases=tuple((t, 0.0) for t, _ in BandSettings.fppa_bases), turn_floor_deg=0.0,
        fppa_turn_factor=0.0, fppa_turn_unknown_deg=0.0, fppa_foreshortened_deg=0.0, rep_doubtful_deg=0.0,
        shift_bases=tuple((t, 0.0) for t, _ in BandSettings.shift_bases), shift_pct_per_turn_deg=0.0,
        shift_turn_unknown_pct=0.0, shift_confidence_pct_per_unit=0.0, shift_doubtful_pct_per_pct=0.0,
        rep_doubtful_shift_pct=0.0, shift_stance_withheld_pct=0.0,
    )


# ------------------------------------------------------------------ core arithmetic
def combine(base: float, *terms: float) -> float:
    """``sqrt(base**2 + sum(t**2))``: never below ``base``, larger with every term."""
    return math.sqrt(base * base + sum(t * t for t in terms))


def difference_band(a: float, b: float) -> float:
    """The band of ``x_a - x_b`` from the two values' bands (independent errors): at least
    each of them."""
    return math.hypot(a, b)


def judge(value: float, threshold: float, band: float) -> Judgement:
    """``flag`` when ``value`` exceeds ``threshold`` by more than ``band``; ``borderline``
    when it is within ``band`` of it (either side); else ``clear``."""
    over = value - threshold
    if over > band + EPS:
        return "flag"
    if over >= -band - EPS:
        return "borderline"
    return "clear"


def norm_verdict(value: float, low: float, high: float, band: float) -> str:
    """below / within / above a norm range; ``borderline`` within ``band`` of either edge."""
    if abs(value - low) <= band + EPS or abs(value - high) <= band + EPS:
        return "borderline"
    return "below" if value < low else "above" if value > high else "within"


def asymmetry_verdict(diff: float, equal_within: float, band: float) -> str:
    """equal when ``|diff|`` is below ``equal_within`` by more than ``band``; not equal when
    above it by more than ``band``; else borderline."""
    d = abs(diff)
    if d < equal_within - band - EPS:
        return "equal"
    if d > equal_within + band + EPS:
        return "not equal"
    return "borderline"


def read_confidence(visibility: np.ndarray, frames: np.ndarray, columns: Iterable[int]) -> float | None:
    """The pose model's confidence at the frames a number is read from: the median over
    ``frames`` (mask or indices) of the lowest visibility of ``columns`` (landmark indices);
    None without a finite value."""
    v = visibility[frames][:, list(columns)]
    low = np.nanmin(np.where(np.isfinite(v), v, np.nan), axis=1) if v.size else np.array([])
    low = low[np.isfinite(low)]
    return float(np.median(low)) if low.size else None


def _r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


def _conf_term(conf: float | None, b: BandSettings) -> float:
    """Low landmark confidence at the read frames; unknown (e.g. markers) adds nothing."""
    if conf is None:
        return 0.0
    return b.confidence_deg_per_unit * max(0.0, b.confidence_ok - conf)


# ------------------------------------------------------------------ rotation
def rotation_peak_band(
    value: float,
    *,
    test: str,
    tracker: str,
    b: BandSettings,
    roll_deg: float | None = None,
    vertical_confidence: str = "high",
    confidence: float | None = None,
    doubtful_pct: float = 0.0,
    swapped_pct: float = 0.0,
    failed_pct: float = 0.0,
    hold_doubtful_pct: float = 0.0,
) -> float:
    """95 % half-width (deg) of one held rotation peak. ``doubtful_pct``: the clip's share of
    doubtful frames; ``hold_doubtful_pct``: the share within this peak's hold for its leg."""
    base = b.rotation_base(test, tracker)
    terms = (
        b.rotation_per_deg_of_value * abs(value),
        b.rotation_roll_per_deg * abs(roll_deg or 0.0),
        dict(b.vertical_confidence_deg).get(vertical_confidence, max(v for _, v in b.vertical_confidence_deg)),
        _conf_term(confidence, b),
        b.doubtful_deg_per_pct * max(0.0, doubtful_pct),
        b.hold_doubtful_deg_per_pct * max(0.0, hold_doubtful_pct),
        b.swapped_deg_per_pct * max(0.0, swapped_pct),
        b.failed_deg_per_pct * max(0.0, failed_pct) if tracker == "model" else 0.0,
    )
    return combine(base, *terms)


def _warning_value(report: Mapping[str, Any], code: str) -> float:
    for w in report.get("warnings") or []:
        if w.get("code") == code and isinstance(w.get("value"), (int, float)):
            return float(w["value"])
    return 0.0


def rotation_basis(tracker: str, b: BandSettings, test: str) -> str:
    return (
        f"95 % band: {b.rotation_base(test, tracker):g} deg base for {test} with the {tracker} tracker "
        "(rendered benchmark), widened for the peak's size, camera roll, the vertical reference's "
        "confidence, the landmarks' confidence over the hold, doubtful and left/right-swapped frames"
    )


def rotation_terms(
    visibility: np.ndarray,
    time_s: np.ndarray,
    peaks: Mapping[str, Mapping[str, Any]],
    index: Mapping[str, int],
    doubtful: Mapping[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    """Per side and direction the landmarks' confidence over the held peak (knee and ankle;
    ``peaks[side][key]`` has ``from_s`` / ``to_s``) and the share (%) of the hold's frames the
    plausibility gate rejected for that leg (``doubtful[side]``, (N,) mask), for
    :func:`annotate_rotation`."""
    out: dict[str, Any] = {}
    for s in SIDES:
        out[s] = {}
        for key, h in (peaks.get(s) or {}).items():
            if h is None:
                continue
            frames = (time_s >= h.from_s) & (time_s <= h.to_s)
            out[s][key] = {"confidence": read_confidence(visibility, frames, (index[f"{s}_knee"], index[f"{s}_ankle"]))}
            if doubtful is not None and frames.any():
                out[s][key]["hold_doubtful_pct"] = round(100 * float(np.mean(doubtful[s][frames])), 1)
    return out


def annotate_rotation(report: dict[str, Any], settings: Settings) -> None:
    """Add the bands to a rotation report (in place) and decide the norm and asymmetry
    verdicts with them. Reads only the report: the tracker (``tracking.mode``, else the pose
    model), ``vertical_reference``, ``pose_check``, the ``sides_swapped`` warning and the
    per-peak confidences the analyzer left in ``band_terms``. Safe to call again after
    ``tracking`` was attached."""
    b, rs = settings.bands, settings.rotation
    test = report["test"]
    tr = report.get("tracking") or {}
    tracker = tr.get("mode") or "model"
    failed = ((tr.get("checks") or {}).get("failed_share") or {}) if tracker == "model" else {}
    vref = report.get("vertical_reference") or {}
    doubtful = float((report.get("pose_check") or {}).get("doubtful_pct") or 0.0)
    swapped = _warning_value(report, "sides_swapped")
    terms = report.setdefault("band_terms", {})
    for s in SIDES:
        doc = report["sides"][s]
        st = terms.setdefault(s, {})
        for key, field in DIRECTIONS[:2]:
            v = doc.get(field)
            # the pose model's visibility; a sticker's or a marked patch's confidence is another scale
            conf = (st.get(key) or {}).get("confidence") if tracker == "model" else None
            hold = float((st.get(key) or {}).get("hold_doubtful_pct") or 0.0)
            band = None
            if v is not None:
                band = rotation_peak_band(
                    v, test=test, tracker=tracker, b=b, roll_deg=vref.get("camera_roll_deg"),
                    vertical_confidence=vref.get("confidence") or "low", confidence=conf,
                    doubtful_pct=doubtful, swapped_pct=swapped, failed_pct=100 * float(failed.get(s) or 0.0),
                    hold_doubtful_pct=hold,
                )
            doc[f"peak_{key}_band_deg"] = _r(band)
            st[key] = {"confidence": _r((st.get(key) or {}).get("confidence"), 3), "hold_doubtful_pct": _r(hold)}
        ir, er = doc.get("peak_ir_band_deg"), doc.get("peak_er_band_deg")
        # arc = IR + ER: a neutral-reference error moves them oppositely, so the rest is independent
        doc["total_arc_band_deg"] = _r(difference_band(ir, er)) if ir is not None and er is not None and doc.get("total_arc_deg") is not None else None
        for key, n in (doc.get("norms") or {}).items():
            band = doc.get({"ir": "peak_ir_band_deg", "er": "peak_er_band_deg", "arc": "total_arc_band_deg"}[key])
            n["value_band_deg"] = band
            if n.get("value_deg") is None or band is None:
                continue
            lo, hi = n["band_deg"]
            n["verdict"] = norm_verdict(n["value_deg"], lo, hi, band)
    for key, field in DIRECTIONS:
        a = (report.get("asymmetry") or {}).get(key)
        if not a:
            continue
        bands = [report["sides"][s].get(field.replace("_deg", "_band_deg")) for s in SIDES]
        if None in bands:
            continue
        band = difference_band(*bands)  # type: ignore[arg-type]
        a["band_deg"] = _r(band)
        a["measurement_error_deg"] = a["band_deg"]  # alias (schema 1.1)
        a["verdict"] = asymmetry_verdict(a["left_minus_right_deg"], rs.equal_within_deg, a["band_deg"])
    report["band_basis"] = rotation_basis(tracker, b, test)


# ------------------------------------------------------------------ screening
def fppa_band(
    *,
    test: str,
    b: BandSettings,
    turn_effect_deg: float | None = None,
    read_above_bottom: bool = False,
    confidence: float | None = None,
    doubtful_pct: float = 0.0,
    rep_doubtful: bool = False,
) -> float:
    """95 % half-width (deg) of one knee's FPPA in one rep.

    ``turn_effect_deg``: how far the body's (measured, at least ``b.turn_floor_deg``) turn
    could move this knee's FPPA (turn x change per degree at the read frames); None when
    unknown (no rebuilt legs): then ``b.fppa_turn_unknown_deg``."""
    turn = b.fppa_turn_unknown_deg if turn_effect_deg is None else b.fppa_turn_factor * abs(turn_effect_deg)
    return combine(
        b.fppa_base(test),
        turn,
        b.fppa_foreshortened_deg if read_above_bottom else 0.0,
        _conf_term(confidence, b),
        b.doubtful_deg_per_pct * max(0.0, doubtful_pct),
        b.rep_doubtful_deg if rep_doubtful else 0.0,
    )


def hip_shift_band(
    *, test: str, b: BandSettings, turn_deg: float | None = None, confidence: float | None = None,
    doubtful_pct: float = 0.0, rep_doubtful: bool = False, stance_knee_withheld: bool = False,
) -> float:
    """95 % half-width (% of the hip width) of one rep's hip shift. ``turn_deg``: the body's
    turn from the camera (the larger of the clip's turn and the rep's own yaw reading): a
    turned pelvis moving back reads as a sideways shift; beyond ``b.turn_floor_deg`` (what
    square views read) it adds ``b.shift_pct_per_turn_deg`` per degree. None = unknown:
    ``b.shift_turn_unknown_pct``. ``stance_knee_withheld``: a single-leg rep whose stance
    knee's FPPA was withheld (hidden by the free leg, or a turned body): the stance leg's
    landmarks at the bottom are uncertain too (``b.shift_stance_withheld_pct``)."""
    turn = b.shift_turn_unknown_pct if turn_deg is None else b.shift_pct_per_turn_deg * max(0.0, abs(turn_deg) - b.turn_floor_deg)
    return combine(
        b.shift_base(test),
        turn,
        b.shift_confidence_pct_per_unit * max(0.0, b.confidence_ok - confidence) if confidence is not None else 0.0,
        b.shift_doubtful_pct_per_pct * max(0.0, doubtful_pct),
        b.rep_doubtful_shift_pct if rep_doubtful else 0.0,
        b.shift_stance_withheld_pct if stance_knee_withheld else 0.0,
    )


def screening_basis(test: str, b: BandSettings) -> str:
    return (
        f"95 % bands: FPPA {b.fppa_base(test):g} deg base, hip shift {b.shift_base(test):g} % base for {test} "
        "(rendered benchmark), widened for the body's turn (times the knee's FPPA change per degree), a thigh read "
        "above the bottom, the landmarks' confidence at the bottom and doubtful frames"
    )


def screening_flag(value: float, threshold: float, band: float) -> tuple[bool, bool]:
    """(flag, borderline) for a one-sided threshold (FPPA valgus; hip shift by magnitude)."""
    j = judge(value, threshold, band)
    return j == "flag", j == "borderline"


def annotate_rep(
    rep: dict[str, Any],
    *,
    test: str,
    b: BandSettings,
    fppa_threshold: float,
    shift_threshold: float,
    turn_deg: float | None,
    per_deg: Mapping[str, float | None],
    peak_per_deg: Mapping[str, float | None],
    confidence: Mapping[str, float | None],
    doubtful_pct: float,
) -> dict[str, Any]:
    """Bands and flags of one screening rep (in place); returns its ``band_terms``.

    ``per_deg`` / ``peak_per_deg``: per side, the FPPA change per degree of turn at the
    bottom / at the peak frame (None = unknown); ``confidence``: per side the landmarks'
    confidence at the bottom (``"shift"``: the hips' and ankles')."""
    turn = max(abs(turn_deg), b.turn_floor_deg) if turn_deg is not None else None
    doubt = bool(rep.get("doubtful_pose"))
    terms: dict[str, Any] = {"turn_deg": _r(turn_deg), "rep_yaw_deg": rep.get("body_yaw_deg"), "doubtful_pct": _r(doubtful_pct)}
    for s in SIDES:
        d = rep.get(s)
        if not d or d.get("fppa_deg") is None:
            continue

        def effect(pd: float | None) -> float | None:
            return None if turn is None or pd is None else turn * pd

        common = dict(test=test, b=b, read_above_bottom="fppa_at_depth_pct" in d, confidence=confidence.get(s),
                      doubtful_pct=doubtful_pct, rep_doubtful=doubt)
        # judged on the reported (rounded) value and band, so the report reads consistently
        band = _r(fppa_band(turn_effect_deg=effect(per_deg.get(s)), **common))  # type: ignore[arg-type]
        d["fppa_band_deg"] = band
        judged, jband = d["fppa_deg"], band
        if d.get("fppa_peak_deg") is not None:
            pb = _r(fppa_band(turn_effect_deg=effect(peak_per_deg.get(s)), **common))  # type: ignore[arg-type]
            d["fppa_peak_band_deg"] = pb
            judged, jband = d["fppa_peak_deg"], pb
        d["valgus"], d["valgus_borderline"] = screening_flag(judged, fppa_threshold, jband)
        terms[s] = {"confidence": _r(confidence.get(s), 3), "per_deg": _r(per_deg.get(s), 2)}
    if rep.get("hip_shift_pct") is not None:
        yaws = [abs(v) for v in (turn_deg, rep.get("body_yaw_deg")) if v is not None]
        knees = [rep[s] for s in SIDES if rep.get(s)]
        withheld = test.startswith("single") and bool(knees) and all(k.get("fppa_deg") is None for k in knees)
        band = _r(hip_shift_band(test=test, b=b, turn_deg=max(yaws) if yaws else None, confidence=confidence.get("shift"),
                                 doubtful_pct=doubtful_pct, rep_doubtful=doubt, stance_knee_withheld=withheld))
        terms["stance_knee_withheld"] = withheld
        rep["hip_shift_band_pct"] = band
        rep["hip_shift"], rep["hip_shift_borderline"] = screening_flag(abs(rep["hip_shift_pct"]), shift_threshold, band)
    else:
        rep["hip_shift_band_pct"] = None
        rep["hip_shift_borderline"] = False if rep.get("hip_shift_pct") is None and rep.get("view") == "frontal" else None
    return terms


def annotate_screening(
    reps: list[dict[str, Any]],
    bottoms: list[np.ndarray],
    *,
    test: str,
    settings: Settings,
    time_s: np.ndarray,
    turn_deg: float | None,
    turn_sens: Mapping[str, np.ndarray] | None,
    visibility: np.ndarray,
    index: Mapping[str, int],
    doubtful_pct: float,
) -> dict[str, Any]:
    """Bands and band-aware flags on every screening rep (in place). ``bottoms``: per rep the
    (N,) mask of the frames its bottom values come from; ``turn_sens``: per side and frame
    the FPPA change per degree of turn (None: unknown). Returns the ``band_terms`` per rep."""
    b, ss = settings.bands, settings.screening
    out: dict[str, Any] = {}
    for rep, bottom in zip(reps, bottoms):
        per_deg: dict[str, float | None] = {}
        peak_per_deg: dict[str, float | None] = {}
        conf: dict[str, float | None] = {}
        for s in SIDES:
            sens = turn_sens[s] if turn_sens is not None else None
            if sens is not None and np.isfinite(sens[bottom]).any():
                per_deg[s] = float(np.nanmedian(sens[bottom]))
            else:
                per_deg[s] = None
            peak_s = (rep.get(s) or {}).get("fppa_peak_s")
            peak_per_deg[s] = per_deg[s]
            if sens is not None and peak_s is not None:
                k = int(np.argmin(np.abs(time_s - peak_s)))
                if np.isfinite(sens[k]):
                    peak_per_deg[s] = float(sens[k])
            conf[s] = read_confidence(visibility, bottom, [index[f"{s}_{p}"] for p in ("hip", "knee", "ankle")])
        conf["shift"] = read_confidence(visibility, bottom, [index[f"{s}_{p}"] for s in SIDES for p in ("hip", "ankle")])
        out[str(rep["index"])] = annotate_rep(
            rep, test=test, b=b, fppa_threshold=ss.fppa_threshold(), shift_threshold=ss.hip_shift_threshold_pct,
            turn_deg=turn_deg, per_deg=per_deg, peak_per_deg=peak_per_deg, confidence=conf, doubtful_pct=doubtful_pct,
        )
    return out


def borderline_counts(reps: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Summary counts over the complete reps: borderline knees per side and hip shifts."""
    done = [r for r in reps if r.get("complete", True)]
    return {
        "valgus_borderline_reps": {s: sum(bool((r.get(s) or {}).get("valgus_borderline")) for r in done) for s in SIDES},
        "hip_shift_borderline_reps": sum(bool(r.get("hip_shift_borderline")) for r in done),
    }

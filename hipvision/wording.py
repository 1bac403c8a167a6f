"""Plain-language wording shared by every place a report is shown (the text summary, the
dashboard and the HTML report), so that each says the same thing in the same words.
Pure functions of the typed report's parts (:mod:`hipvision.schema` and the families'
``schema`` modules; described here by what they read, so that this module depends on no
family); no formatting of the page itself."""

from __future__ import annotations

from typing import Any, Iterable, Protocol, Sequence


class KneeReading(Protocol):
    """A knee in a screening rep (``hipvision.analyzers.screening.schema.Knee``)."""

    @property
    def fppa_deg(self) -> float | None: ...
    @property
    def fppa_band_deg(self) -> float | None: ...
    @property
    def fppa_peak_deg(self) -> float | None: ...
    @property
    def fppa_peak_band_deg(self) -> float | None: ...
    @property
    def fppa_peak_s(self) -> float | None: ...
    @property
    def fppa_peak_phase(self) -> str | None: ...
    @property
    def fppa_peak_depth_pct(self) -> float | None: ...
    @property
    def fppa_at_depth_pct(self) -> float | None: ...
    @property
    def valgus_borderline(self) -> bool | None: ...
    @property
    def read_above_bottom(self) -> bool: ...


class ShiftReading(Protocol):
    """A screening rep's hip shift (``hipvision.analyzers.screening.schema.Rep``)."""

    @property
    def hip_shift_pct(self) -> float | None: ...
    @property
    def hip_shift_band_pct(self) -> float | None: ...
    @property
    def hip_shift_borderline(self) -> bool | None: ...


class NormReading(Protocol):
    """A rotation value against its norm (``hipvision.analyzers.rotation.schema.Norm``)."""

    @property
    def value_deg(self) -> float | None: ...
    @property
    def band_deg(self) -> tuple[float, ...]: ...
    @property
    def value_band_deg(self) -> float | None: ...
    @property
    def verdict(self) -> str | None: ...


class AsymmetryReading(Protocol):
    """Left against right (``hipvision.analyzers.rotation.schema.Asymmetry``)."""

    @property
    def left_minus_right_deg(self) -> float | None: ...
    @property
    def verdict(self) -> str: ...
    @property
    def lower_side(self) -> str | None: ...
    @property
    def equal_within_deg(self) -> float: ...
    @property
    def band_deg(self) -> float | None: ...
    @property
    def measurement_error_deg(self) -> float: ...

    def has(self, key: str) -> bool: ...

#: what "read at N % depth" beside a knee's FPPA means (a legend beside the rep table)
FPPA_CAVEAT_LEGEND = (
    '"read at N % depth": not the FPPA at the bottom of the rep (its depth is in the depth column). '
    "Deeper down the thigh points at the camera (foreshortened) and the 2-D knee angle has no "
    "meaning there, so FPPA was read at the deepest point where the thigh still points down, "
    "N % depth. Published FPPA norms are read at the bottom of shallower squats: compare with care."
)


#: what the two FPPA numbers of a rep mean (shown beside every rep table)
FPPA_DEFINITION = (
    "FPPA: the knee's frontal-plane projection angle (thigh against shin as the camera sees them), "
    "+ = valgus (knee caving in), - = varus. \"bottom\": at the deepest point of the rep where the "
    "thigh still points down the image. \"peak\": the most valgus over the loaded part of the rep "
    "(deeper than half its depth, on the way down and on the way up, wherever the thigh is "
    "measurable), with when it happened; the valgus flag is raised on the peak. 2-D FPPA is "
    "published for roughly the first 60 deg of knee flexion (single-leg squats, landings); "
    "deeper, the thigh points at the camera and no 2-D angle is read."
)

#: what the ± beside every number means (shown once beside each results table)
BAND_LEGEND = (
    "±: hipvision's 95 % error band for that number in this recording (from the rendered-avatar "
    "validation, widened for the view, the pose model's confidence and doubtful frames). A flag is "
    "raised only when a value clears its threshold by more than its band; within the band it is "
    "\"borderline\": it may lie on either side."
)


def summary_tail(band_basis: str | None, warnings: Iterable[Any]) -> list[str]:
    """The last lines of a text summary: the band legend with this report's basis (when it
    has one), then each warning as "warning [code]: message"."""
    lines = [f"  {BAND_LEGEND} Here: {band_basis}."] if band_basis else []
    return lines + [f"  warning [{w.code}]: {w.message}" for w in warnings]


def rep_list(indices: Sequence[str]) -> str:
    """Rep numbers for a sentence: "rep 3", "reps 2, 4"."""
    return f"rep{'s' if len(indices) > 1 else ''} {', '.join(indices)}"


def with_band(value: float | None, band: float | None, unit: str = "°", nd: int = 1) -> str:
    """A number with its error band: "26.5 ± 4.8°", with ``unit=" %"`` "9.1 ± 10.0 %";
    without a band just the number; "-" without a value."""
    if value is None:
        return "-"
    if band is None:
        return f"{value:.{nd}f}{unit}"
    return f"{value:.{nd}f} ± {band:.{nd}f}{unit}"


def borderline_sentence(what: str, value: float, threshold: float, band: float, unit: str = "°") -> str:
    """Why a value is borderline: "knee valgus 11.2° is within its ±7.9° error band of the
    10° threshold: borderline, neither flagged nor ruled out" (``unit=" %"`` for hip shift)."""
    return (
        f"{what} {value:.1f}{unit} is within its ±{band:.1f}{unit} error band of the {threshold:g}{unit} "
        "threshold: borderline, neither flagged nor ruled out"
    )


def norm_sentence(side: str, key: str, n: NormReading) -> str:
    """A norm verdict: "left IR 26.5 ± 4.8° is below 30-45°"; borderline says why."""
    label = key.upper() if key != "arc" else "arc"
    lo, hi = n.band_deg
    value = with_band(n.value_deg, n.value_band_deg)
    if n.verdict == "borderline" and n.value_deg is not None:
        edge = lo if abs(n.value_deg - lo) <= abs(n.value_deg - hi) else hi
        return (f"{side} {label} {value} is borderline for {lo:g}-{hi:g}°: within its error band of the "
                f"{edge:g}° edge, so it may lie on either side")
    return f"{side} {label} {value} is {n.verdict} {lo:g}-{hi:g}°"


def knee_band_note(side: KneeReading | None, threshold: float) -> str:
    """The borderline sentence for a knee whose judged FPPA is within its band of the valgus
    threshold; "" otherwise."""
    if not side or not side.valgus_borderline:
        return ""
    peak = side.fppa_peak_deg is not None
    value = side.fppa_peak_deg if peak else side.fppa_deg
    band = side.fppa_peak_band_deg if peak else side.fppa_band_deg
    if band is None or value is None:
        return ""
    return borderline_sentence("peak knee valgus" if peak else "knee valgus", value, threshold, band)


def shift_band_note(rep: ShiftReading, threshold: float) -> str:
    """The borderline sentence for a rep's hip shift; "" otherwise."""
    if not rep.hip_shift_borderline or rep.hip_shift_pct is None or rep.hip_shift_band_pct is None:
        return ""
    return borderline_sentence("hip shift", abs(rep.hip_shift_pct), threshold, rep.hip_shift_band_pct, " %")


_PHASE = {"descent": "on the way down", "bottom": "at the bottom", "ascent": "on the way up"}
_PHASE_SHORT = {"descent": "down", "bottom": "bottom", "ascent": "up"}


def fppa_peak(side: KneeReading | None, *, short: bool = False) -> str:
    """A knee's peak valgus in a rep with when it happened: "peak 14.2° on the way up at
    1.52 s (40 % depth)", or with ``short`` "peak 14.2 up 1.52s"; "" without one."""
    if not side or side.fppa_peak_deg is None:
        return ""
    v, ph, t = side.fppa_peak_deg, side.fppa_peak_phase or "", side.fppa_peak_s
    pb = side.fppa_peak_band_deg
    when = "" if t is None else f" {t:.2f}s" if short else f" at {t:.2f} s"
    if short:
        return f"peak {v:.1f}{'' if pb is None else f'±{pb:.0f}'} {_PHASE_SHORT.get(ph, ph)}{when}"
    depth = side.fppa_peak_depth_pct
    return f"peak {with_band(v, pb)} {_PHASE.get(ph, ph)}{when}" + (f" ({depth:.0f} % depth)" if depth is not None else "")


def fppa_caveat(side: KneeReading | None, *, short: bool = False) -> str:
    """Where a knee's FPPA was read, when that was not the rep's bottom (the thigh was
    foreshortened deeper down): "read at 29 % depth: thigh foreshortened below", or with
    ``short`` "read at 29 % depth" (narrow tables, with :data:`FPPA_CAVEAT_LEGEND` beside).
    "" when the value was read at the bottom or there is no value."""
    if not side or side.fppa_deg is None or not side.read_above_bottom:
        return ""
    at = side.fppa_at_depth_pct
    where = f"read at {at:.0f} % depth" if at is not None else "read above the bottom"
    return where if short else f"{where}: thigh foreshortened below"


def fppa_with_caveat(side: KneeReading | None, unit: str = "°") -> str | None:
    """A knee's FPPA with its caveat beside it: "-45.0° (read at 29 % depth: thigh
    foreshortened below)", "8.2°" read at the bottom; None without a value."""
    if not side or side.fppa_deg is None:
        return None
    caveat = fppa_caveat(side)
    peak = fppa_peak(side)
    return f"bottom {with_band(side.fppa_deg, side.fppa_band_deg, unit)}" + (f" ({caveat})" if caveat else "") + (f"; {peak}" if peak else "")


def has_fppa_caveat(knees: Iterable[KneeReading | None]) -> bool:
    """Whether any of a report's knees had its FPPA read above the bottom (then show
    :data:`FPPA_CAVEAT_LEGEND`)."""
    return any(fppa_caveat(k) for k in knees)


def asymmetry_sentence(a: AsymmetryReading) -> str:
    """A rotation asymmetry entry (``left_minus_right_deg``, ``verdict``, ``equal_within_deg``,
    ``band_deg`` (else ``measurement_error_deg``), ``lower_side``) as a sentence a person
    understands."""
    diff = abs(a.left_minus_right_deg or 0.0)
    within = a.equal_within_deg
    err = a.band_deg if a.has("band_deg") else a.measurement_error_deg
    head = f"left and right differ by {with_band(diff, err)}"
    if a.verdict == "equal":
        return f"{head}: within the {within:g}° usually called equal, even allowing for the error band"
    if a.lower_side:
        head += f" ({a.lower_side} lower)"
    if a.verdict == "borderline":
        side = "more" if diff > within else "less"
        return (
            f"{head}: {side} than the {within:g}° usually called equal, but within its error band of it "
            "(borderline), so neither a clear difference nor clearly equal"
        )
    return (
        f"{head}: more than the {within:g}° usually called equal even allowing for the error band, "
        "so a clear difference"
    )

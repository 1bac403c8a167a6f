"""Plain-language wording shared by every place a report is shown (the text summary, the
dashboard and the HTML report), so that each says the same thing in the same words.
Pure functions of the report's dicts; no formatting of the page itself."""

from __future__ import annotations

from typing import Any, Mapping

#: what "read at N % depth" beside a knee's FPPA means (a legend beside the rep table)
FPPA_CAVEAT_LEGEND = (
    '"read at N % depth": not the FPPA at the bottom of the rep (its depth is in the depth column). '
    "Deeper down the thigh points at the camera (foreshortened) and the 2-D knee angle has no "
    "meaning there, so FPPA was read at the deepest point where the thigh still points down, "
    "N % depth. Published FPPA norms are read at the bottom of shallower squats: compare with care."
)


def fppa_caveat(side: Mapping[str, Any] | None, *, short: bool = False) -> str:
    """Where a knee's FPPA was read, when that was not the rep's bottom (the thigh was
    foreshortened deeper down): "read at 29 % depth: thigh foreshortened below", or with
    ``short`` "read at 29 % depth" (narrow tables, with :data:`FPPA_CAVEAT_LEGEND` beside).
    "" when the value was read at the bottom or there is no value."""
    if not side or side.get("fppa_deg") is None or "fppa_at_depth_pct" not in side:
        return ""
    at = side["fppa_at_depth_pct"]
    where = f"read at {at:.0f} % depth" if at is not None else "read above the bottom"
    return where if short else f"{where}: thigh foreshortened below"


def fppa_with_caveat(side: Mapping[str, Any] | None, unit: str = "°") -> str | None:
    """A knee's FPPA with its caveat beside it: "-45.0° (read at 29 % depth: thigh
    foreshortened below)", "8.2°" read at the bottom; None without a value."""
    if not side or side.get("fppa_deg") is None:
        return None
    caveat = fppa_caveat(side)
    return f"{side['fppa_deg']:.1f}{unit}" + (f" ({caveat})" if caveat else "")


def has_fppa_caveat(report: Mapping[str, Any]) -> bool:
    """Whether any rep's FPPA was read above the bottom (then show :data:`FPPA_CAVEAT_LEGEND`)."""
    return any(fppa_caveat(r.get(s)) for r in report.get("reps") or [] for s in ("left", "right"))


def worst_knee(report: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The rep side dict of the summary's worst rep (for its caveat); None without one."""
    w = (report.get("summary") or {}).get("worst_rep")
    if not w:
        return None
    rep = next((r for r in report.get("reps") or [] if r.get("index") == w["index"]), None)
    return (rep or {}).get(w["side"])


def asymmetry_sentence(a: Mapping[str, Any]) -> str:
    """A rotation asymmetry entry (``left_minus_right_deg``, ``verdict``, ``equal_within_deg``,
    ``measurement_error_deg``, ``lower_side``) as a sentence a person understands."""
    diff = abs(a["left_minus_right_deg"])
    within, err = a["equal_within_deg"], a["measurement_error_deg"]
    head = f"left and right differ by {diff:.1f}°"
    if a["verdict"] == "equal":
        return f"{head}: within the {within:g}° usually called equal"
    if a.get("lower_side"):
        head += f" ({a['lower_side']} lower)"
    if a["verdict"] == "borderline":
        return (
            f"{head}: more than the {within:g}° usually called equal, but within hipvision's "
            f"{err:g}° measurement error of it, so not a clear difference"
        )
    return (
        f"{head}: more than the {within:g}° usually called equal even allowing for hipvision's "
        f"{err:g}° measurement error, so a clear difference"
    )

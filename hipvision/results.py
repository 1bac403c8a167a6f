"""Report building blocks shared by the analyzers: schema version, warnings, provenance, and
the flat key-number rows (:class:`ResultRow`) the families' metrics give (see
:mod:`hipvision.flatten`)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from . import __version__

#: version of the JSON report layout; bump the major number on breaking changes
SCHEMA_VERSION = "1.2"


@dataclass(frozen=True)
class QualityWarning:
    """A named quality problem with the measured value that triggered it."""

    code: str
    message: str
    value: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["value"] = clean_number(self.value)
        return d


def clean_number(v: float | None, digits: int = 2) -> float | None:
    """JSON-safe rounding: NaN/inf/None -> None."""
    if v is None:
        return None
    v = float(v)
    return round(v, digits) if math.isfinite(v) else None


def provenance() -> dict[str, Any]:
    return {"hipvision_version": __version__, "schema_version": SCHEMA_VERSION}


@dataclass(frozen=True)
class ResultRow:
    """One key number of a session: ``side`` is the person's "left" / "right" or "" (whole
    body); ``rep`` 0 = the whole session."""

    metric: str
    side: str
    rep: int
    value: float


def finite_number(v: Any) -> float | None:
    """``v`` as a finite float, else None (None, text, NaN, inf)."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def add_row(rows: list[ResultRow], metric: str, side: str, rep: int, v: Any) -> None:
    """Append ``(metric, side, rep, v)`` to ``rows`` when ``v`` is a finite number."""
    f = finite_number(v)
    if f is not None:
        rows.append(ResultRow(metric, side, rep, f))


#: a screening knee's fields that only mean something with its FPPA
FPPA_DETAIL_KEYS = ("fppa_method", "fppa_peak_deg", "fppa_peak_s", "fppa_peak_phase", "fppa_peak_depth_pct", "fppa_at_depth_pct")


def withhold_fppa(knee: dict[str, Any], note: str) -> None:
    """Withhold a screening knee's FPPA in place (while building a report): the value, its
    peak and details, the valgus flag and the knee displacement become null / absent and
    ``fppa_note`` says why (``note``, starting "withheld: ...")."""
    for k in FPPA_DETAIL_KEYS:
        knee.pop(k, None)
    knee.update(fppa_deg=None, valgus=None, medial_knee_displacement=None, fppa_note=note)

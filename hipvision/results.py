"""Report building blocks shared by the analyzers: schema version, warnings, provenance."""

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

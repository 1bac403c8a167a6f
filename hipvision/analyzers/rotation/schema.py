"""The rotation tests' report (``--test seated`` / ``prone``) as typed records; the JSON
layout is docs/REPORT_SCHEMA.md, "Hip rotation". Angles in degrees, + = internal rotation
(foot lateral); peaks are positive magnitudes; left/right are the person's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ...schema import OMIT_NONE, Record, Report

#: the directions and their sum, as the report keys them
Measure = Literal["ir", "er", "arc"]
MEASURES: tuple[Measure, ...] = ("ir", "er", "arc")


@dataclass(frozen=True, kw_only=True)
class Held(Record):
    """Where a held peak was: its frame (``at_s``) and the plateau around it (s)."""

    at_s: float | None = None
    from_s: float | None = None
    to_s: float | None = None


@dataclass(frozen=True, kw_only=True)
class Norm(Record):
    """A value against its published band (``sides.<side>.norms.<measure>``)."""

    value_deg: float | None = None
    #: the norm range [low, high] (deg)
    band_deg: tuple[float, ...] = ()
    #: schema 1.2: the value's error band (half-width, deg)
    value_band_deg: float | None = field(default=None, metadata=OMIT_NONE)
    #: below | within | above | borderline (schema 1.2: within value_band_deg of an edge);
    #: None without a value
    verdict: str | None = None
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class Norms(Record):
    """The norms of one side; a measure without a published band is absent."""

    ir: Norm | None = None
    er: Norm | None = None
    arc: Norm | None = None

    def items(self) -> list[tuple[Measure, Norm]]:
        """(measure, norm) for the measures the report judged, in report order."""
        return [(m, n) for m in self._order() if (n := getattr(self, m)) is not None]

    def _order(self) -> list[Measure]:
        keys = self._keys if self._keys is not None else MEASURES
        return [k for k in keys if k in MEASURES]  # type: ignore[misc]


@dataclass(frozen=True, kw_only=True)
class RotationSide(Record):
    """One side's numbers (``sides.<side>``)."""

    #: knee and ankle seen well enough
    measured: bool = True
    peak_ir_deg: float | None = None
    ir_held: Held | None = None
    ir_attempts: int = 0
    peak_er_deg: float | None = None
    er_held: Held | None = None
    er_attempts: int = 0
    total_arc_deg: float | None = None
    range_deg: float | None = None
    norms: Norms = field(default_factory=Norms)
    #: schema 1.2: each value's 95 % error band, a half-width (deg)
    peak_ir_band_deg: float | None = field(default=None, metadata=OMIT_NONE)
    peak_er_band_deg: float | None = field(default=None, metadata=OMIT_NONE)
    total_arc_band_deg: float | None = field(default=None, metadata=OMIT_NONE)

    def value(self, measure: Measure) -> float | None:
        """The side's IR, ER or total arc."""
        return {"ir": self.peak_ir_deg, "er": self.peak_er_deg, "arc": self.total_arc_deg}[measure]

    def held(self, measure: Measure) -> Held | None:
        """Where the IR or ER peak was held (None for the arc)."""
        return {"ir": self.ir_held, "er": self.er_held, "arc": None}[measure]

    def band(self, measure: Measure) -> float | None:
        """The value's error band (half-width, schema 1.2), None when not given."""
        return {"ir": self.peak_ir_band_deg, "er": self.peak_er_band_deg, "arc": self.total_arc_band_deg}[measure]


@dataclass(frozen=True, kw_only=True)
class RotationSides(Record):
    left: RotationSide = field(default_factory=RotationSide)
    right: RotationSide = field(default_factory=RotationSide)

    def of(self, side: str) -> RotationSide:
        """The person's ``"left"`` or ``"right"`` side."""
        return self.left if side == "left" else self.right


@dataclass(frozen=True, kw_only=True)
class Asymmetry(Record):
    """Left against right for one measure (``asymmetry.<measure>``)."""

    left_minus_right_deg: float | None = None
    #: equal | borderline | not equal
    verdict: str = ""
    lower_side: str | None = None
    equal_within_deg: float = 0.0
    #: schema 1.2: the difference's error band (half-width, deg)
    band_deg: float | None = field(default=None, metadata=OMIT_NONE)
    #: 1.2: alias of band_deg; 1.0 / 1.1: a constant
    measurement_error_deg: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Asymmetries(Record):
    """Per measure; None where a side lacks the value."""

    ir: Asymmetry | None = None
    er: Asymmetry | None = None
    arc: Asymmetry | None = None

    def of(self, measure: Measure) -> Asymmetry | None:
        return getattr(self, measure)

    def items(self) -> list[tuple[Measure, Asymmetry | None]]:
        keys = self._keys if self._keys is not None else MEASURES
        return [(k, getattr(self, k)) for k in keys if k in MEASURES]  # type: ignore[misc]


@dataclass(frozen=True, kw_only=True)
class SideOffsets(Record):
    """Per side (deg, + = lateral)."""

    left: float | None = None
    right: float | None = None


@dataclass(frozen=True, kw_only=True)
class RotationVertical(Record):
    """How the true vertical was found (``vertical_reference``)."""

    method: str = ""
    #: high | medium | low
    confidence: str = ""
    per_side_offset_deg: SideOffsets = field(default_factory=SideOffsets)
    camera_roll_deg: float | None = None
    neutral_disagreement_deg: float | None = None


@dataclass(frozen=True, kw_only=True)
class RotationReport(Report):
    """A seated or prone hip-rotation report."""

    mirrored: bool = False
    sides: RotationSides = field(default_factory=RotationSides)
    asymmetry: Asymmetries = field(default_factory=Asymmetries)
    vertical_reference: RotationVertical | None = None
    #: schema 1.2: what the error bands come from (one sentence)
    band_basis: str | None = field(default=None, metadata=OMIT_NONE)
    #: schema 1.2: the per-number inputs of the bands, per side and measure (kept as JSON)
    band_terms: dict[str, Any] | None = field(default=None, metadata=OMIT_NONE)

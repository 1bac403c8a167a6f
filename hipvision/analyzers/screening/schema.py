"""The screening tests' report (squats and hinges) as typed records; the JSON layout is
docs/REPORT_SCHEMA.md, "Screening". FPPA in degrees, + = valgus (knee medial), - = varus;
hip shift in % of the hip width, + = towards the person's left; left/right are the
person's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...schema import OMIT_NONE, Record, Report


@dataclass(frozen=True, kw_only=True)
class Knee(Record):
    """One knee in one rep (``reps[].left`` / ``right``). A withheld FPPA is None with the
    reason in ``fppa_note``."""

    fppa_deg: float | None = None
    medial_knee_displacement: float | None = None
    #: the most valgus over the loaded part of the rep, when, in which phase, at what depth
    fppa_peak_deg: float | None = field(default=None, metadata=OMIT_NONE)
    fppa_peak_s: float | None = field(default=None, metadata=OMIT_NONE)
    #: descent | bottom | ascent
    fppa_peak_phase: str | None = field(default=None, metadata=OMIT_NONE)
    fppa_peak_depth_pct: float | None = field(default=None, metadata=OMIT_NONE)
    #: the peak (else the bottom value) above the threshold; None when withheld
    valgus: bool | None = None
    #: only when the thigh was foreshortened at the bottom: the depth % FPPA was read at
    fppa_at_depth_pct: float | None = field(default=None, metadata=OMIT_NONE)
    fppa_note: str | None = field(default=None, metadata=OMIT_NONE)
    #: image | square-view; absent when withheld
    fppa_method: str | None = field(default=None, metadata=OMIT_NONE)
    #: schema 1.2: 95 % error bands (half-widths, deg) of fppa_deg and fppa_peak_deg
    fppa_band_deg: float | None = field(default=None, metadata=OMIT_NONE)
    fppa_peak_band_deg: float | None = field(default=None, metadata=OMIT_NONE)
    #: schema 1.2: the judged value lies within its band of the threshold (not flagged)
    valgus_borderline: bool | None = field(default=None, metadata=OMIT_NONE)

    @property
    def read_above_bottom(self) -> bool:
        """FPPA was read above the rep's bottom (the thigh was foreshortened deeper)."""
        return self.has("fppa_at_depth_pct")

    @property
    def judged_deg(self) -> float | None:
        """The FPPA the valgus flag was judged on: the peak, else the bottom value."""
        return self.fppa_peak_deg if self.fppa_peak_deg is not None else self.fppa_deg

    @property
    def judged_band_deg(self) -> float | None:
        """The error band of :attr:`judged_deg` (schema 1.2)."""
        return self.fppa_peak_band_deg if self.fppa_peak_deg is not None else self.fppa_band_deg


@dataclass(frozen=True, kw_only=True)
class Rep(Record):
    """One rep (``reps[]``). ``left`` / ``right`` are None where not judged (side or oblique
    view, or the free leg in single-leg tests)."""

    index: int = 0
    start_s: float | None = None
    bottom_s: float | None = None
    end_s: float | None = None
    depth_pct: float | None = None
    #: false: the clip cuts the rep off (older reports: every rep complete)
    complete: bool = True
    incomplete_reason: str | None = None
    #: frontal | oblique | side | unknown
    view: str = "unknown"
    body_yaw_deg: float | None = None
    left: Knee | None = None
    right: Knee | None = None
    hip_shift_pct: float | None = None
    hip_shift_toward: str | None = None
    hip_shift: bool | None = None
    #: why hip shift is withheld (single-leg reps whose legs' labels swap at the bottom)
    hip_shift_note: str | None = field(default=None, metadata=OMIT_NONE)
    fppa_left_minus_right_deg: float | None = field(default=None, metadata=OMIT_NONE)
    knee_flexion_deg: float | None = field(default=None, metadata=OMIT_NONE)
    trunk_lean_deg: float | None = field(default=None, metadata=OMIT_NONE)
    view_note: str | None = field(default=None, metadata=OMIT_NONE)
    doubtful_pose: bool = False
    #: schema 1.2: hip shift's 95 % error band (half-width, % of hip width), and the shift
    #: lying within it of the threshold (not flagged)
    hip_shift_band_pct: float | None = field(default=None, metadata=OMIT_NONE)
    hip_shift_borderline: bool | None = field(default=None, metadata=OMIT_NONE)

    def knee(self, side: str) -> Knee | None:
        """The person's ``"left"`` or ``"right"`` knee."""
        return self.left if side == "left" else self.right


@dataclass(frozen=True, kw_only=True)
class SideCounts(Record):
    left: int = 0
    right: int = 0

    def of(self, side: str) -> int:
        return self.left if side == "left" else self.right


@dataclass(frozen=True, kw_only=True)
class WorstRep(Record):
    """The rep and knee with the most valgus (its peak, else its bottom value)."""

    index: int = 0
    side: str = ""
    fppa_deg: float | None = None


@dataclass(frozen=True, kw_only=True)
class ScreeningSummary(Record):
    """Over the complete reps only (``summary``)."""

    reps: int = 0
    reps_incomplete: int = 0
    view: str | None = None
    valgus_reps: SideCounts = field(default_factory=SideCounts)
    hip_shift_reps: int = 0
    #: schema 1.2: reps within the band of the threshold, per knee and for hip shift
    valgus_borderline_reps: SideCounts | None = field(default=None, metadata=OMIT_NONE)
    hip_shift_borderline_reps: int | None = field(default=None, metadata=OMIT_NONE)
    worst_rep: WorstRep | None = None
    left_fppa_mean_deg: float | None = None
    left_fppa_sd_deg: float | None = None
    left_fppa_range_deg: float | None = None
    right_fppa_mean_deg: float | None = None
    right_fppa_sd_deg: float | None = None
    right_fppa_range_deg: float | None = None
    fppa_varies_between_reps: bool | None = None
    hip_shift_mean_pct: float | None = None
    hip_shift_sd_pct: float | None = None
    fppa_left_minus_right_deg: float | None = field(default=None, metadata=OMIT_NONE)
    fppa_side_difference_real: bool | None = field(default=None, metadata=OMIT_NONE)

    def fppa_mean(self, side: str) -> float | None:
        return self.left_fppa_mean_deg if side == "left" else self.right_fppa_mean_deg

    def fppa_sd(self, side: str) -> float | None:
        return self.left_fppa_sd_deg if side == "left" else self.right_fppa_sd_deg

    def fppa_range(self, side: str) -> float | None:
        return self.left_fppa_range_deg if side == "left" else self.right_fppa_range_deg


@dataclass(frozen=True, kw_only=True)
class Thresholds(Record):
    fppa_valgus_deg: float = 0.0
    sex: str = "unspecified"
    hip_shift_pct: float = 0.0
    hip_shift_note: str = ""
    sources: str = ""


@dataclass(frozen=True, kw_only=True)
class ScreeningVertical(Record):
    method: str = ""
    camera_roll_deg: float | None = None


@dataclass(frozen=True, kw_only=True)
class ScreeningReport(Report):
    """A squat or hinge screening report."""

    #: "left" | "right" in single-leg tests
    working_side: str | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    reps: tuple[Rep, ...] = ()
    summary: ScreeningSummary = field(default_factory=ScreeningSummary)
    vertical_reference: ScreeningVertical | None = None
    #: only when ``reps`` is empty
    no_reps_reason: str | None = field(default=None, metadata=OMIT_NONE)
    #: schema 1.2: what the error bands come from (one sentence)
    band_basis: str | None = field(default=None, metadata=OMIT_NONE)
    #: schema 1.2: the per-number inputs of the bands, per rep index (kept as JSON)
    band_terms: dict[str, Any] | None = field(default=None, metadata=OMIT_NONE)

    def rep(self, index: int) -> Rep | None:
        return next((r for r in self.reps if r.index == index), None)

    @property
    def complete_reps(self) -> tuple[Rep, ...]:
        return tuple(r for r in self.reps if r.complete)

    def knees(self) -> list[Knee | None]:
        """Every rep's left and right knee, in rep order."""
        return [k for r in self.reps for k in (r.left, r.right)]

    def worst_knee(self) -> Knee | None:
        """The knee of the summary's worst rep (for its caveat); None without one."""
        w = self.summary.worst_rep
        rep = self.rep(w.index) if w else None
        return rep.knee(w.side) if rep and w else None

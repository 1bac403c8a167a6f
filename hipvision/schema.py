"""Typed reports: frozen dataclasses for the JSON report, and the parts every test shares
(warnings, ``pose_check``, ``tracking``, provenance).

A report section is a :class:`Record`: a frozen, keyword-only dataclass whose field names
are the JSON keys. :meth:`Record.from_dict` reads a section (tolerant: an absent key gives
the field's default, keys it does not know are kept aside) and :meth:`Record.to_dict` gives
back the same JSON, key for key and in the same order, so that a report read and written
again is byte-for-byte the report the analyzer wrote (older 1.0 / 1.1 reports from the
history database included). Each family declares its own report in
``hipvision/analyzers/<family>/schema.py``; :func:`hipvision.analyzers.typed_report` picks
the family's type. Modules that show or flatten a report read these objects, not the
report's keys: only serialisation (this module and the schemas) names the keys.

Left/right are the person's throughout.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Mapping, TypeVar, Union, get_args, get_origin, get_type_hints

R = TypeVar("R", bound="Record")

#: field metadata: leave the key out of :meth:`Record.to_dict` when the value is None (for
#: records built in code; a record read from JSON keeps the keys it was read with)
OMIT_NONE = {"omit_none": True}


def _decode(tp: Any, v: Any) -> Any:
    """The JSON value ``v`` as the annotated type ``tp`` (records, tuples, dicts of them)."""
    if v is None or tp is Any:
        return v
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(tp) if a is not type(None)]
        for a in args:  # a record where the JSON holds an object
            if isinstance(a, type) and issubclass(a, Record) and isinstance(v, Mapping):
                return a.from_dict(v)
        for a in args:
            if get_origin(a) in (tuple, list) and isinstance(v, list):
                return _decode(a, v)
            if get_origin(a) in (dict, Mapping) and isinstance(v, Mapping):
                return _decode(a, v)
        return v
    if isinstance(tp, type) and issubclass(tp, Record):
        return tp.from_dict(v) if isinstance(v, Mapping) else v
    if origin is tuple and isinstance(v, list):
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], x) for x in v)
        return tuple(v)
    if origin in (dict, Mapping) and isinstance(v, Mapping):
        vt = get_args(tp)[1] if get_args(tp) else Any
        return {k: _decode(vt, x) for k, x in v.items()}
    return v


def _encode(v: Any) -> Any:
    """A field value as JSON (records as objects, tuples as lists)."""
    if isinstance(v, Record):
        return v.to_dict()
    if isinstance(v, (tuple, list)):
        return [_encode(x) for x in v]
    if isinstance(v, Mapping):
        return {k: _encode(x) for k, x in v.items()}
    return v


@dataclass(frozen=True, kw_only=True)
class Record:
    """A report section. Subclasses declare their JSON keys as fields (each with a default,
    so that an absent key reads as "not given"), in the order the analyzer writes them."""

    #: keys the record does not declare (newer reports), kept for :meth:`to_dict`
    _extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: the keys as read, in their order; None for a record built in code (all declared keys
    #: in declaration order, :data:`OMIT_NONE` fields left out when None)
    _keys: tuple[str, ...] | None = field(default=None, repr=False, compare=False)

    _hints: ClassVar[dict[type, dict[str, Any]]] = {}

    @classmethod
    def _types(cls) -> dict[str, Any]:
        hints = Record._hints.get(cls)
        if hints is None:
            hints = {k: v for k, v in get_type_hints(cls).items() if not k.startswith("_")}
            Record._hints[cls] = hints
        return hints

    @classmethod
    def from_dict(cls: type[R], d: Mapping[str, Any]) -> R:
        """Read a JSON section; absent keys take the field's default."""
        types_ = cls._types()
        known = {k: _decode(types_[k], v) for k, v in d.items() if k in types_}
        extra = {k: v for k, v in d.items() if k not in types_}
        return cls(**known, _extra=extra, _keys=tuple(d))

    @classmethod
    def coerce(cls: type[R], x: R | Mapping[str, Any]) -> R:
        """``x`` as this record: itself when it is one, else read from its JSON."""
        return x if isinstance(x, cls) else cls.from_dict(x)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """The section as JSON: the keys it was read with, in that order."""
        names = [f.name for f in fields(self) if not f.name.startswith("_")]
        if self._keys is not None:
            keys: list[str] = list(self._keys)
        else:
            keys = [n for n in names if not (getattr(self, n) is None and fields_meta(self, n).get("omit_none"))]
            keys += [k for k in self._extra if k not in keys]
        declared = set(names)
        return {k: _encode(getattr(self, k) if k in declared else self._extra[k]) for k in keys}

    def has(self, key: str) -> bool:
        """Whether the report gave ``key`` (a record read from JSON) or sets it (built in
        code): tells "absent" from "null" where the schema gives them different meanings."""
        if self._keys is not None:
            return key in self._keys
        return getattr(self, key, None) is not None or key in self._extra


def fields_meta(rec: Record, name: str) -> Mapping[str, Any]:
    return next(f.metadata for f in fields(rec) if f.name == name)


# --------------------------------------------------------------------------- shared parts


@dataclass(frozen=True, kw_only=True)
class ReportWarning(Record):
    """A named quality problem with the value that triggered it (``warnings``)."""

    code: str = ""
    message: str = ""
    value: float | None = None


@dataclass(frozen=True, kw_only=True)
class PoseCheck(Record):
    """What the whole-skeleton plausibility gate left out (``pose_check``)."""

    frames_checked: int | None = None
    doubtful_frames: int | None = None
    doubtful_pct: float | None = None
    #: frames per reason (a frame may have several)
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class TrackingLost(Record):
    """An assisted-tracking loss: a shin lost at ``frame``, found again or not."""

    point: str = ""
    frame: int | None = None
    reason: str = ""
    message: str = ""
    found_again: int | None = None


@dataclass(frozen=True, kw_only=True)
class Tracking(Record):
    """How the knees and ankles were tracked (``tracking``; rotation tests with ``--track``).
    ``checks`` and ``attempts`` differ per mode (docs/REPORT_SCHEMA.md) and stay JSON."""

    mode: str = ""
    requested: str = ""
    reason: str = ""
    frames: int = 0
    #: per side (the person's), share of frames with knee and ankle
    usable_fraction: dict[str, float] = field(default_factory=dict)
    lost: tuple[TrackingLost, ...] = ()
    checks: dict[str, Any] = field(default_factory=dict)
    attempts: tuple[dict[str, Any], ...] = ()
    frames_per_s: float | None = None


@dataclass(frozen=True, kw_only=True)
class Report(Record):
    """What every report has. A family's report type adds its sections; a report of an
    unknown test reads as this, its other keys kept aside."""

    hipvision_version: str = ""
    schema_version: str = ""
    test: str = ""
    source: str = ""
    frames: int | None = None
    duration_s: float | None = None
    sign_convention: str = ""
    warnings: tuple[ReportWarning, ...] = ()
    pose_check: PoseCheck | None = field(default=None, metadata=OMIT_NONE)
    #: how the knees and ankles were tracked (trackable families analysed with ``--track``)
    tracking: Tracking | None = field(default=None, metadata=OMIT_NONE)
    processing_s: float | None = field(default=None, metadata=OMIT_NONE)

    def warnings_with(self, code: str) -> tuple[ReportWarning, ...]:
        return tuple(w for w in self.warnings if w.code == code)


def report_test(report: Mapping[str, Any] | Report) -> str:
    """The test a report (JSON or typed) is of; "" when it names none."""
    test = report.test if isinstance(report, Report) else Report.from_dict(report).test
    return test if isinstance(test, str) else str(test)

"""Analyzers: one module per test behind one small interface, plus a registry.

An analyzer turns a :class:`~hipvision.sequence.PoseSequence` into a report (a JSON-ready
dict with at least ``schema_version`` and ``test``). ``hipvision analyze --test NAME`` and
the app look analyzers up here by name; an analyzer module registers itself with
:func:`register` when it is imported from :func:`_load_builtin`.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..config import Settings
from ..errors import AnalysisError
from ..sequence import PoseSequence


class AnalysisRun(Protocol):
    """What an analyzer's :meth:`Analyzer.run` returns."""

    #: the JSON-ready report (at least ``schema_version`` and ``test``)
    report: dict[str, Any]
    #: the (raw) landmarks the analysis ran on; set by ``api.run_analysis``
    pose: PoseSequence | None

    def series_rows(self) -> list[tuple]:
        """Per-frame series for CSV export; the first value of each row is ``time_s``."""
        ...

    def draw(self, image: Any, frame: int) -> Any:
        """The clip's frame number ``frame`` (RGB) with the analysis drawn on it."""
        ...


class Analyzer(Protocol):
    """The interface every test implements."""

    #: the ``--test`` name, e.g. ``"seated"``
    name: str
    #: one line for ``--help`` and the app
    description: str
    #: column names of :meth:`AnalysisRun.series_rows`
    series_columns: tuple[str, ...]

    def run(self, seq: PoseSequence, settings: Settings) -> AnalysisRun:
        """Analyse a raw (uncleaned) sequence; raise :class:`AnalysisError` when the clip does
        not show this test."""
        ...

    def summary_text(self, report: dict[str, Any]) -> str:
        """The report in a few lines of plain text for the terminal."""
        ...

    # Optional: ``summary_row(report) -> dict[str, Any]``, the report's key numbers as flat
    # columns (same keys for every report of the test) for batch summaries. See
    # :func:`summary_row`.


def summary_row(analyzer: Analyzer, report: dict[str, Any]) -> dict[str, Any]:
    """Flat summary columns of ``report`` (empty when the analyzer defines none)."""
    fn = getattr(analyzer, "summary_row", None)
    return dict(fn(report)) if fn is not None else {}


_REGISTRY: dict[str, Analyzer] = {}


def register(analyzer: Analyzer) -> Analyzer:
    if analyzer.name in _REGISTRY:
        raise ValueError(f"analyzer '{analyzer.name}' is registered twice")
    _REGISTRY[analyzer.name] = analyzer
    return analyzer


def _load_builtin() -> None:
    """Import the built-in analyzer modules (each registers itself on import)."""
    from . import rotation, screening  # noqa: F401


def available() -> dict[str, Analyzer]:
    """Registered analyzers by name."""
    _load_builtin()
    return dict(_REGISTRY)


def get(name: str) -> Analyzer:
    tests = available()
    if name not in tests:
        known = ", ".join(sorted(tests)) or "none yet"
        raise AnalysisError(f"unknown test '{name}' (available: {known})")
    return tests[name]

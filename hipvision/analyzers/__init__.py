"""Analyzers: one package per test family behind one small interface, plus a registry.

An analyzer turns a :class:`~hipvision.sequence.PoseSequence` into a report (a JSON-ready
dict with at least ``schema_version`` and ``test``). A :class:`Family` groups the tests
that share one analysis and says how their reports are shown (text, HTML, dashboard),
flattened into metrics, recorded and drawn live. Everything outside ``analyzers/`` asks
this registry (:func:`available`, :func:`get`, :func:`family_of`, :func:`families`) and
names no test. A family package registers its analyzers with :func:`register` and itself
with :func:`register_family` when it is imported; :func:`_load_builtin` imports the
built-in ones. See docs/DESIGN.md, "Adding a test family".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, Sequence

from ..config import Settings
from ..errors import AnalysisError
from ..schema import Report as TypedReport, report_test
from ..sequence import PoseSequence

if TYPE_CHECKING:
    from ..results import ResultRow

#: a JSON-ready report
Report = dict[str, Any]
#: a per-frame series: (columns, rows) as ``hipvision analyze --series`` writes it
Series = tuple[Sequence[str], Sequence[Sequence[Any]]]


class AnalysisRun(Protocol):
    """What an analyzer's :meth:`Analyzer.run` returns."""

    #: the JSON-ready report (at least ``schema_version`` and ``test``)
    report: dict[str, Any]
    #: the (raw) landmarks the analysis ran on; set by ``api.run_analysis``
    pose: PoseSequence | None

    def series_rows(self) -> list[tuple]:
        """Per-frame series for CSV export; the first value of each row is ``time_s``."""
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


def _no_rows(report: Report) -> list["ResultRow"]:
    return []


def _no_time(report: Report) -> float | None:
    return None


def _no_html(report: Report, settings: Settings) -> str:
    return ""


def _no_plots(report: Report, series: Series, settings: Settings) -> list[str]:
    return []


def _not_mirrored(settings: Settings) -> bool:
    return False


def _no_drawing(run: Any, report: Any, image: Any, frame: int) -> Any:
    return image


@dataclass(frozen=True)
class Family:
    """A test family: the tests sharing one analysis, and what callers need of them.

    Hooks that draw or need Streamlit (``show``, ``live``, ``illustration_pose``) import
    their module when called, so asking the registry stays light (``--help``, a pose-CSV
    analysis)."""

    #: e.g. ``"rotation"``
    name: str
    #: the family's analyzers (each registered with :func:`register`)
    analyzers: tuple[Analyzer, ...]
    #: test -> title of its report (HTML, dashboard)
    titles: Mapping[str, str] = field(default_factory=dict)
    #: metric -> what it is, for the metrics :attr:`flatten` gives (see ``hipvision.flatten``)
    metrics: Mapping[str, str] = field(default_factory=dict)
    #: the metrics to offer first (history charts; the first is the default)
    preferred_metrics: tuple[str, ...] = ()
    #: a report's key numbers as flat rows
    flatten: Callable[[Report], list["ResultRow"]] = _no_rows
    #: test -> what to record (camera placement, what the person does; Markdown)
    instructions: Mapping[str, str] = field(default_factory=dict)
    #: test -> (a synthetic sequence of the test, the frame worth showing), for the app's
    #: recording illustration; None: no illustration
    illustration_pose: Callable[[str], tuple[PoseSequence, int]] | None = None
    #: warning code -> how to fix the recording (where the warning's message does not say)
    fixes: Mapping[str, str] = field(default_factory=dict)
    #: the time (s) of the frame worth showing in the report, or None
    key_frame_time: Callable[[Report], float | None] = _no_time
    #: what that frame shows, e.g. "the bottom of the worst rep"
    key_frame_caption: str = "a frame of the clip"
    #: the HTML report's results section
    html_section: Callable[[Report, Settings], str] = _no_html
    #: the HTML report's charts (inline SVG) from the report and its series
    html_plots: Callable[[Report, Series, Settings], list[str]] = _no_plots
    #: the dashboard's results view of a ``dashboard.jobs.Outcome`` (Streamlit); None: the
    #: dashboard shows the report's JSON
    show: Callable[[Any], None] | None = None
    #: ``(test, settings)`` -> a live readout (``update(PoseFrame) -> state``); None: no
    #: live readout for this family
    live: Callable[[str, Settings], Any] | None = None
    #: the shin tracker (``--track``: stickers, marks, checked pose model) applies
    trackable: bool = False
    #: the clip is analysed mirrored (selfie camera): draw the skeleton mirrored too
    mirrored: Callable[[Settings], bool] = _not_mirrored
    #: ``(run, report, image, frame)`` -> the clip's frame number ``frame`` (RGB) with the
    #: analysis drawn on it (annotated video, report key frame); ``report`` is the run's typed
    #: report (:attr:`schema`), read once per run by :func:`overlay`, not per frame. The
    #: analysis itself draws nothing
    draw: Callable[[Any, Any, Any, int], Any] = _no_drawing
    #: the typed report (``hipvision.schema``): readers use it, not the report's keys
    schema: type[TypedReport] = TypedReport

    @property
    def tests(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.analyzers)


_REGISTRY: dict[str, Analyzer] = {}
_FAMILIES: dict[str, Family] = {}


def register(analyzer: Analyzer) -> Analyzer:
    if analyzer.name in _REGISTRY:
        raise ValueError(f"analyzer '{analyzer.name}' is registered twice")
    _REGISTRY[analyzer.name] = analyzer
    return analyzer


def register_family(family: Family) -> Family:
    """Register a family whose analyzers are registered already."""
    if family.name in _FAMILIES:
        raise ValueError(f"test family '{family.name}' is registered twice")
    for a in family.analyzers:
        if _REGISTRY.get(a.name) is not a:
            raise ValueError(f"register the analyzer '{a.name}' before its family '{family.name}'")
        if any(a.name in f.tests for f in _FAMILIES.values()):
            raise ValueError(f"test '{a.name}' belongs to two families")
    _FAMILIES[family.name] = family
    return family


def _load_builtin() -> None:
    """Import the built-in family packages (each registers itself on import): the one place
    that names them."""
    from . import rotation, screening  # noqa: F401


def families() -> dict[str, Family]:
    """Registered families by name."""
    _load_builtin()
    return dict(_FAMILIES)


def family_of(test: str) -> Family | None:
    """The family of ``test``, None for an unknown test (or an analyzer without family)."""
    return next((f for f in families().values() if test in f.tests), None)


def typed_report(report: Report | TypedReport) -> TypedReport:
    """``report`` as its family's typed report (:attr:`Family.schema`); a report of an
    unknown test as the shared :class:`hipvision.schema.Report`. ``typed_report(r).to_dict()``
    is ``r`` again, key for key."""
    if isinstance(report, TypedReport):
        return report
    family = family_of(report_test(report))
    return (family.schema if family is not None else TypedReport).from_dict(report)


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


def overlay(run: AnalysisRun) -> Callable[[Any, int], Any]:
    """``(image, frame) -> image`` drawing ``run``'s analysis on the clip's frames, by its
    family (see :attr:`Family.draw`); unknown tests draw nothing."""
    family = family_of(report_test(run.report))
    if family is None:
        return lambda image, frame: image
    report = family.schema.from_dict(run.report)  # once per run: drawing is per frame
    return lambda image, frame: family.draw(run, report, image, frame)

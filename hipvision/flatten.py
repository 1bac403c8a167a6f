"""Key numbers of a report as flat rows ``(metric, side, rep, value)``: what the history
database stores for fast progress queries, what the results CSV export holds, and what
batch summaries can reuse.

``side`` is the person's ``"left"`` / ``"right"``, or ``""`` for the whole body. ``rep`` is
the repetition number (1, 2, ...) of a screening test, or 0 for a whole-session value.
Numbers the report leaves ``null`` (not measured) give no row. Signs follow the report:
rotation peaks are positive magnitudes; FPPA + = valgus; hip shift + = towards the
person's left; ``*_left_minus_right_deg`` = left minus right.
"""

from __future__ import annotations

from typing import Any

from .results import ResultRow
from .schema import report_test

__all__ = ["ResultRow", "flatten_report", "metrics"]


def metrics() -> dict[str, str]:
    """Metric -> what it is, over all test families (for --help, the app's metric picker and
    the docs); each family lists its own (``Family.metrics``)."""
    from . import analyzers

    out: dict[str, str] = {}
    for family in analyzers.families().values():
        out.update(family.metrics)
    return out


def flatten_report(report: dict[str, Any]) -> list[ResultRow]:
    """The key numbers of any report (by its ``test``, from its family's ``flatten``); an
    unknown test gives no rows."""
    from . import analyzers

    family = analyzers.family_of(report_test(report))
    return family.flatten(report) if family is not None else []

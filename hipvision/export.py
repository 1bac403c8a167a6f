"""Exports: the results CSV (flattened key numbers), the JSON report and the per-frame series
CSV. Each ``*_csv`` / ``*_json`` function returns text (for a download button); write it to a
file with :func:`write_atomic` (from :mod:`hipvision.atomicfile`, re-exported here), which
never leaves a partial file under the final name. :func:`series_csv` is the one writer of the
per-frame series CSV (``analyze --series``, the API, the dashboard's download and history).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable, Sequence

from .atomicfile import write_atomic
from .errors import InputError
from .flatten import flatten_report
from .schema import Report, report_test

RESULTS_COLUMNS = ("test", "metric", "side", "rep", "value")
RECORD_COLUMNS = ("person", "session_id", "recorded_at", "test", "metric", "side", "rep", "value")

__all__ = [
    "RESULTS_COLUMNS", "RECORD_COLUMNS", "series_csv", "run_series_csv", "parse_series_csv",
    "results_csv", "records_csv", "report_json", "write_atomic",
]


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow("" if v is None else v for v in row)
    return buf.getvalue()


def results_csv(report: dict[str, Any]) -> str:
    """One report's key numbers (:func:`hipvision.flatten.flatten_report`) as CSV:
    ``test,metric,side,rep,value`` (side empty = whole body, rep 0 = whole session)."""
    test = Report.from_dict(report).test
    return _csv_text(RESULTS_COLUMNS, ((test, r.metric, r.side, r.rep, r.value) for r in flatten_report(report)))


def records_csv(records: Iterable[Any]) -> str:
    """History result records (:meth:`hipvision.history.History.result_records`) as CSV:
    ``person,session_id,recorded_at,test,metric,side,rep,value``."""
    return _csv_text(RECORD_COLUMNS, ((getattr(r, c) for c in RECORD_COLUMNS) for r in records))


def report_json(report: dict[str, Any]) -> str:
    """The report as indented JSON (NaN/inf refused: reports use null for "not measured")."""
    return json.dumps(report, indent=2, allow_nan=False) + "\n"


def series_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Per-frame series as CSV, as ``hipvision analyze --series`` writes it (empty = missing).
    For an analysis run: ``series_csv(analyzer.series_columns, run.series_rows())``."""
    return _csv_text(columns, rows)


def run_series_csv(run: Any) -> str:
    """The per-frame series of an analysis run (from :func:`hipvision.api.run_analysis`) as
    CSV text, with its analyzer's columns."""
    from . import analyzers

    return series_csv(analyzers.get(report_test(run.report)).series_columns, run.series_rows())


def parse_series_csv(text: str) -> tuple[tuple[str, ...], list[tuple[float | None, ...]]]:
    """Read back :func:`series_csv` text: (columns, rows of floats, None = missing)."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = tuple(next(reader))
    except StopIteration:
        raise InputError("the series CSV is empty") from None
    rows: list[tuple[float | None, ...]] = []
    for n, row in enumerate(reader, start=2):
        if len(row) != len(header):
            raise InputError(f"series CSV line {n}: {len(row)} values, expected {len(header)}")
        try:
            rows.append(tuple(float(v) if v != "" else None for v in row))
        except ValueError:
            raise InputError(f"series CSV line {n}: not a number in {row}") from None
    return header, rows


"""The batch summary: one row per clip, as ``summary.csv`` and ``summary.parquet``.

Columns, in order: ``path`` (the input as given), ``test``, ``status`` (``ok`` | ``error``),
``error`` (the message; empty when ok), the manifest's id columns (text, as written), the
analyzers' result columns (``summary_row``: peaks per side and asymmetry for the rotation
tests; reps, valgus reps per knee, hip-shift reps, worst FPPA per knee for screening), then
``warnings`` (codes joined with ``;``), ``frames``, ``runtime_s``, ``hipvision_version``,
``model_variant``, ``model_sha256`` and ``settings_sha256`` (of ``OUT/settings.json``).
Empty / null = not measured (or not applicable).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Sequence

from ..atomicfile import AtomicPath, atomic_write

HEAD = ("path", "test", "status", "error")
TAIL = ("warnings", "frames", "runtime_s", "hipvision_version", "model_variant", "model_sha256", "settings_sha256")
#: columns that are always text
TEXT = {"path", "test", "status", "error", "warnings", "hipvision_version", "model_variant", "model_sha256", "settings_sha256"}


def columns(rows: Sequence[dict[str, Any]], id_columns: Sequence[str]) -> list[str]:
    """Head, id columns, result columns in order of first appearance, tail."""
    fixed = set(HEAD) | set(TAIL) | set(id_columns)
    results: list[str] = []
    for r in rows:
        for k in r:
            if k not in fixed and k not in results:
                results.append(k)
    return [*HEAD, *id_columns, *results, *TAIL]


def write_csv(rows: Sequence[dict[str, Any]], cols: Sequence[str], target: Path) -> None:
    with atomic_write(target, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow(_csv_value(r.get(c)) for c in cols)


def _csv_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def _arrow_type(values: list[Any], text: bool):
    import pyarrow as pa

    present = [v for v in values if v is not None]
    if text or not present:
        return pa.string(), [None if v is None else str(v) for v in values]
    if all(isinstance(v, bool) for v in present):
        return pa.bool_(), values
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.int64(), values
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pa.float64(), [None if v is None else float(v) for v in values]
    return pa.string(), [None if v is None else str(v) for v in values]


def write_parquet(rows: Sequence[dict[str, Any]], cols: Sequence[str], id_columns: Sequence[str], target: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays, fields = [], []
    for c in cols:
        typ, vals = _arrow_type([r.get(c) for r in rows], c in TEXT or c in id_columns)
        arrays.append(pa.array(vals, type=typ))
        fields.append(pa.field(c, typ))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    with AtomicPath(target) as tmp:
        pq.write_table(table, tmp)


def write_summary(rows: Sequence[dict[str, Any]], id_columns: Sequence[str], csv_path: Path, parquet_path: Path) -> list[str]:
    """Write both files (atomically); return the column names."""
    cols = columns(rows, id_columns)
    write_csv(rows, cols, csv_path)
    write_parquet(rows, cols, id_columns, parquet_path)
    return cols

"""Batch mode: many clips, parallel over processes or a Dask cluster, resumable.

``hipvision batch INPUT_DIR|MANIFEST.csv --out OUT_DIR`` (see :mod:`.cli`), or from Python
:func:`run_batch`. Modules: ``inputs`` (folder scan, manifest), ``layout`` (output folders),
``state`` (SQLite), ``job`` (one clip), ``engines`` (local processes, Dask), ``summary``
(CSV + Parquet), ``runner`` (all of it, with the resume rules).
"""

from .runner import BatchOutcome, run_batch

__all__ = ["BatchOutcome", "run_batch"]

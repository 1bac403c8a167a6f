"""Run a batch: discover the clips, check the OUT folder's state, run the engine, write
the summary. :func:`run_batch` is what ``hipvision batch`` calls.

Resume rules (the state is in ``OUT/batch.sqlite3``, see state.py):

* A rerun with the same OUT processes every clip that is not ``ok`` (new clips, clips
  interrupted by a kill, and clips that failed: they are retried, reusing their stored
  pose CSV when it exists). ``ok`` clips are never redone.
* The settings are fingerprinted. Changed pose settings (model file, model variant,
  ``--max-frames`` ...) are refused: use a new OUT, or ``--force`` to start over (this
  deletes the OUT folder's results). Changed analysis settings (thresholds, ``--sex``,
  ``--mirrored``, a new hipvision version) are refused unless ``--reuse-pose`` (recompute
  every report from the stored pose CSVs, no model) or ``--force``.
* ``--reuse-pose`` marks every clip pending and records the new analysis settings in
  one transaction; killed halfway, a plain rerun finishes the rest from the stored pose.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from .. import __version__
from ..config import DEFAULT_SETTINGS, BatchSettings, Settings
from ..errors import InputError
from .inputs import ClipInput, Discovery, discover
from .job import ClipJob, ClipResult
from .layout import clip_key, clip_paths
from .state import StateStore
from .summary import write_summary


@dataclass
class BatchOutcome:
    """What a batch run did."""

    total: int
    ok: int
    errors: int
    not_done: int
    #: clips that were already ok before this run (not redone)
    skipped: int
    #: clips processed in this run
    processed: int
    frames_extracted: int
    wall_s: float
    summary_csv: Path
    summary_parquet: Path
    ignored: list[Path] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


def _json(obj: Any) -> str:
    def default(o: Any) -> Any:
        if isinstance(o, (set, frozenset)):
            return sorted(o)
        raise TypeError(type(o).__name__)

    return json.dumps(obj, sort_keys=True, default=default)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pose_settings(settings: Settings, track: str | None = None) -> str:
    """What the stored pose depends on (besides the model file): with a batch-wide
    ``--track`` also the tracking mode and settings."""
    # how the video is decoded changes no pixel: left out, so that OUT folders of earlier
    # versions resume (the pose settings below are as they were)
    source = {k: v for k, v in asdict(settings.source).items() if k != "threaded_decode_above_px"}
    doc = {"variant": settings.model.variant, "pose": asdict(settings.pose), "source": source}
    if track is not None:
        doc["track"] = track
        doc["tracking"] = asdict(settings.tracking)
    return _json(doc)


def analysis_settings(settings: Settings) -> str:
    """What the reports depend on, given the pose."""
    return _json(
        {
            "hipvision_version": __version__,
            "cleaning": asdict(settings.cleaning),
            "rotation": asdict(settings.rotation),
            "screening": asdict(settings.screening),
            "bands": asdict(settings.bands),
            "plausibility": asdict(settings.plausibility),
        }
    )


def _model_variant(path: Path, default: str) -> str:
    m = re.fullmatch(r"pose_landmarker_(lite|full|heavy)\.task", path.name)
    return m.group(1) if m else default


def run_batch(
    input: str | Path,
    out_dir: str | Path,
    *,
    test: str | None = None,
    settings: Settings = DEFAULT_SETTINGS,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    reuse_pose: bool = False,
    force: bool = False,
    save_video: bool = False,
    trc: bool = False,
    dask_processes: bool = True,
    track: str | None = None,
    progress: bool = True,
    on_clip: Callable[[ClipResult], None] | None = None,
) -> BatchOutcome:
    """Process every clip of ``input`` (a folder or a manifest CSV) into ``out_dir``."""
    from ..api import is_pose_csv

    if reuse_pose and force:
        raise InputError("--reuse-pose and --force exclude each other (--force starts over, re-extracting the pose)")
    t_start = time.perf_counter()
    bs = settings.batch
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: is a file; give a folder")
    disc: Discovery = discover(input, test, bs, out)
    workers = workers or bs.workers or os.cpu_count() or 1

    # the engine is checked before the model: "Dask is not installed" must not hide behind
    # a missing model (constructing an engine starts nothing)
    _engine(engine, workers, scheduler, bs.dask_threads_per_worker, dask_processes)

    modes = {_pose_mode(c, track) for c in disc.clips if not is_pose_csv(c.file)}
    model_sha = model_variant = None
    if modes - {"markers", "assisted"} and not reuse_pose:
        from ..errors import ModelError
        from ..models import resolve_model

        try:
            model = resolve_model(settings.model, progress=progress)  # fail before any work
        except ModelError:
            if modes & {"model", "pose"}:
                raise
            model = None  # only `auto` wants it: its clips fall back to the stickers
    else:
        model = None
    if model is not None:
        settings = replace(settings, model=replace(settings.model, path=str(model)))
        model_sha = _sha256_file(model)
        model_variant = _model_variant(model, settings.model.variant)

    out.mkdir(parents=True, exist_ok=True)
    with _exclusive(out / "batch.lock"), StateStore(out / bs.state_file) as state:
        model_sha, model_variant = _check_settings(state, out, settings, model_sha, model_variant, reuse_pose, force, track)
        settings_sha = hashlib.sha256((pose_settings(settings, track) + analysis_settings(settings)).encode()).hexdigest()[:16]
        _write_settings(out / "settings.json", settings, settings_sha, state)

        keyed = [(clip_key(c.rel, c.test), c) for c in disc.clips]
        state.add_clips((k, c.path, c.test) for k, c in keyed)
        before = state.states()
        todo = [(k, c) for k, c in keyed if before[k].status != "ok"]
        skipped = len(keyed) - len(todo)
        by_key = dict(keyed)
        if reuse_pose:
            todo = _keep_extraction_errors(todo, before, state, out, bs, settings_sha)
        jobs = [
            ClipJob(
                key=k,
                path=c.path,
                file=str(c.file),
                test=c.test,
                folder=str(clip_paths(out, bs.clips_folder, c.rel, c.test, bs.folder_name_chars).folder),
                settings=settings,
                pose_only=reuse_pose,
                save_video=save_video,
                trc=trc,
                track=c.track or track,
                marks=c.marks,
                mark_frame=c.mark_frame,
            )
            for k, c in todo
        ]

        counts = {"ok": sum(s.status == "ok" for s in before.values() if s.key in by_key), "error": 0}
        frames = [0]
        bar = _Progress(len(keyed), len(keyed) - len(jobs), progress)

        def on_result(res: ClipResult) -> None:
            clip = by_key[res.key]
            is_video = not is_pose_csv(clip.file)
            row = _row(clip, res, __version__, model_variant if is_video else None, model_sha if is_video else None, settings_sha)
            state.finish(res.key, res.status, res.error, row)
            counts[res.status] += 1
            frames[0] += res.frames_extracted
            bar.update(res, counts)
            if on_clip is not None:
                on_clip(res)

        try:
            needs_model = any(not j.pose_only and not is_pose_csv(j.file) for j in jobs)
            _engine(engine, workers, scheduler, bs.dask_threads_per_worker, dask_processes, needs_model).run(jobs, on_result)
        finally:
            bar.close()
            after = state.states()
            rows = [r for k, _ in keyed if after[k].status != "pending" and (r := after[k].row) is not None]
            write_summary(rows, disc.id_columns, out / bs.summary_csv, out / bs.summary_parquet)
    n_ok = sum(r["status"] == "ok" for r in rows)
    return BatchOutcome(
        total=len(keyed),
        ok=n_ok,
        errors=len(rows) - n_ok,
        not_done=len(keyed) - len(rows),
        skipped=skipped,
        processed=len(jobs),
        frames_extracted=frames[0],
        wall_s=time.perf_counter() - t_start,
        summary_csv=out / bs.summary_csv,
        summary_parquet=out / bs.summary_parquet,
        ignored=disc.ignored,
        rows=rows,
    )


def _keep_extraction_errors(todo, before, state: StateStore, out: Path, bs: BatchSettings, settings_sha: str):
    """--reuse-pose: a video clip that failed before its pose was stored keeps its error
    (there is nothing to re-analyse); everything else is recomputed."""
    from ..api import is_pose_csv

    rest = []
    for k, c in todo:
        prev = before[k].row
        stored = clip_paths(out, bs.clips_folder, c.rel, c.test, bs.folder_name_chars).pose_csv.is_file()
        if not stored and not is_pose_csv(c.file) and prev is not None and prev["status"] == "error":
            state.finish(k, "error", prev["error"], {**prev, "settings_sha256": settings_sha})
        else:
            rest.append((k, c))
    return rest


@contextmanager
def _exclusive(lock_path: Path):
    """One batch per OUT folder at a time (an advisory lock the OS drops with the process,
    even on kill -9). Where file locks are unavailable, nothing is locked."""
    fh = open(lock_path, "a+")
    try:
        try:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:
            pass
        except OSError:
            raise InputError(f"{lock_path.parent}: another hipvision batch is working in this folder") from None
        yield
    finally:
        fh.close()


def _row(clip: ClipInput, res: ClipResult, version: str, variant: str | None, model_sha: str | None, settings_sha: str) -> dict[str, Any]:
    row: dict[str, Any] = {"path": clip.path, "test": clip.test, "status": res.status, "error": res.error}
    row.update(clip.ids)
    row.update(res.columns)
    row.update(
        {
            "runtime_s": res.runtime_s,
            "hipvision_version": version,
            "model_variant": variant,
            "model_sha256": model_sha,
            "settings_sha256": settings_sha,
        }
    )
    return row


def _check_settings(
    state: StateStore, out: Path, settings: Settings, model_sha: str | None, model_variant: str | None, reuse_pose: bool, force: bool,
    track: str | None = None,
) -> tuple[str | None, str | None]:
    """Apply the resume rules (module docstring); return the model (hash, variant) the
    stored pose comes from."""
    pose_now, analysis_now = pose_settings(settings, track), analysis_settings(settings)
    pose_then, analysis_then = state.get_meta("pose_settings"), state.get_meta("analysis_settings")
    sha_then, variant_then = state.get_meta("model_sha256"), state.get_meta("model_variant")
    fresh = pose_then is None
    if force and not fresh:
        clips = out / settings.batch.clips_folder
        if clips.is_dir():
            shutil.rmtree(clips)  # stored pose of other settings must not be reused
    if fresh or force:
        meta = {"pose_settings": pose_now, "analysis_settings": analysis_now}
        if model_sha:
            meta |= {"model_sha256": model_sha, "model_variant": model_variant or ""}
        state.set_meta(meta, forget_clips=force)
        return model_sha, model_variant
    if reuse_pose:
        # the pose comes from storage: only the analysis settings are (re)recorded
        state.set_meta({"analysis_settings": analysis_now}, reset_clips=True)
        return sha_then, variant_then or None
    if pose_now != pose_then or (model_sha and sha_then and model_sha != sha_then):
        raise InputError(
            f"{out} holds results made with other pose settings (model file, --variant or --max-frames): "
            "use a new --out folder, or --force to start over (deletes the results in it)"
        )
    if analysis_now != analysis_then:
        raise InputError(
            f"{out} holds results made with other analysis settings (thresholds, --sex, --mirrored) or "
            "another hipvision version: add --reuse-pose to recompute every report from the stored pose "
            "(no model, seconds), use a new --out folder, or --force to start over"
        )
    if model_sha and not sha_then:
        state.set_meta({"model_sha256": model_sha, "model_variant": model_variant or ""})
        return model_sha, model_variant
    return sha_then, variant_then or None


def _write_settings(target: Path, settings: Settings, settings_sha: str, state: StateStore) -> None:
    from ..atomicfile import write_atomic

    doc = {
        "hipvision_version": __version__,
        "settings_sha256": settings_sha,
        "model_sha256": state.get_meta("model_sha256"),
        "settings": json.loads(_json(asdict(settings))),
    }
    write_atomic(target, json.dumps(doc, indent=2) + "\n")


def _pose_mode(clip: ClipInput, track: str | None) -> str:
    """How a video clip's landmarks are found: a tracking mode, or ``pose`` (the pose model
    as it is, the non-rotation tests and seated without --track)."""
    from .. import analyzers
    from ..api import default_track

    family = analyzers.family_of(clip.test)
    if family is None or not family.trackable:
        return "pose"
    return clip.track or track or default_track(clip.test, clip.file) or "pose"


def _engine(name: str, workers: int, scheduler: str | None, threads_per_worker: int, dask_processes: bool, needs_model: bool = False):
    from .engines import DaskEngine, LocalEngine

    if name == "local":
        if scheduler:
            raise InputError("--scheduler needs --engine dask")
        return LocalEngine(workers, preload_model=needs_model)
    if name == "dask":
        return DaskEngine(scheduler, workers, threads_per_worker, dask_processes)
    raise InputError(f"unknown engine '{name}' (local or dask)")


class _Progress:
    """clips done / failed / remaining with an ETA (tqdm on stderr)."""

    def __init__(self, total: int, already: int, enabled: bool) -> None:
        self.bar = None
        if enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=already, desc="clips", unit="clip", file=sys.stderr, dynamic_ncols=True)
            self.total = total

    def update(self, res: ClipResult, counts: dict[str, int]) -> None:
        if self.bar is None:
            return
        self.bar.set_postfix({"ok": counts["ok"], "failed": counts["error"], "remaining": self.total - self.bar.n - 1}, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

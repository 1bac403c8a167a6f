"""Engines run :func:`~hipvision.batch.job.run_clip` over many clips and hand each result
to a callback in the main process, in completion order.

* :class:`LocalEngine`: worker processes on this machine (``ProcessPoolExecutor``, spawn
  start method). A landmarker uses about one core, so clips run in processes, not threads.
  At most ``workers`` clips are in flight, so when a worker process dies (crash, out of
  memory) the pool only loses those; they are retried one at a time in a fresh pool, and
  the one that kills its worker again gets an ``error`` row. The batch goes on.
* :class:`DaskEngine`: the same job on a Dask cluster (``dask.distributed.Client`` to a
  scheduler address, or a ``LocalCluster``). Needs the ``[dask]`` extra; nothing here
  imports Dask unless this engine is used.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from typing import Callable, Iterable, Protocol

from ..errors import HipvisionError
from .job import ClipJob, ClipResult, run_clip

OnResult = Callable[[ClipResult], None]

WORKER_DIED = "the worker process died while processing this clip (crash or out of memory): {}"


class Engine(Protocol):
    name: str

    def run(self, jobs: Iterable[ClipJob], on_result: OnResult) -> None: ...


def _worker_init(preload_model: bool = False) -> None:
    """Worker process setup: Ctrl-C is the main process's business, and a worker dies
    with its parent (Linux), so a killed batch leaves no orphans computing. The analysis
    stack (and MediaPipe, when clips need the model) is imported now, so that a clip's
    runtime does not include it."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() == 1:  # the parent died before prctl took effect
                os._exit(1)
        except OSError:
            pass
    from .. import analyzers, api  # noqa: F401

    analyzers.available()
    if preload_model:
        from ..pose import mediapipe_backend  # noqa: F401


class LocalEngine:
    """Worker processes on this machine."""

    name = "local"

    def __init__(self, workers: int, fn: Callable[[ClipJob], ClipResult] = run_clip, preload_model: bool = False) -> None:
        self.workers = max(1, workers)
        self.preload_model = preload_model
        #: the per-clip function (a top-level function, so that it pickles by name)
        self.fn = fn

    def run(self, jobs: Iterable[ClipJob], on_result: OnResult) -> None:
        queue = deque(jobs)
        suspects: list[ClipJob] = []
        while queue:  # a fresh pool after each break
            suspects += [job for job, _ in self._run_until_broken(queue, self.workers, on_result)]
        retry = deque(suspects)
        while retry:  # one at a time, so a crash can only be that clip's
            for j, why in self._run_until_broken(retry, 1, on_result):
                on_result(ClipResult(j.key, "error", WORKER_DIED.format(why)))

    def _run_until_broken(self, queue: deque[ClipJob], workers: int, on_result: OnResult) -> list[tuple[ClipJob, str]]:
        """Run jobs from ``queue`` in one pool, at most ``workers`` in flight. When a worker
        dies, return the jobs that were in flight (with the reason); the rest stay queued."""
        import multiprocessing as mp
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        pool = ProcessPoolExecutor(
            workers, mp_context=mp.get_context("spawn"), initializer=_worker_init, initargs=(self.preload_model,)
        )
        inflight: dict = {}
        try:
            while queue or inflight:
                while queue and len(inflight) < workers:
                    job = queue.popleft()
                    inflight[pool.submit(self.fn, job)] = job
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                reason = None
                for fut in done:
                    job = inflight.pop(fut)
                    try:
                        res = fut.result()
                    except BrokenProcessPool as e:
                        reason = str(e) or "broken process pool"
                        inflight[fut] = job
                        continue
                    except Exception as e:  # noqa: BLE001 - e.g. a result that cannot be pickled
                        res = ClipResult(job.key, "error", f"{type(e).__name__}: {e}")
                    on_result(res)
                if reason is not None:
                    return [(job, reason) for job in inflight.values()]
            return []
        except BaseException:
            _kill_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _kill_workers(pool) -> None:
    """Stop the worker processes now (Ctrl-C): shutdown would wait for running clips."""
    for p in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            p.kill()
        except Exception:  # noqa: BLE001
            pass


class DaskEngine:
    """The same job on a Dask cluster: an existing one (scheduler address, e.g. started by
    dask-jobqueue on SLURM/PBS or by dask-kubernetes) or a local one."""

    name = "dask"

    def __init__(self, scheduler: str | None, workers: int, threads_per_worker: int = 1, processes: bool = True) -> None:
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            raise HipvisionError(
                "--engine dask needs Dask: pip install 'hipvision[dask]' (or dask[distributed])"
            ) from None
        self.scheduler = scheduler
        self.workers = max(1, workers)
        self.threads_per_worker = threads_per_worker
        self.processes = processes

    def run(self, jobs: Iterable[ClipJob], on_result: OnResult) -> None:
        from dask.distributed import Client, LocalCluster, as_completed

        jobs = list(jobs)
        if not jobs:
            return
        cluster = None
        try:
            if self.scheduler:
                try:
                    client = Client(self.scheduler, timeout="20s")
                except (OSError, TimeoutError) as e:
                    raise HipvisionError(f"cannot reach the Dask scheduler at {self.scheduler}: {e}") from None
            else:
                import logging

                # a local cluster's shutdown chatter (slow workers killed at close) is noise here
                logging.getLogger("distributed").setLevel(logging.ERROR)
                cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=self.threads_per_worker,
                    processes=self.processes,
                    dashboard_address=None,
                    silence_logs=logging.CRITICAL,
                )
                client = Client(cluster)
            with client:
                futures = {client.submit(run_clip, job, pure=False): job for job in jobs}
                for fut in as_completed(futures):
                    job = futures[fut]
                    try:
                        res = fut.result()
                    except Exception as e:  # noqa: BLE001 - KilledWorker, lost worker, ...
                        res = ClipResult(job.key, "error", f"{type(e).__name__}: {e}")
                    on_result(res)
        finally:
            if cluster is not None:
                cluster.close()

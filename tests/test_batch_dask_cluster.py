"""``hipvision batch --engine dask --scheduler ADDR`` against a real cluster: a ``dask
scheduler`` and two ``dask worker`` processes started as separate commands on the loopback
address (not an in-process LocalCluster). One worker is killed (SIGKILL) mid-batch; the
batch must still finish every clip, record each exactly once, and a rerun must redo none.

Pose-CSV clips only (no model needed); skips without the ``[dask]`` extra."""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

pytest.importorskip("dask.distributed")

from hipvision import cli  # noqa: E402
from hipvision.batch import run_batch  # noqa: E402
from hipvision.posecsv import write_pose_csv  # noqa: E402
from hipvision.synthetic import Move, default_camera, rotation_clip  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
N_CLIPS = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], log: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    return subprocess.Popen(
        [sys.executable, "-m", *args], stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env, start_new_session=True
    )


def _stop(p: subprocess.Popen) -> None:
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGKILL)
    p.wait(timeout=30)


@pytest.fixture()
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    from dask.distributed import Client

    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    procs = [
        _start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
               tmp_path / "scheduler.log")
    ]
    workers = []
    try:
        for i in range(2):
            w = _start(
                ["distributed.cli.dask_worker", addr, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny",
                 "--no-dashboard", "--name", f"w{i}"],
                tmp_path / f"worker{i}.log",
            )
            procs.append(w)
            workers.append(w)
        deadline = time.monotonic() + 90
        while True:
            try:
                with Client(addr, timeout="5s") as c:
                    if len(c.scheduler_info()["workers"]) == 2:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                logs = "\n".join(p.read_text()[-2000:] for p in tmp_path.glob("*.log"))
                pytest.fail(f"the Dask cluster did not come up:\n{logs}")
            time.sleep(0.5)
        yield addr, workers
    finally:
        for p in reversed(procs):
            _stop(p)


def _clips(folder: Path) -> None:
    folder.mkdir()
    for i in range(N_CLIPS):
        seq, _ = rotation_clip(
            "seated",
            [Move("both", 25 + i), Move("both", -(35 + i))],
            camera=default_camera("seated", roll_deg=1.0),
            noise_px=1.0,
            seed=i,
            fps=60.0,
        )
        write_pose_csv(seq, folder / f"clip{i:02d}.pose.csv")


def _summary(out: Path) -> list[dict[str, str]]:
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_batch_on_a_real_cluster_survives_a_killed_worker(cluster, tmp_path: Path) -> None:
    addr, workers = cluster
    clips = tmp_path / "clips"
    _clips(clips)
    out = tmp_path / "out"
    seen: Counter[str] = Counter()
    killed: list[int] = []
    in_flight: list[str] = []

    def on_clip(res) -> None:
        seen[res.key] += 1
        if not killed:  # the first clip is done: kill a worker while it holds another one
            from dask.distributed import Client

            with Client(addr, timeout="10s") as c:
                deadline = time.monotonic() + 30
                while not in_flight and time.monotonic() < deadline:
                    w0 = next(a for a, w in c.scheduler_info()["workers"].items() if w["name"] == "w0")
                    in_flight.extend(str(k) for k in c.processing()[w0])
                    time.sleep(0.05)
            victim = workers[0]
            os.killpg(victim.pid, signal.SIGKILL)
            killed.append(victim.pid)

    res = run_batch(clips, out, test="seated", engine="dask", scheduler=addr, progress=False, on_clip=on_clip)

    assert killed and workers[0].wait(timeout=30) == -signal.SIGKILL
    assert in_flight, "the killed worker had no clip in hand: the test proved nothing"
    assert (res.total, res.ok, res.errors) == (N_CLIPS, N_CLIPS, 0)
    assert len(seen) == N_CLIPS and set(seen.values()) == {1}, f"a clip was recorded more than once: {seen}"
    rows = _summary(out)
    assert sorted(r["path"] for r in rows) == sorted(f"clip{i:02d}.pose.csv" for i in range(N_CLIPS))
    assert all(r["status"] == "ok" and r["left_peak_ir_deg"] for r in rows), rows
    # the known answers survived the move to the other worker
    for r in rows:
        i = int(r["path"][4:6])
        assert abs(float(r["left_peak_ir_deg"]) - (25 + i)) < 3, r
    assert len(list((out / "clips").glob("*/seated/report.json"))) == N_CLIPS

    # the same command again (through the CLI, as a user resumes) finds everything done
    before = (out / "summary.csv").read_text()
    assert cli.main(["batch", str(clips), "--out", str(out), "--test", "seated", "--engine", "dask", "--scheduler", addr, "-q"]) == 0
    again = _summary(out)
    assert [r["runtime_s"] for r in again] == [r["runtime_s"] for r in rows], "a finished clip was redone"
    assert (out / "summary.csv").read_text() == before

"""Temporary files of atomic outputs left by killed runs (issue 13): the next output written
into the folder removes those whose writer is gone, never a live writer's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from hipvision.atomicfile import HOST, is_stale, sweep_stale, temp_beside
from hipvision.config import TEMP_FILES

from test_cli import MODEL, cli_env, run_cli, write_image

DAY = 24 * 3600.0


def _parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".part" in p.name)


def _writer(folder: Path, *, die: bool) -> subprocess.Popen[str]:
    """A process that creates a temporary output file in ``folder``, prints its name, then
    kills itself with SIGKILL (``die``) or waits for a line on stdin and exits without
    removing it."""
    code = (
        "import os, signal, sys; from pathlib import Path; from hipvision.atomicfile import temp_beside\n"
        f"print(temp_beside(Path({str(folder / 'pose.csv')!r})).name, flush=True)\n"
        + ("os.kill(os.getpid(), signal.SIGKILL)\n" if die else "sys.stdin.readline(); os._exit(0)\n")
    )
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1])))


def test_a_killed_writers_temp_file_is_removed_by_the_next_write(tmp_path: Path) -> None:
    p = _writer(tmp_path, die=True)
    name = p.stdout.readline().strip()  # type: ignore[union-attr]
    assert p.wait(timeout=60) == -signal.SIGKILL
    assert _parts(tmp_path) == [name] and f".hv-{HOST}-{p.pid}-" in name
    fresh = temp_beside(tmp_path / "other.csv")
    assert _parts(tmp_path) == [fresh.name]


def test_a_live_writers_temp_file_is_kept_however_old(tmp_path: Path) -> None:
    p = _writer(tmp_path, die=False)
    try:
        name = p.stdout.readline().strip()  # type: ignore[union-attr]
        os.utime(tmp_path / name, (time.time() - 10 * DAY,) * 2)
        assert sweep_stale(tmp_path) == []
        mine = temp_beside(tmp_path / "pose.csv")  # the same output name, another process
        assert _parts(tmp_path) == sorted([name, mine.name])
    finally:
        p.communicate("go\n", timeout=60)
    assert p.returncode == 0
    assert sweep_stale(tmp_path) == [tmp_path / name]  # its writer is gone now
    assert _parts(tmp_path) == [mine.name]  # this process's own file stays


def test_files_that_cannot_be_checked_go_only_when_old(tmp_path: Path) -> None:
    other_host = "00000000" if HOST != "00000000" else "11111111"
    files = {
        f".pose.csv.hv-{other_host}-{os.getpid()}-abcd1234.part": True,  # another computer's
        ".pose.csv.k2j3l4m5.part": True,  # an older hipvision's
        ".clip.mp4.k2j3l4m5.part.mp4": True,
        ".notes.part": False,  # not hipvision's: kept whatever its age
        ".pose.csv.abc.part": False,
        "pose.csv.k2j3l4m5.part": False,
        "download.part": False,
    }
    for name in files:
        (tmp_path / name).write_text("x")
    assert sweep_stale(tmp_path) == []  # all fresh
    for name in files:
        os.utime(tmp_path / name, (time.time() - DAY - 60,) * 2)
    assert all(is_stale(tmp_path / n) == stale for n, stale in files.items())
    assert sorted(p.name for p in sweep_stale(tmp_path)) == sorted(n for n, s in files.items() if s)
    assert _parts(tmp_path) == sorted(n for n, s in files.items() if not s)
    assert TEMP_FILES.stale_hours == 24.0


def test_the_cli_sweeps_the_folder_it_writes_to(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    p = _writer(out, die=True)
    p.stdout.readline()  # type: ignore[union-attr]
    p.wait(timeout=60)
    assert len(_parts(out)) == 1
    r = run_cli("stickers", "-o", out / "sheet.svg", env=cli_env(tmp_path))
    assert r.returncode == 0, r.stderr
    assert sorted(q.name for q in out.iterdir()) == ["sheet.svg"]


# --------------------------------------------------------------------------- extract, kill -9


def _long_video(path: Path, frames: int) -> Path:
    from hipvision.videowriter import H264Writer

    rng = np.random.default_rng(0)
    with H264Writer(path, 160, 120, 30.0, 30) as w:
        for k in range(frames):
            w.write(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8), k / 30.0)
    return path


def _wait_for_parts(folder: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> list[str]:
    end = time.monotonic() + timeout
    while len(parts := _parts(folder)) < n:
        assert proc.poll() is None and time.monotonic() < end, f"no temporary files yet: {proc.communicate()}"
        time.sleep(0.1)
    return parts


@pytest.mark.model
@pytest.mark.skipif(MODEL is None, reason="no pose model: set HIPVISION_MODEL or provide ../shared/models/pose_landmarker_full.task")
def test_extract_killed_with_sigkill_is_cleaned_up_by_the_next_extract_not_a_running_one(tmp_path: Path) -> None:
    video = _long_video(tmp_path / "long.mp4", 1500)
    out = tmp_path / "out"
    out.mkdir()
    env = cli_env(tmp_path)

    def start(name: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "hipvision", "extract", str(video), "-o", str(out / f"{name}.csv"),
                                 "--save-video", str(out / f"{name}.mp4"), "-q"], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    killed = start("killed")
    left = _wait_for_parts(out, 2, killed)
    os.kill(killed.pid, signal.SIGKILL)
    killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert _parts(out) == left and all(f"-{killed.pid}-" in n for n in left)  # what kill -9 leaves

    running = start("running")  # the next run into the folder
    try:
        end = time.monotonic() + 120
        while not (live := [n for n in _parts(out) if f"-{running.pid}-" in n]) or len(live) < 2:
            assert running.poll() is None and time.monotonic() < end, running.communicate()
            time.sleep(0.1)
        assert _parts(out) == live, "its first output removed the killed run's files"
        r = run_cli("extract", write_image(tmp_path / "still.png"), "-o", out / "still.csv", "-q", env=env)
        assert r.returncode == 0, r.stderr
        assert running.poll() is None, "the running extract must still be running for this test"
        assert _parts(out) == live, "another extract into the folder keeps the running one's files"
        assert "still.csv" in os.listdir(out)
    finally:
        running.kill()
        running.communicate(timeout=60)

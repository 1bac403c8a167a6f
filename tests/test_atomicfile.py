"""The one atomic-write helper (hipvision.atomicfile): the final name holds the old file or
the complete new one, never a partial one, and no temporary file outlives its writer's
block; the batch clip folder sweeps only temporary files whose writer is gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hipvision.atomicfile import HOST, AtomicPath, atomic_write, write_atomic
from hipvision.config import TEMP_FILES
from hipvision.errors import InputError

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".part" in p.name)


def test_text_appears_only_when_the_block_ends(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "out.csv"
    with atomic_write(target, newline="") as fh:
        fh.write("a,b\r\n1,é\n")
        assert not target.exists() and len(_parts(target.parent)) == 1  # written beside, not yet there
    assert target.read_bytes() == "a,b\r\n1,é\n".encode("utf-8")  # newline="" keeps line ends as written
    assert _parts(target.parent) == []


def test_binary_mode_and_a_whole_value(tmp_path: Path) -> None:
    with atomic_write(tmp_path / "b.bin", "wb") as fh:
        fh.write(b"\x00\xff")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"
    assert write_atomic(tmp_path / "t.txt", "ü\n") == tmp_path / "t.txt"
    assert (tmp_path / "t.txt").read_bytes() == "ü\n".encode("utf-8")
    with pytest.raises(ValueError):
        with atomic_write(tmp_path / "x", "a"):
            pass
    assert _parts(tmp_path) == []


def test_a_failing_block_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as fh:
            fh.write("half of the new")
            raise RuntimeError("killed half-way")
    assert target.read_text(encoding="utf-8") == "old"
    assert _parts(tmp_path) == []


def test_path_variant_for_writers_that_open_the_file_themselves(tmp_path: Path) -> None:
    target = tmp_path / "clip.mp4"
    with AtomicPath(target, suffix=".part.mp4") as tmp:
        assert tmp.parent == tmp_path and tmp.name.endswith(".part.mp4") and f"-{HOST}-{os.getpid()}-" in tmp.name
        tmp.write_bytes(b"video")
    assert target.read_bytes() == b"video" and _parts(tmp_path) == []

    with AtomicPath(tmp_path / "dropped.mp4") as tmp:
        tmp.write_bytes(b"not worth keeping")
        AtomicPath(tmp_path / "unused")  # creating one touches nothing until it begins
    assert (tmp_path / "dropped.mp4").exists() and not (tmp_path / "unused").exists()

    out = AtomicPath(tmp_path / "none.mp4")
    out.begin().write_bytes(b"x")
    out.discard()
    out.finish(True)
    assert not (tmp_path / "none.mp4").exists() and _parts(tmp_path) == []


def test_a_failed_rename_is_an_input_error_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(InputError, match="cannot write"):
        with atomic_write(target) as fh:
            fh.write("x")
            target.mkdir()  # something took the name meanwhile: a folder cannot be replaced by a file
            (target / "keep").write_text("", encoding="utf-8")
    assert _parts(tmp_path) == []


def test_the_file_gets_normal_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "p.txt", "x")
    finally:
        os.umask(umask)
    assert (tmp_path / "p.txt").stat().st_mode & 0o777 == 0o644  # mkstemp's 0600 is not kept


def _dead_pid() -> int:
    p = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    return int(p.stdout)


def test_a_batch_clip_sweeps_only_temporary_files_whose_writer_is_gone(tmp_path: Path) -> None:
    """A clip folder is shared by whoever writes it: the clip job removes a killed run's
    temporary files, never a live writer's nor files that are not hipvision's."""
    from hipvision.batch.job import ClipJob, run_clip
    from hipvision.config import DEFAULT_SETTINGS

    folder = tmp_path / "clip"
    folder.mkdir()
    tag = TEMP_FILES.tag
    live = f".report.json.{tag}-{HOST}-{os.getpid()}-abcd1234.part"  # this process: alive
    dead = f".pose.csv.{tag}-{HOST}-{_dead_pid()}-abcd1234.part"
    foreign = ".notes.part"
    for name in (live, dead, foreign):
        (folder / name).write_text("", encoding="utf-8")
    src = SAMPLES / "demo_squat_front.pose.csv"
    res = run_clip(ClipJob("k", str(src), str(src), "squat", str(folder), DEFAULT_SETTINGS))
    assert res.status == "ok", res.error
    assert (folder / "report.json").is_file()
    assert _parts(folder) == sorted([live, foreign])

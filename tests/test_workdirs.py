"""The dashboard's temporary session folders: created with a marker, swept only when stale
and ours, and nothing outside a folder is ever removed through it."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from hipvision.config import DASHBOARD
from hipvision.dashboard import workdirs

DAY = 24 * 3600.0


def _age(folder: Path, seconds: float) -> None:
    """Make ``folder``'s marker (and everything else named) look ``seconds`` old."""
    t = time.time() - seconds
    os.utime(folder / DASHBOARD.workdir_marker, (t, t))


def test_create_and_touch(tmp_path: Path) -> None:
    folder = workdirs.create(tmp_path)
    assert folder.parent == tmp_path and folder.name.startswith(DASHBOARD.workdir_prefix)
    assert workdirs.is_ours(folder) and (folder.stat().st_mode & 0o777) == 0o700
    _age(folder, DAY)
    workdirs.touch(folder)
    assert time.time() - workdirs.last_used(folder) < 60
    shutil.rmtree(folder)  # swept while the session was idle: the next use brings it back
    workdirs.touch(folder)
    assert workdirs.is_ours(folder)


def test_sweep_removes_only_stale_folders_it_owns(tmp_path: Path) -> None:
    stale = workdirs.create(tmp_path)
    (stale / "uploads" / "abc").mkdir(parents=True)
    (stale / "uploads" / "abc" / "clip.mp4").write_bytes(b"\0" * 1000)
    _age(stale, DAY + 60)
    fresh = workdirs.create(tmp_path)
    _age(fresh, DAY - 60)
    # look-alikes that are not ours: no marker, another name, a file, a link to a stale folder
    no_marker = tmp_path / f"{DASHBOARD.workdir_prefix}nomarker"
    no_marker.mkdir()
    (no_marker / "keep.txt").write_text("keep")
    other_name = tmp_path / "someone-elses"
    other_name.mkdir()
    (other_name / DASHBOARD.workdir_marker).touch()
    _age(other_name, 10 * DAY)
    a_file = tmp_path / f"{DASHBOARD.workdir_prefix}file"
    a_file.write_text("keep")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = workdirs.create(elsewhere)
    _age(target, 10 * DAY)
    link = tmp_path / f"{DASHBOARD.workdir_prefix}link"
    link.symlink_to(target, target_is_directory=True)
    old = time.time() - 10 * DAY
    for p in (no_marker, a_file):
        os.utime(p, (old, old))

    assert workdirs.sweep(tmp_path) == [stale]
    assert not stale.exists()
    for p in (fresh, no_marker / "keep.txt", other_name, a_file, link, target / DASHBOARD.workdir_marker):
        assert p.exists(), p
    # the age is the setting's; a shorter one takes the fresh folder too
    assert workdirs.sweep(tmp_path, max_age_s=DAY - 120) == [fresh]
    assert workdirs.sweep(tmp_path, max_age_s=0.0, now=time.time() + 10) == []  # nothing else is ours


def test_sweep_of_a_missing_root_does_nothing(tmp_path: Path) -> None:
    assert workdirs.sweep(tmp_path / "missing") == []


def test_sweep_if_due_runs_once_then_waits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workdirs, "_last_sweep", [])
    a = workdirs.create(tmp_path)
    _age(a, 2 * DAY)
    assert workdirs.sweep_if_due(tmp_path) == [a]  # first call: the app starting
    b = workdirs.create(tmp_path)
    _age(b, 2 * DAY)
    assert workdirs.sweep_if_due(tmp_path) == [] and b.exists()  # not due yet
    monkeypatch.setattr(workdirs, "_last_sweep", [time.monotonic() - DASHBOARD.sweep_interval_hours * 3600 - 1])
    assert workdirs.sweep_if_due(tmp_path) == [b]


def test_remove_inside_never_reaches_outside(tmp_path: Path) -> None:
    folder = tmp_path / "work"
    (folder / "uploads" / "id1").mkdir(parents=True)
    (folder / "uploads" / "id1" / "a.csv").write_text("a")
    outside = tmp_path / "samples"
    outside.mkdir()
    (outside / "s.csv").write_text("s")
    (folder / "link").symlink_to(outside, target_is_directory=True)
    assert not workdirs.remove_inside(outside / "s.csv", folder)
    assert not workdirs.remove_inside(folder / ".." / "samples" / "s.csv", folder)
    assert not workdirs.remove_inside(folder / "link" / "s.csv", folder)
    assert not workdirs.remove_inside(folder, folder)  # never the folder itself
    assert (outside / "s.csv").exists()
    assert workdirs.remove_inside(folder / "link", folder)  # the link goes, its target stays
    assert (outside / "s.csv").exists() and not (folder / "link").exists()
    assert workdirs.remove_inside(folder / "uploads" / "id1", folder)
    assert not (folder / "uploads" / "id1").exists() and (folder / "uploads").is_dir()

"""A clip of another test analysed as a rotation test with shin tracking (issue 13): when no
tracker works and the pose model clearly sees someone standing, one short line says so and
names the test it looks like, instead of explaining why the stickers were not found."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hipvision.analyzers import get
from hipvision.suggest import standing_test, suggest_test
from hipvision.synthetic import Move, Rep, rotation_clip, screening_clip, side_camera

from test_cli import cli_env, clip, error_line, needs_media, needs_model, run_cli, with_model_and_media


def _marked(marks):
    def apply(test):
        for mark in marks:
            test = mark(test)
        return test
    return apply


with_model, with_media = _marked(needs_model), _marked(needs_media)

SQUAT_CLIP = "squat_front_bodyweight_wide_goodform_01.mp4"


# --------------------------------------------------------------------------- pose only


@pytest.mark.parametrize("test", ["squat", "hinge", "single-leg-squat"])
@pytest.mark.parametrize("side", [False, True])
def test_standing_clips_are_recognised_as_standing(test: str, side: bool) -> None:
    seq, _ = screening_clip(test, [Rep(), Rep()], camera=side_camera() if side else None, noise_px=2.0)  # type: ignore[arg-type]
    assert standing_test(seq) == suggest_test(seq)
    assert standing_test(seq)[0] == test  # type: ignore[index]


@pytest.mark.parametrize("test", ["seated", "prone"])
def test_rotation_clips_are_not_standing(test: str) -> None:
    seq, _ = rotation_clip(test, [Move("left", 35.0), Move("right", -40.0)])  # type: ignore[arg-type]
    assert standing_test(seq) is None


def _lying(seq):
    """The same movement with the camera turned 90 degrees: the body lies across the picture."""
    xy = seq.xy[..., ::-1].copy()
    return replace(seq, xy=xy, image_size=(seq.image_size[1], seq.image_size[0]))


def test_a_person_lying_across_the_picture_is_not_standing() -> None:
    seq, _ = screening_clip("hinge", [Rep(), Rep()], noise_px=2.0)
    lying = _lying(seq)
    assert suggest_test(lying)[0] is not None  # the rough guess alone would name a standing test
    assert standing_test(lying) is None


def test_a_person_rarely_found_is_not_clearly_standing() -> None:
    seq, _ = screening_clip("squat", [Rep(), Rep()], noise_px=2.0)
    missing = np.arange(len(seq)) % 3 != 0  # found in a third of the frames
    xy = seq.xy.copy()
    xy[missing] = np.nan
    assert standing_test(seq) is not None
    assert standing_test(replace(seq, xy=xy)) is None


def test_rotation_analyzer_says_why_a_squat_is_not_its_test() -> None:
    squat, _ = screening_clip("squat", [Rep(), Rep()], noise_px=2.0)
    prone, _ = rotation_clip("prone", [Move("left", 35.0)])
    assert get("prone").wrong_test(squat).startswith("the ankles are not above the knees")  # type: ignore[attr-defined]
    assert get("seated").wrong_test(squat).startswith("the hips are")  # type: ignore[attr-defined]
    assert get("prone").wrong_test(prone) is None  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- CLI, video


@pytest.fixture(scope="module")
def squat_video(tmp_path_factory) -> Path:
    from person_video import write_person_video

    seq, _ = screening_clip("squat", [Rep(), Rep()], fps=15.0)
    return write_person_video(tmp_path_factory.mktemp("squat") / "squat.mp4", seq)


def _refusal(tmp_path: Path, video: Path, *args: str) -> str:
    r = run_cli("analyze", video, "--test", "prone", *args, "-q", env=cli_env(tmp_path), cwd=tmp_path)
    assert r.returncode == 1, f"exit {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}"
    assert r.stdout == ""
    return error_line(r.stderr)


@pytest.mark.parametrize("track", [None, "auto", "model"])
@with_model
def test_a_generated_squat_video_as_prone_names_the_squat(tmp_path: Path, squat_video: Path, track: str | None) -> None:
    line = _refusal(tmp_path, squat_video, *(["--track", track] if track else []))
    assert line.startswith("hipvision: error: no prone rotation test found: the ankles are not above the knees")
    assert "standing" in line and line.endswith("is this the squat test (--test squat)?")
    assert "sticker" not in line and len(line) < 300
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"], "nothing may be written"


@pytest.mark.parametrize("track", [None, "markers"])
@with_model_and_media
def test_the_real_squat_clip_as_prone_is_one_short_line(tmp_path: Path, track: str | None) -> None:
    line = _refusal(tmp_path, clip(SQUAT_CLIP), *(["--track", track] if track else []))
    assert "no prone rotation test" in line and len(line) < 300
    if track is None:  # auto: the pose model sees her standing and squatting
        assert "the ankles are not above the knees" in line and "(--test squat)" in line
    else:  # stickers only: nothing to tell a squat by, but no long explanation either
        assert "sticker" not in line


@with_media
def test_the_real_squat_clip_marked_as_prone_is_refused(tmp_path: Path) -> None:
    marks = ["--mark", "left_knee=705,470", "--mark", "left_ankle=730,600",
             "--mark", "right_knee=615,470", "--mark", "right_ankle=585,600"]
    line = _refusal(tmp_path, clip(SQUAT_CLIP), "--track", "assisted", *marks)
    assert "no prone rotation test found: the ankles are not above the knees" in line and len(line) < 300

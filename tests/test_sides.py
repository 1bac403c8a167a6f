"""Left/right label swaps of the pose model: found from the knees' order and undone."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from hipvision.api import analyze
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.sequence import PoseSequence
from hipvision.sides import HIP_PARTS, LEG_PARTS, _swap, fix_swapped_sides
from hipvision.synthetic import Move, rotation_clip


def _swapped(seq: PoseSequence, frames: slice, parts: tuple[str, ...]) -> PoseSequence:
    mask = np.zeros(len(seq), bool)
    mask[frames] = True
    return _swap(seq, mask, parts)


def _same(a: PoseSequence, b: PoseSequence) -> bool:
    return all(np.array_equal(getattr(a, n), getattr(b, n), equal_nan=True) for n in ("xy", "z", "visibility", "world"))


@pytest.mark.parametrize("test", ["seated", "prone"])
@pytest.mark.parametrize("whole_body", [False, True])
def test_swapped_frames_are_swapped_back_exactly(test: str, whole_body: bool) -> None:
    seq, _ = rotation_clip(test, [Move("left", 35.0), Move("right", -30.0)], noise_px=2.0)  # type: ignore[arg-type]
    parts = HIP_PARTS + LEG_PARTS if whole_body else LEG_PARTS
    bad = _swapped(seq, slice(60, 130), parts)
    assert not _same(bad, seq)
    fixed, share = fix_swapped_sides(bad)
    assert _same(fixed, seq)
    assert share == pytest.approx(70 / len(seq))


def test_a_clip_without_swaps_is_left_alone() -> None:
    seq, _ = rotation_clip("seated", [Move("both", 40.0), Move("both", -12.0)], noise_px=4.0)
    fixed, share = fix_swapped_sides(seq)
    assert share == 0.0 and fixed is seq


def test_rotation_peaks_survive_a_burst_of_swapped_frames() -> None:
    seq, truth = rotation_clip("seated", [Move("left", 35.0), Move("right", -30.0)], noise_px=1.0)
    t = seq.time_s
    # the model swaps the legs for most of the left IR hold (as seen on rendered avatars)
    hold = np.flatnonzero((t > 3.0) & (t < 4.2))
    bad = _swapped(seq, slice(hold[0], hold[-1] + 1), LEG_PARTS)
    report = analyze(bad, "seated")
    assert report["sides"]["left"]["peak_ir_deg"] == pytest.approx(truth.peaks["left"]["ir"], abs=1.5)
    assert report["sides"]["right"]["peak_er_deg"] == pytest.approx(truth.peaks["right"]["er"], abs=1.5)
    codes = {w["code"]: w for w in report["warnings"]}
    assert "sides_swapped" in codes and codes["sides_swapped"]["value"] > 0
    assert "sides_swapped" not in {w["code"] for w in analyze(seq, "seated")["warnings"]}


def test_implausible_shin_angles_are_dropped() -> None:
    from hipvision.api import run_analysis
    from hipvision.config import DEFAULT_SETTINGS

    seq, truth = rotation_clip("seated", [Move("left", 35.0)], noise_px=1.0)
    xy = seq.xy.copy()
    knee = xy[:, LANDMARK_INDEX["left_knee"]]
    late = seq.time_s > seq.time_s[-1] - 0.5  # at the end the ankle is put above the knee
    xy[late, LANDMARK_INDEX["left_ankle"]] = knee[late] - [0.0, 80.0]
    bad = replace(seq, xy=xy)

    def max_left(settings) -> float:
        run = run_analysis(bad, "seated", settings=settings)
        return float(np.nanmax(np.abs([np.nan if r[1] is None else r[1] for r in run.series_rows()])))

    # the angle limit on its own (the skeleton plausibility gate also rejects this ankle)
    # (and without the seated test's short-shin rule, which also leaves this ankle out)
    alone = replace(DEFAULT_SETTINGS.rotation, shin_min_length_ratio=0.0)
    no_gate = replace(DEFAULT_SETTINGS, plausibility=replace(DEFAULT_SETTINGS.plausibility, enabled=False), rotation=alone)
    no_limit = replace(no_gate, rotation=replace(alone, max_plausible_deg=1000.0))
    assert max_left(no_limit) > 150.0  # the misplaced ankle would read as a huge rotation
    assert max_left(no_gate) <= DEFAULT_SETTINGS.rotation.max_plausible_deg
    assert max_left(DEFAULT_SETTINGS) <= DEFAULT_SETTINGS.rotation.max_plausible_deg
    report = analyze(bad, "seated")
    assert report["sides"]["left"]["peak_ir_deg"] == pytest.approx(truth.peaks["left"]["ir"], abs=1.5)

"""Seated and prone rotation tests on synthetic clips with known answers."""

from __future__ import annotations

from dataclasses import replace

import math

import numpy as np
import pytest

from hipvision.analyzers.rotation.analysis import PRONE, SEATED, mirror_sequence
from hipvision.api import analyze, load_pose
from hipvision.config import DEFAULT_SETTINGS, RotationSettings
from hipvision.errors import AnalysisError
from hipvision.landmarks import LANDMARK_INDEX, mirror_index
from hipvision.synthetic import Move, default_camera, rotation_clip

from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
STANDARD = [Move("left", 38), Move("left", -42), Move("right", 33), Move("right", -47)]


def peaks(report: dict) -> dict:
    return {s: (report["sides"][s]["peak_ir_deg"], report["sides"][s]["peak_er_deg"]) for s in ("left", "right")}


def codes(report: dict) -> set[str]:
    return {w["code"] for w in report["warnings"]}


@pytest.mark.parametrize("test", ["seated", "prone"])
@pytest.mark.parametrize(
    "moves, camera, noise",
    [
        (STANDARD, {}, 0.0),
        (STANDARD, {"roll_deg": 6.0}, 2.0),
        (STANDARD, {"roll_deg": -6.0, "yaw_deg": 10.0, "pitch_deg": -8.0}, 3.0),
        (STANDARD, {"roll_deg": 4.0, "yaw_deg": -10.0, "pitch_deg": 8.0}, 5.0),
        ([Move("both", 30), Move("both", -55)], {"roll_deg": 3.0}, 2.0),  # both legs at once
        ([Move("left", 20), Move("left", 45, hold_s=1.0), Move("right", -25)], {}, 2.0),  # repeated attempts
    ],
)
def test_known_peaks(test: str, moves, camera: dict, noise: float) -> None:
    seq, truth = rotation_clip(
        test, moves, camera=default_camera(test, **camera), noise_px=noise,
        low_visibility_fraction=0.05, drop_fraction=0.05, seed=11,
    )
    rep = analyze(seq, test)
    got = peaks(rep)
    for side in ("left", "right"):
        for i, key in enumerate(("ir", "er")):
            want = truth.peaks[side][key]
            if want is None:
                assert got[side][i] is None, (side, key, got)
            else:
                assert got[side][i] == pytest.approx(want, abs=2.0), (side, key, got)
    assert rep["test"] == test and rep["schema_version"]


def test_attempts_hold_times_arc_and_asymmetry() -> None:
    seq, _ = rotation_clip("seated", [Move("left", 20), Move("left", 40), Move("left", -45), Move("right", 25), Move("right", -40)], noise_px=1, seed=3)
    rep = analyze(seq, "seated")
    left = rep["sides"]["left"]
    assert left["ir_attempts"] == 2 and left["er_attempts"] == 1
    assert left["total_arc_deg"] == pytest.approx(85.0, abs=1.5)
    # the 40 deg hold starts after 1.5 s lead + 5 s for the first attempt + 1 s ramp
    assert left["ir_held"]["from_s"] <= 7.6 and left["ir_held"]["to_s"] >= 9.4
    assert 7.5 <= left["ir_held"]["at_s"] <= 9.5
    asym = rep["asymmetry"]
    assert asym["ir"]["left_minus_right_deg"] == pytest.approx(15.0, abs=1.5)
    # the verdict uses the difference's error band (from the two sides' bands)
    sides = rep["sides"]
    for key in ("ir", "er"):
        band = math.hypot(sides["left"][f"peak_{key}_band_deg"], sides["right"][f"peak_{key}_band_deg"])
        assert asym[key]["band_deg"] == pytest.approx(band, abs=0.11)
    d_ir, b_ir = abs(asym["ir"]["left_minus_right_deg"]), asym["ir"]["band_deg"]
    assert asym["ir"]["verdict"] == ("not equal" if d_ir > 10 + b_ir else "borderline") and asym["ir"]["lower_side"] == "right"
    assert asym["er"]["verdict"] == ("equal" if abs(asym["er"]["left_minus_right_deg"]) < 10 - asym["er"]["band_deg"] else "borderline")
    assert rep["sides"]["left"]["norms"]["ir"]["verdict"] == "within"  # 40 in 30-45
    assert rep["sides"]["right"]["norms"]["ir"]["verdict"] == "below"


def test_borderline_asymmetry_within_measurement_error() -> None:
    seq, _ = rotation_clip("seated", [Move("left", 42), Move("right", 30)], seed=4)
    rep = analyze(seq, "seated")
    a = rep["asymmetry"]["ir"]
    assert a["verdict"] == "borderline"  # 12 deg: 10 < 12 <= 10 + band
    assert a["measurement_error_deg"] == a["band_deg"]  # the 1.1 name kept as an alias
    # the text summary says it in words a person understands, and labels the clip length
    text = SEATED.summary_text(rep)
    assert (
        f"  IR: left and right differ by {abs(a['left_minus_right_deg']):.1f} ± {a['band_deg']:.1f}° (right lower): more than "
        "the 10° usually called equal, but within its error band of it (borderline), so neither a clear difference nor clearly equal"
    ) in text.splitlines()
    assert f"(clip {rep['duration_s']} s)" in text.splitlines()[0]


def test_single_frame_spikes_do_not_make_the_peak() -> None:
    seq, _ = rotation_clip("seated", [Move("left", 30), Move("left", -30)], noise_px=1, seed=5)
    xy = seq.xy.copy()
    k = np.argmin(np.abs(seq.time_s - 3.5))  # inside the IR hold
    knee, ankle = LANDMARK_INDEX["left_knee"], LANDMARK_INDEX["left_ankle"]
    xy[k, ankle] = xy[k, knee] + 1.2 * (xy[k, ankle] - xy[k, knee]) @ np.array([[0.3, 0.95], [-0.95, 0.3]])
    rep = analyze(replace(seq, xy=xy), "seated")
    assert rep["sides"]["left"]["peak_ir_deg"] == pytest.approx(30.0, abs=1.0)


def test_vertical_from_neutral_shins_reports_roll_and_confidence() -> None:
    seq, _ = rotation_clip("seated", STANDARD, camera=default_camera("seated", roll_deg=5.0), seed=6)
    ref = analyze(seq, "seated")["vertical_reference"]
    assert ref["method"] == "neutral shins at the start"
    assert ref["confidence"] == "high"
    assert abs(ref["camera_roll_deg"]) == pytest.approx(5.0, abs=0.5)


def test_no_neutral_start_falls_back_and_stays_accurate() -> None:
    seq, truth = rotation_clip("seated", STANDARD, camera=default_camera("seated", roll_deg=4.0), lead_s=0.0, seed=7, noise_px=1)
    rep = analyze(seq, "seated")
    assert "no_neutral_start" in codes(rep)
    assert "between attempts" in rep["vertical_reference"]["method"]
    assert peaks(rep)["left"][0] == pytest.approx(38.0, abs=1.5)


def test_mirrored_video_declared() -> None:
    seq, _ = rotation_clip("seated", [Move("left", 40), Move("right", 25)], seed=8)
    w = seq.image_size[0]
    perm = [mirror_index(i) for i in range(33)]
    flipped = seq.xy[:, perm].copy()
    flipped[..., 0] = w - flipped[..., 0]
    mirrored = replace(seq, xy=flipped, visibility=seq.visibility[:, perm])
    wrong = analyze(mirrored, "seated")
    assert peaks(wrong)["left"][0] == pytest.approx(25.0, abs=1.0)  # sides swapped
    settings = replace(DEFAULT_SETTINGS, rotation=RotationSettings(mirrored=True))
    right = analyze(mirrored, "seated", settings=settings)
    assert peaks(right)["left"][0] == pytest.approx(40.0, abs=1.0)
    assert right["mirrored"] is True
    # mirroring twice is the identity
    np.testing.assert_array_equal(mirror_sequence(mirror_sequence(seq)).xy, seq.xy)


# ----------------------------------------------------------------- warnings on purpose


def _shift(seq, names, dx_of_t):
    xy = seq.xy.copy()
    for n in names:
        xy[:, LANDMARK_INDEX[n], 0] += dx_of_t(seq.time_s)
    return replace(seq, xy=xy)


def test_warning_pelvis_moved() -> None:
    seq, _ = rotation_clip("seated", STANDARD, seed=9)
    moved = _shift(seq, ["left_hip", "right_hip"], lambda t: 40 * np.clip(t - 5, 0, 1))
    assert "pelvis_moved" in codes(analyze(moved, "seated"))
    assert "pelvis_moved" not in codes(analyze(seq, "seated"))


def test_warning_thigh_moved() -> None:
    seq, _ = rotation_clip("seated", STANDARD, seed=9)
    moved = _shift(seq, ["left_knee", "left_ankle"], lambda t: 50 * np.clip(t - 3, 0, 1))
    rep = analyze(moved, "seated")
    assert any(w["code"] == "thigh_moved" and "left" in w["message"] for w in rep["warnings"])


def test_warning_leg_out_of_frame_at_peak() -> None:
    seq, _ = rotation_clip("seated", [Move("left", 40), Move("right", -30)], seed=10)
    ax = seq.point("left_ankle")[:, 0]
    w = int(np.nanmax(ax)) - 5  # the left ankle leaves the right edge at the IR peak
    rep = analyze(replace(seq, image_size=(w, seq.image_size[1])), "seated")
    assert any(w_["code"] == "landmark_unclear_at_peak" and "left ankle" in w_["message"] for w_ in rep["warnings"])


def test_warnings_camera_tilted_and_off_axis() -> None:
    seq, _ = rotation_clip("seated", STANDARD, camera=default_camera("seated", roll_deg=9.0, yaw_deg=20.0), seed=12)
    c = codes(analyze(seq, "seated"))
    assert {"camera_tilted", "camera_off_axis"} <= c
    seq, _ = rotation_clip("seated", STANDARD, camera=default_camera("seated", roll_deg=2.0, yaw_deg=3.0), seed=12)
    assert not {"camera_tilted", "camera_off_axis"} & codes(analyze(seq, "seated"))


def test_warning_knee_not_90_in_prone() -> None:
    seq, _ = rotation_clip("prone", STANDARD, seed=13)
    assert "knee_not_90" not in codes(analyze(seq, "prone"))
    world = seq.world.copy()
    for s in ("left", "right"):
        k, a, h = (LANDMARK_INDEX[f"{s}_{p}"] for p in ("knee", "ankle", "hip"))
        thigh = world[:, h] - world[:, k]
        world[:, a] = world[:, k] - 0.4 * thigh / np.linalg.norm(thigh, axis=1, keepdims=True)  # straight leg
    rep = analyze(replace(seq, world=world), "prone")
    assert "knee_not_90" in codes(rep)


def test_warnings_one_side_one_direction_no_movement_people() -> None:
    seq, _ = rotation_clip("seated", [Move("left", 35)], seed=14)
    c = codes(analyze(seq, "seated"))
    assert "one_direction_only" in c and "side_not_tested" in c
    still, _ = rotation_clip("seated", [Move("left", 3)], seed=14)
    rep = analyze(still, "seated")
    assert "no_movement" in codes(rep)
    assert rep["sides"]["left"]["range_deg"] < 8 and rep["sides"]["left"]["peak_ir_deg"] is None
    crowd = replace(seq, num_people=np.where(np.arange(len(seq)) % 10 == 0, 2, -1))
    assert "multiple_people" in codes(analyze(crowd, "seated"))


def test_one_leg_missing_is_measured_with_a_warning_and_no_legs_is_an_error() -> None:
    seq, _ = rotation_clip("seated", STANDARD, seed=15)
    xy = seq.xy.copy()
    xy[:, [LANDMARK_INDEX["right_knee"], LANDMARK_INDEX["right_ankle"]]] = np.nan
    rep = analyze(replace(seq, xy=xy), "seated")
    assert "one_side_only" in codes(rep)
    assert rep["sides"]["right"]["measured"] is False and rep["sides"]["right"]["peak_ir_deg"] is None
    assert rep["sides"]["left"]["peak_ir_deg"] == pytest.approx(38, abs=1.0)
    xy[:, [LANDMARK_INDEX["left_knee"], LANDMARK_INDEX["left_ankle"]]] = np.nan
    with pytest.raises(AnalysisError, match="left_knee, left_ankle, right_knee, right_ankle"):
        analyze(replace(seq, xy=xy), "seated")


def test_knees_and_ankles_only_as_from_the_shin_tracker() -> None:
    seq, _ = rotation_clip("prone", STANDARD, seed=16, noise_px=1)
    keep = [LANDMARK_INDEX[f"{s}_{p}"] for s in ("left", "right") for p in ("knee", "ankle")]
    xy = np.full_like(seq.xy, np.nan)
    xy[:, keep] = seq.xy[:, keep]
    rep = analyze(replace(seq, xy=xy, world=np.full_like(seq.world, np.nan)), "prone")
    assert peaks(rep)["left"] == pytest.approx((38, 42), abs=1.5)
    assert peaks(rep)["right"] == pytest.approx((33, 47), abs=1.5)


# ----------------------------------------------------------------- wrong test for the clip


def test_squat_is_not_a_seated_test() -> None:
    squat = load_pose(SAMPLES / "demo_squat_front.pose.csv")
    with pytest.raises(AnalysisError, match="no seated rotation test found"):
        analyze(squat, "seated")


def test_seated_clip_is_not_a_prone_test_and_vice_versa() -> None:
    seated, _ = rotation_clip("seated", STANDARD, seed=17)
    with pytest.raises(AnalysisError, match="no prone rotation test found: the ankles are not above the knees"):
        analyze(seated, "prone")
    prone, _ = rotation_clip("prone", STANDARD, seed=17)
    with pytest.raises(AnalysisError, match="no seated rotation test found"):
        analyze(prone, "seated")


def test_run_gives_the_per_frame_series() -> None:
    seq, truth = rotation_clip("seated", STANDARD, seed=18)
    run = SEATED.run(seq, DEFAULT_SETTINGS)
    assert len(run.time_s) == len(truth.time_s)
    np.testing.assert_allclose(run.angles["left"][60:-60], truth.theta["left"][60:-60], atol=0.5)
    rows = run.series_rows()
    assert rows[0][0] == 0.0 and len(rows) == len(run.time_s)
    assert PRONE.name == "prone"


def test_vertical_per_side_when_the_legs_are_never_still_together() -> None:
    moves = [Move("left", 35, rest_s=0.0), Move("right", -40, rest_s=0.0)]
    seq, _ = rotation_clip("seated", moves, camera=default_camera("seated", roll_deg=3.0), lead_s=0.0, seed=19)
    rep = analyze(seq, "seated")
    assert rep["vertical_reference"]["method"] == "still neutral per side"
    assert "no_neutral_start" in codes(rep)
    assert peaks(rep)["left"][0] == pytest.approx(35, abs=1.0)
    assert peaks(rep)["right"][1] == pytest.approx(40, abs=1.0)


def test_image_vertical_fallback_has_low_confidence() -> None:
    # legs swinging all the time: never a still, near-vertical moment
    moves = [Move("both", 30, ramp_s=0.8, hold_s=0.0, rest_s=0.0), Move("both", -30, ramp_s=0.8, hold_s=0.0, rest_s=0.0)] * 3
    seq, _ = rotation_clip("seated", moves, lead_s=0.0, seed=20)
    rep = analyze(seq, "seated")
    assert "image vertical" in rep["vertical_reference"]["method"]
    assert rep["vertical_reference"]["confidence"] == "low"


def test_one_leg_without_hips_assumes_the_standard_camera_placement() -> None:
    seq, _ = rotation_clip("seated", [Move("left", 30), Move("left", -35)], seed=21)
    keep = [LANDMARK_INDEX["left_knee"], LANDMARK_INDEX["left_ankle"]]
    xy = np.full_like(seq.xy, np.nan)
    xy[:, keep] = seq.xy[:, keep]
    rep = analyze(replace(seq, xy=xy), "seated")
    assert {"sides_assumed", "one_side_only"} <= codes(rep)
    assert peaks(rep)["left"] == pytest.approx((30, 35), abs=1.0)


@pytest.mark.parametrize(
    "moves",
    [
        [Move("left", 15, ramp_s=0.3, hold_s=2.0), Move("left", -30)],  # still, small IR held at the start
        [Move("both", 14, ramp_s=0.3, hold_s=2.0), Move("both", -30)],  # both legs held rotated
    ],
)
def test_a_still_held_rotation_is_not_taken_for_neutral(moves) -> None:
    seq, truth = rotation_clip("seated", moves, camera=default_camera("seated", roll_deg=3.0), lead_s=0.0, seed=22, noise_px=1)
    rep = analyze(seq, "seated")
    assert "no_neutral_start" in codes(rep)
    assert rep["sides"]["left"]["peak_ir_deg"] == pytest.approx(truth.peaks["left"]["ir"], abs=1.5)
    assert rep["sides"]["left"]["peak_er_deg"] == pytest.approx(30, abs=1.5)
    assert "camera_tilted" not in codes(rep)


def test_a_leg_seen_only_with_low_visibility_is_not_measured() -> None:
    seq, _ = rotation_clip("seated", STANDARD, seed=23, noise_px=1)
    vis = seq.visibility.copy()
    vis[:, [LANDMARK_INDEX["right_knee"], LANDMARK_INDEX["right_ankle"]]] = 0.1
    rep = analyze(replace(seq, visibility=vis), "seated")
    assert rep["sides"]["right"]["measured"] is False
    assert "one_side_only" in codes(rep) and "side_not_tested" not in codes(rep)
    assert rep["sides"]["left"]["peak_ir_deg"] == pytest.approx(38, abs=1.0)
    vis[:, [LANDMARK_INDEX["left_knee"], LANDMARK_INDEX["left_ankle"]]] = 0.1
    with pytest.raises(AnalysisError, match="left_knee, left_ankle, right_knee, right_ankle"):
        analyze(replace(seq, visibility=vis), "seated")


def test_too_short_clip_is_refused() -> None:
    seq, _ = rotation_clip("seated", STANDARD, seed=24)
    short = replace(seq, frame=seq.frame[:20], time_s=seq.time_s[:20], xy=seq.xy[:20], z=seq.z[:20],
                    visibility=seq.visibility[:20], presence=seq.presence[:20], world=seq.world[:20],
                    num_people=seq.num_people[:20])
    with pytest.raises(AnalysisError, match="too short"):
        analyze(short, "seated")


def test_a_brief_touch_is_not_a_held_peak() -> None:
    # 0.3 s at 40 deg, then a proper 2 s hold at 30 deg: the held peak is 30
    moves = [Move("left", 40, ramp_s=0.3, hold_s=0.15, rest_s=1.0), Move("left", 30)]
    seq, _ = rotation_clip("seated", moves, seed=25)
    rep = analyze(seq, "seated")
    assert rep["sides"]["left"]["peak_ir_deg"] == pytest.approx(30, abs=1.5)

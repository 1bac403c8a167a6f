"""Squat / hinge screening on synthetic clips with known answers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hipvision.bands import no_bands
from hipvision.analyzers import overlay
from hipvision.api import analyze, run_analysis
from hipvision.config import DEFAULT_SETTINGS, ScreeningSettings
from hipvision.errors import AnalysisError
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.reps import segment_reps
from hipvision.synthetic import Move, Rep, frontal_camera, rotation_clip, screening_clip, side_camera

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TESTS = ["squat", "single-leg-squat", "hinge", "single-leg-hinge"]
SET = [
    Rep(valgus_left_m=0.07, hip_shift_m=0.035),  # clear valgus left, shift to the left
    Rep(),  # clean rep
    Rep(depth=0.6, valgus_right_m=0.06, hip_shift_m=-0.045, pause_s=1.0),  # partial, paused
]


def codes(rep: dict) -> set[str]:
    return {w["code"] for w in rep["warnings"]}


@pytest.mark.parametrize("test", TESTS)
@pytest.mark.parametrize(
    "camera, noise",
    [({}, 0.0), ({"roll_deg": 3.0, "yaw_deg": 4.0}, 2.0), ({"roll_deg": -3.0, "yaw_deg": -3.0, "height": 0.95}, 3.0)],
)
def test_known_reps_fppa_and_shift(test: str, camera: dict, noise: float) -> None:
    seq, truth = screening_clip(
        test, SET, camera=frontal_camera(**camera), noise_px=noise,
        low_visibility_fraction=0.03, drop_fraction=0.03, seed=5,
    )
    rep = analyze(seq, test)
    if test == "single-leg-squat" and camera.get("yaw_deg"):
        # single-leg tests hold the turn read on the standing start to 3 deg: a 3-4 deg turned
        # phone withholds FPPA; the rest is checked with the two-legged tests' 5.5 deg limit
        assert "fppa_withheld_turn" in codes(rep)
        assert all(r["left"]["fppa_deg"] is None and "turned about" in r["left"]["fppa_note"] for r in rep["reps"])
        ss = replace(DEFAULT_SETTINGS.screening, two_leg_start_max_turn_deg=DEFAULT_SETTINGS.screening.fppa_max_turn_deg)
        rep = analyze(seq, test, settings=replace(DEFAULT_SETTINGS, screening=ss))
    assert len(rep["reps"]) == len(SET)
    if test.startswith("single"):
        assert rep["working_side"] == "left"
    for r, (start, bottom, end), f, hs in zip(rep["reps"], truth.rep_times, truth.fppa, truth.hip_shift_pct):
        assert r["view"] == "frontal"
        assert abs(r["bottom_s"] - bottom) < 0.35 and r["start_s"] < bottom < r["end_s"]
        assert r["start_s"] == pytest.approx(start, abs=0.6) and r["end_s"] == pytest.approx(end, abs=0.6)
        for side, want in f.items():
            # 2-D FPPA depends on the camera height (truth: an ideal camera at knee height)
            assert r[side]["fppa_deg"] == pytest.approx(want, abs=4.0), (side, r[side], want)
            # flagged only beyond the error band; within it borderline (hipvision.bands)
            d = r[side]
            judged = d["fppa_peak_deg"] if d.get("fppa_peak_deg") is not None else d["fppa_deg"]
            band = d["fppa_peak_band_deg"] if d.get("fppa_peak_deg") is not None else d["fppa_band_deg"]
            assert d["valgus"] is (judged - 10.0 > band + 1e-6) and d["valgus_borderline"] is (abs(judged - 10.0) <= band + 1e-6)
            if abs(want - 10.0) > 3.0 and d["valgus"]:  # a flag raised is right
                assert want > 10.0
        # a turned camera sees the pelvis (behind the feet at the bottom) slightly sideways
        assert r["hip_shift_pct"] == pytest.approx(hs, abs=4.0)
        hb = r["hip_shift_band_pct"]
        assert r["hip_shift"] is (abs(r["hip_shift_pct"]) - 15.0 > hb + 1e-6)
        assert r["hip_shift_borderline"] is (abs(abs(r["hip_shift_pct"]) - 15.0) <= hb + 1e-6)
        if abs(abs(hs) - 15.0) > 3.0 and r["hip_shift"]:
            assert abs(hs) > 15.0
        if abs(hs) > 3:
            assert r["hip_shift_toward"] == ("left" if hs > 0 else "right")


def test_report_layout_and_summary() -> None:
    seq, truth = screening_clip("squat", SET, noise_px=1.0, seed=6)
    rep = analyze(seq, "squat")
    r1 = rep["reps"][0]
    assert set(r1) >= {"index", "start_s", "bottom_s", "end_s", "left", "right", "hip_shift_pct", "hip_shift_toward", "hip_shift"}
    assert r1["left"]["valgus"] is True and r1["left"]["medial_knee_displacement"] > 0.03
    s = rep["summary"]
    assert s["reps"] == 3 and s["worst_rep"]["index"] == 1 and s["worst_rep"]["side"] == "left"
    # both shifts (about 22 %) are within their error band (>= 10 %) of the 15 % threshold
    assert s["valgus_reps"] == {"left": 1, "right": 1} and s["hip_shift_reps"] == 0 and s["hip_shift_borderline_reps"] == 2
    assert s["view"] == "frontal"
    # consistency across reps: the left knee goes from clear valgus to straight
    assert s["left_fppa_range_deg"] > 8.0 and s["fppa_varies_between_reps"] is True
    assert s["left_fppa_sd_deg"] > 3.0 and s["hip_shift_sd_pct"] > 5.0
    assert rep["thresholds"]["fppa_valgus_deg"] == 10.0
    assert "no validated cut-off" in rep["thresholds"]["hip_shift_note"]


@pytest.mark.parametrize("n", [1, 12, 30])
def test_rep_counts_from_one_to_thirty(n: int) -> None:
    reps = [Rep(depth=0.5 + 0.5 * (i % 2), down_s=0.6 + 0.2 * (i % 3), up_s=0.6, pause_s=0.1 * (i % 4), rest_s=0.3) for i in range(n)]
    seq, truth = screening_clip("squat", reps, noise_px=2.0, seed=n)
    assert len(analyze(seq, "squat")["reps"]) == n


def test_fast_reps_without_rest() -> None:
    reps = [Rep(down_s=0.5, up_s=0.5, pause_s=0.0, rest_s=0.0)] * 8
    seq, _ = screening_clip("squat", reps, noise_px=1.0, seed=3)
    assert len(analyze(seq, "squat")["reps"]) == 8


def test_sex_specific_threshold() -> None:
    seq, truth = screening_clip("single-leg-squat", [Rep(valgus_left_m=0.05)], seed=7)
    fppa = truth.fppa[0]["left"]
    assert 8.0 < fppa < 13.0  # between the men's and the women's threshold
    # on the bare thresholds (no error band)
    male = replace(DEFAULT_SETTINGS, screening=ScreeningSettings(sex="male"), bands=no_bands())
    female = replace(DEFAULT_SETTINGS, screening=ScreeningSettings(sex="female"), bands=no_bands())
    assert analyze(seq, "single-leg-squat", settings=male)["reps"][0]["left"]["valgus"] is True
    assert analyze(seq, "single-leg-squat", settings=female)["reps"][0]["left"]["valgus"] is False
    # with the bands, a value a few degrees from either threshold is borderline, not flagged
    knee = analyze(seq, "single-leg-squat", settings=replace(male, bands=DEFAULT_SETTINGS.bands))["reps"][0]["left"]
    assert knee["valgus"] is False and knee["valgus_borderline"] is True


def test_rolled_camera_does_not_invent_a_hip_shift() -> None:
    seq, _ = screening_clip("squat", [Rep(), Rep()], camera=frontal_camera(roll_deg=3.0, height=0.5), seed=8)
    rep = analyze(seq, "squat")
    assert all(abs(r["hip_shift_pct"]) < 3.0 and r["hip_shift"] is False for r in rep["reps"])
    assert rep["vertical_reference"]["camera_roll_deg"] == pytest.approx(3.0, abs=0.7)


def test_side_view_is_recognised_and_gives_depth_and_lean() -> None:
    seq, _ = screening_clip("squat", [Rep(), Rep()], camera=side_camera(), noise_px=1.0, seed=9)
    rep = analyze(seq, "squat")
    assert "side_view" in codes(rep)
    for r in rep["reps"]:
        assert r["view"] == "side" and r["left"] is None and r["right"] is None and r["hip_shift"] is None
        assert "valgus" in r["view_note"] and "cannot be judged" in r["view_note"]
        assert r["knee_flexion_deg"] == pytest.approx(100, abs=8)
        assert r["trunk_lean_deg"] == pytest.approx(40, abs=6)


def test_view_change_part_way_is_handled_per_rep() -> None:
    a, _ = screening_clip("squat", [Rep(), Rep()], noise_px=1.0, seed=10)
    b, _ = screening_clip("squat", [Rep(), Rep()], camera=side_camera(), noise_px=1.0, seed=10)
    # the side-view half, continuing in time; rescale to the same frame size
    t_off = a.time_s[-1] + 1 / 30
    joined = replace(
        a,
        frame=np.concatenate([a.frame, b.frame + a.frame[-1] + 1]),
        time_s=np.concatenate([a.time_s, b.time_s + t_off]),
        xy=np.concatenate([a.xy, b.xy]), z=np.concatenate([a.z, b.z]),
        visibility=np.concatenate([a.visibility, b.visibility]), presence=np.concatenate([a.presence, b.presence]),
        world=np.concatenate([a.world, b.world]), num_people=np.concatenate([a.num_people, b.num_people]),
    )
    rep = analyze(joined, "squat")
    assert [r["view"] for r in rep["reps"]] == ["frontal", "frontal", "side", "side"]
    assert rep["reps"][0]["left"]["fppa_deg"] is not None and rep["reps"][3]["left"] is None


def test_no_reps_gives_an_empty_list_and_a_reason() -> None:
    seq, _ = screening_clip("squat", [Rep(depth=0.03)], seed=11)
    rep = analyze(seq, "squat")
    assert rep["reps"] == [] and "no repetition found" in rep["no_reps_reason"]


def test_rotation_test_clip_analysed_as_a_squat() -> None:
    seq, _ = rotation_clip("seated", [Move("left", 35), Move("left", -40)], seed=12)
    with pytest.raises(AnalysisError, match="never stands up.*hip-rotation test"):
        analyze(seq, "squat")


def test_person_leaving_the_frame_mid_set() -> None:
    seq, _ = screening_clip("squat", [Rep(), Rep(), Rep()], noise_px=1.0, seed=13)
    xy = seq.xy.copy()
    gone = (seq.time_s > 4.6) & (seq.time_s < 7.6)  # the second rep happens out of view
    xy[gone] = np.nan
    rep = analyze(replace(seq, xy=xy), "squat")
    assert "left_frame" in codes(rep)
    assert len(rep["reps"]) == 2


def test_fppa_is_withheld_when_the_reps_bottom_is_unseen() -> None:
    """The deepest frames of rep 2 are lost (as when the plausibility gate rejects them, as on
    the rendered knee-height squat): its depth is unknown and the deepest frame where the
    thigh is seen is far above the bottom, where the valgus knee reads far less than 19 deg.
    The knees' FPPA and flags are withheld with the reason, not read there; rep 1 is unaffected."""
    reps = [Rep(valgus_left_m=0.07), Rep(valgus_left_m=0.07)]
    seq, truth = screening_clip("squat", reps, noise_px=1.0, seed=41)
    xy = seq.xy.copy()
    start, bottom, end = truth.rep_times[1]
    hip_y = np.mean(xy[:, [LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]], 1], axis=1)
    stand = np.median(hip_y[seq.time_s < 1.0])
    low = hip_y[np.argmin(np.abs(seq.time_s - bottom))]
    deep = (seq.time_s > start) & (seq.time_s < end) & (hip_y - stand > 0.6 * (low - stand))
    xy[deep] = np.nan
    rep = analyze(replace(seq, xy=xy), "squat")
    first, second = rep["reps"]
    assert first["left"]["fppa_deg"] == pytest.approx(truth.fppa[0]["left"], abs=3.0)
    assert second["depth_pct"] is None
    for side in ("left", "right"):
        knee = second[side]
        assert knee["fppa_deg"] is None and knee["valgus"] is None and knee.get("fppa_peak_deg") is None
        assert knee["fppa_note"].startswith("withheld: the deepest frames of this rep are missing")
        assert "fppa_band_deg" not in knee
    # the unaffected rep still reads where it should; the withheld one counts in no summary
    assert rep["summary"]["worst_rep"] is None or rep["summary"]["worst_rep"]["index"] == 1


def test_two_people_in_view_warns() -> None:
    seq, _ = screening_clip("squat", [Rep()], seed=14)
    crowd = replace(seq, num_people=np.where(np.arange(len(seq)) % 30 == 0, 2, -1))
    assert "multiple_people" in codes(analyze(crowd, "squat"))


def test_missing_legs_is_an_error_naming_them() -> None:
    seq, _ = screening_clip("squat", [Rep()], seed=15)
    xy = seq.xy.copy()
    xy[:, LANDMARK_INDEX["left_ankle"]] = np.nan
    with pytest.raises(AnalysisError, match="left_ankle"):
        analyze(replace(seq, xy=xy), "squat")


def test_series_and_overlay(tmp_path: Path) -> None:
    seq, truth = screening_clip("squat", SET, seed=16)
    run = run_analysis(seq, "squat", series_path=tmp_path / "s.csv")
    header = (tmp_path / "s.csv").read_text().splitlines()[0]
    assert header == "time_s,depth_pct,left_fppa_deg,right_fppa_deg,hip_shift_pct"
    k = int(np.argmin(np.abs(run.time_s - truth.rep_times[0][1])))
    img = np.zeros((seq.image_size[1], seq.image_size[0], 3), np.uint8)
    drawn = overlay(run)(img, int(run.frame[k]))
    # red valgus lines on the left knee at the bottom of rep 1
    assert ((drawn[..., 0] > 200) & (drawn[..., 1] < 60)).sum() > 50


def test_segment_reps_handles_pauses_and_noise() -> None:
    t = np.arange(0, 10, 1 / 30)
    d = np.zeros_like(t)
    for c in (2.0, 6.0):
        d += np.clip(1 - np.abs(t - c) / 1.2, 0, None).clip(0, 0.8) / 0.8  # flat-topped (paused)
    d += np.random.default_rng(0).normal(0, 0.01, t.size)
    reps = segment_reps(t, d, min_depth=0.1)
    assert len(reps) == 2
    assert [round(t[r.bottom], 1) for r in reps] == pytest.approx([2.0, 6.0], abs=0.15)


def test_wobbles_during_a_pause_are_one_rep_and_reps_end_at_the_valley() -> None:
    t = np.arange(0, 12, 1 / 30)
    d = np.zeros_like(t)
    # rep 1: a long noisy pause at the bottom (several local peaks); rep 2 shallow, right after
    d += np.interp(t, [1, 2, 4, 5], [0, 0.25, 0.25, 0], left=0, right=0)
    d += 0.015 * np.sin(2 * np.pi * 2.5 * t) * ((t > 2) & (t < 4))
    d += np.interp(t, [5.3, 6.2, 7.0], [0, 0.16, 0], left=0, right=0)
    d += np.interp(t, [7.2, 8.5, 9.8], [0, 0.35, 0], left=0, right=0)
    d += np.random.default_rng(1).normal(0, 0.008, t.size)
    reps = segment_reps(t, d, min_depth=0.08, return_fraction=0.05)
    assert len(reps) == 3
    assert t[reps[0].end] < 5.3 and t[reps[1].start] > 4.9 and t[reps[1].end] < 7.2


@pytest.mark.parametrize("depth", [0.5, 0.7])
@pytest.mark.parametrize("height", [0.5, 0.95])
def test_shallow_hinges_are_counted_from_a_low_or_high_camera(depth: float, height: float) -> None:
    """From the front a hinge barely lowers the shoulders in the image; the world trunk sees it."""
    reps = [Rep(depth=depth), Rep(depth=1.0), Rep(depth=depth, pause_s=1.0)]
    seq, _ = screening_clip("hinge", reps, camera=frontal_camera(height=height), noise_px=2.0, world_noise_m=0.02, seed=21)
    assert len(analyze(seq, "hinge")["reps"]) == 3


def test_value_at_bottom_reads_the_peak_not_the_window_median() -> None:
    from hipvision.analyzers.screening.analysis import value_at_bottom

    depth = 0.8 * np.sin(np.linspace(0.9, np.pi - 0.9, 40))  # the bottom window of one rep
    value = 5.0 + 20.0 * depth  # FPPA grows with depth
    assert value_at_bottom(value, depth, 0.8) == pytest.approx(21.0, abs=0.01)
    assert np.median(value) < 20.5  # what a plain median would have said
    noisy = value + np.random.default_rng(2).normal(0, 0.5, value.size)
    noisy[5] += 30  # an outlier
    assert value_at_bottom(noisy, depth, 0.8) == pytest.approx(21.0, abs=1.0)
    assert value_at_bottom(np.full(3, np.nan), depth[:3], 0.8) is None


@pytest.mark.parametrize("azimuth", [-8.0, 8.0])
def test_turn_correction_keeps_the_pelvis_moving_back_out_of_the_hip_shift(azimuth: float) -> None:
    """With the correction on, the pelvis moving back in a deep squat seen by a camera the
    body is turned from does not read as a sideways shift; without it, it does."""
    reps = [Rep(depth=1.0), Rep(depth=1.0, hip_shift_m=0.04)]
    seq, truth = screening_clip("single-leg-squat", reps, camera=frontal_camera(azimuth_deg=azimuth), world_noise_m=0.01, seed=22)
    on = replace(DEFAULT_SETTINGS, screening=ScreeningSettings(hip_shift_turn_correction=True))
    corrected = analyze(seq, "single-leg-squat", settings=on)["reps"]
    plain = analyze(seq, "single-leg-squat")["reps"]
    err_on = [abs(r["hip_shift_pct"] - hs) for r, hs in zip(corrected, truth.hip_shift_pct)]
    err_off = [abs(r["hip_shift_pct"] - hs) for r, hs in zip(plain, truth.hip_shift_pct)]
    assert max(err_on) < 2.0 and max(err_off) > max(err_on) + 2.0, (err_on, err_off)


def test_turned_body_gets_a_caution() -> None:
    seq, _ = screening_clip("squat", [Rep(), Rep()], camera=frontal_camera(azimuth_deg=14.0), seed=23)
    rep = analyze(seq, "squat")
    assert [r["view"] for r in rep["reps"]] == ["frontal", "frontal"]
    assert "turned_body" in codes(rep)
    seq, _ = screening_clip("squat", [Rep(), Rep()], camera=frontal_camera(azimuth_deg=2.0), seed=23)
    assert "turned_body" not in codes(analyze(seq, "squat"))


def test_overlay_draws_counter_knee_lines_and_shift_arrow(tmp_path: Path) -> None:
    reps = [Rep(valgus_left_m=0.07, hip_shift_m=0.045), Rep()]
    seq, truth = screening_clip("squat", reps, seed=24)
    run = run_analysis(seq, "squat", settings=replace(DEFAULT_SETTINGS, bands=no_bands()))  # flags on the bare thresholds
    assert run.reps[0]["hip_shift"] is True and run.reps[0]["left"]["valgus"] is True
    blank = np.zeros((seq.image_size[1], seq.image_size[0], 3), np.uint8)
    # before the first rep: only the counter, top left
    k0 = 5
    drawn = overlay(run)(blank, int(run.frame[k0]))
    changed = drawn.any(axis=2)
    assert changed[:80, :200].any() and not changed[200:].any()
    # at the bottom of rep 1: red (valgus) left leg, green right leg, red arrow feet -> pelvis
    k = int(np.argmin(np.abs(run.time_s - truth.rep_times[0][1])))
    drawn = overlay(run)(blank, int(run.frame[k]))
    red = (drawn[..., 0] > 200) & (drawn[..., 1] < 60) & (drawn[..., 2] < 60)
    green = (drawn[..., 1] > 180) & (drawn[..., 0] < 60)
    P = run.clean
    lknee, rknee = P.point("left_knee")[k], P.point("right_knee")[k]
    near = lambda p, mask: mask[int(p[1]) - 6 : int(p[1]) + 7, int(p[0]) - 6 : int(p[0]) + 7].any()  # noqa: E731
    assert near(lknee, red) and near(rknee, green) and not near(rknee, red)
    pelvis = (P.point("left_hip")[k] + P.point("right_hip")[k]) / 2
    feet = (P.point("left_ankle")[k] + P.point("right_ankle")[k]) / 2
    mid = (pelvis + feet) / 2
    assert near(mid, red)  # the arrow's shaft, red because the shift is flagged
    # after the set: the counter reads 2 and nothing else is drawn at the legs
    after = overlay(run)(blank, int(run.frame[-1]))
    assert not after[200:].any() and (after[:80, :200] != drawn[:80, :200]).any()
    # the overlay follows the report: a knee the report calls borderline is drawn amber, not red
    run.reps[0]["left"].update(valgus=False, valgus_borderline=True)
    drawn = overlay(run)(blank, int(run.frame[k]))
    amber = (drawn[..., 0] > 200) & (drawn[..., 1] > 120) & (drawn[..., 1] < 180) & (drawn[..., 2] < 60)
    red = (drawn[..., 0] > 200) & (drawn[..., 1] < 60) & (drawn[..., 2] < 60)
    assert near(lknee, amber) and not near(lknee, red)


def test_fppa_method_is_reported_and_a_turned_body_gets_no_fppa() -> None:
    """Square on: FPPA with its method (the image angle; the rebuilt square view when
    asked, which from a hip-high phone is nearer the knee-height truth). Turned 12 deg
    (still a frontal view): a bent knee's FPPA would be off by many degrees and the turn
    cannot be corrected, so it is withheld with the reason, never reported."""
    reps = [Rep(valgus_left_m=0.07), Rep()]
    seq, truth = screening_clip("squat", reps, camera=frontal_camera(height=0.95), world_noise_m=0.01, seed=31)
    image = analyze(seq, "squat")
    sq = analyze(seq, "squat", settings=replace(DEFAULT_SETTINGS, screening=ScreeningSettings(fppa_square_view=True)))
    err = {"image": [], "square-view": []}
    for rep in (image, sq):
        for r, f in zip(rep["reps"], truth.fppa):
            for side in ("left", "right"):
                d = r[side]
                assert d["fppa_deg"] == pytest.approx(f[side], abs=4.0)
                err[d["fppa_method"]].append(abs(d["fppa_deg"] - f[side]))
        assert "fppa_withheld_turn" not in codes(rep)
    assert len(err["image"]) == len(err["square-view"]) == 4
    assert max(err["square-view"]) < 1.0 < max(err["image"])
    seq, _ = screening_clip("squat", reps, camera=frontal_camera(azimuth_deg=12.0), world_noise_m=0.01, seed=31)
    rep = analyze(seq, "squat")
    assert [r["view"] for r in rep["reps"]] == ["frontal", "frontal"]
    for r in rep["reps"]:
        assert r["hip_shift_pct"] is not None  # only FPPA is withheld
        for side in ("left", "right"):
            d = r[side]
            assert d["fppa_deg"] is None and d["valgus"] is None and "fppa_method" not in d
            assert "turned about 12 deg" in d["fppa_note"]
    assert "fppa_withheld_turn" in codes(rep)
    assert rep["summary"]["valgus_reps"] == {"left": 0, "right": 0} and rep["summary"]["worst_rep"] is None


def test_without_world_landmarks_bent_knee_fppa_is_withheld_as_unchecked() -> None:
    """Another estimator's pose CSV without world landmarks: the turn cannot be checked, and
    any turn the view check lets through (up to 20 deg) would move a bent knee's FPPA by
    more than the tolerance, so it is withheld with that reason; hip shift stays."""
    seq, _ = screening_clip("squat", [Rep(valgus_left_m=0.07), Rep()], camera=frontal_camera(), seed=32)
    rep = analyze(replace(seq, world=np.full_like(seq.world, np.nan)), "squat")
    for r in rep["reps"]:
        assert r["view"] == "frontal" and r["hip_shift_pct"] is not None
        for side in ("left", "right"):
            assert r[side]["fppa_deg"] is None and "without world landmarks" in r[side]["fppa_note"]
    assert "fppa_withheld_turn" in codes(rep)


def test_hips_read_collapsed_while_standing_do_not_flip_the_shift_sign() -> None:
    """The rendered Mannequin squat (benchmarks/render): standing still, the pose model put
    the faceless body's hips together or in reverse order (not far enough to count as a
    left/right swap), and in the reps the right way round. The person's left was taken from
    the standing hip line alone, so a pelvis shifted 7 cm to the left read as a shift to the
    right. The direction now follows the hip line over the clip."""
    seq, truth = screening_clip("squat", [Rep(), Rep(hip_shift_m=0.07)], noise_px=1.0, seed=2)
    t = seq.time_s
    in_rep = np.zeros(len(t), bool)
    for start, _, end in truth.rep_times:
        in_rep |= (t >= start) & (t <= end)
    li, ri = LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]
    xy = seq.xy.copy()
    mid = (xy[:, li] + xy[:, ri]) / 2
    half = (xy[:, li] - xy[:, ri]) / 2
    # standing: the hips drawn 0.2 of their distance apart in the reverse order
    xy[~in_rep, li] = mid[~in_rep] - 0.2 * half[~in_rep]
    xy[~in_rep, ri] = mid[~in_rep] + 0.2 * half[~in_rep]
    rep = analyze(replace(seq, xy=xy), "squat")
    assert truth.hip_shift_pct[1] > 25
    r = rep["reps"][1]
    assert r["hip_shift_toward"] == "left" and r["hip_shift"] is True
    assert r["hip_shift_pct"] == pytest.approx(truth.hip_shift_pct[1], abs=8.0)
    assert abs(rep["reps"][0]["hip_shift_pct"]) < 5.0

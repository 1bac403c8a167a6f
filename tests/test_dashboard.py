"""Dashboard building blocks without a browser: test suggestion, live screening, the live
frame processor, charts and the analysis job."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hipvision.config import ScreeningSettings
from hipvision.dashboard import charts, jobs
from hipvision import analyzers
from hipvision.dashboard.instructions import illustration, instructions
from hipvision.errors import AnalysisError
from hipvision.analyzers.screening.live import LiveScreening
from hipvision.posecsv import write_pose_csv
from hipvision.suggest import suggest_test
from hipvision.synthetic import Move, Rep, frontal_camera, rotation_clip, screening_clip, side_camera

from shared_paths import MEDIA, find_model

SCREEN_TESTS = ("squat", "single-leg-squat", "hinge", "single-leg-hinge")


# --------------------------------------------------------------------------- suggestion


@pytest.mark.parametrize("test", ["seated", "prone"])
def test_rotation_clips_are_recognised(test: str) -> None:
    seq, _ = rotation_clip(test, [Move("left", 35.0), Move("right", -40.0)])  # type: ignore[arg-type]
    assert suggest_test(seq)[0] == test


@pytest.mark.parametrize("test", SCREEN_TESTS)
@pytest.mark.parametrize("view", ["front", "side", "tilted"])
def test_screening_clips_are_recognised(test: str, view: str) -> None:
    cam = {"front": None, "side": side_camera(), "tilted": frontal_camera(roll_deg=3.0, yaw_deg=8.0, height=0.5)}[view]
    seq, _ = screening_clip(test, [Rep(), Rep()], camera=cam, noise_px=2.0)  # type: ignore[arg-type]
    assert suggest_test(seq)[0] == test


@pytest.mark.parametrize("test", SCREEN_TESTS)
@pytest.mark.parametrize("depth", [0.6, 0.4, 0.3])
def test_a_shallow_clip_is_never_given_a_wrong_suggestion(test: str, depth: float) -> None:
    seq, _ = screening_clip(test, [Rep(depth=depth), Rep(depth=depth)], noise_px=2.0)  # type: ignore[arg-type]
    assert suggest_test(seq)[0] in (test, None)


def test_standing_still_gets_no_suggestion() -> None:
    seq, _ = screening_clip("squat", [Rep(depth=0.0)])
    guess, why = suggest_test(seq)
    assert guess is None and "standing" in why


# --------------------------------------------------------------------------- live screening


def _run_live(test: str, reps: list[Rep], **kw) -> LiveScreening:
    seq, _ = screening_clip(test, reps, noise_px=1.5, **kw)  # type: ignore[arg-type]
    live = LiveScreening(test)
    for k in range(len(seq)):
        live.update(seq.frame_at(k))
    return live


def test_live_squat_counts_reps_and_flags_the_right_knee_and_shift() -> None:
    reps = [Rep(valgus_left_m=0.08), Rep(), Rep(hip_shift_m=0.06), Rep(depth=0.6, valgus_right_m=0.08)]
    live = _run_live("squat", reps)
    assert len(live.reps) == 4
    assert [r.valgus["left"] for r in live.reps] == [True, False, False, False]
    assert [r.valgus["right"] for r in live.reps] == [False, False, False, True]
    assert [r.hip_shift for r in live.reps] == [False, False, True, False]
    assert live.reps[2].hip_shift_pct > 15  # + = toward the person's left, as the truth


def test_live_matches_the_offline_analysis() -> None:
    from hipvision.api import analyze

    reps = [Rep(valgus_left_m=0.06), Rep(hip_shift_m=-0.05), Rep(depth=0.7)]
    seq, _ = screening_clip("squat", reps, noise_px=1.0, seed=3)
    live = LiveScreening("squat")
    for k in range(len(seq)):
        live.update(seq.frame_at(k))
    offline = analyze(seq, "squat")["reps"]
    assert len(live.reps) == len(offline) == 3
    for lr, orep in zip(live.reps, offline):
        for side in ("left", "right"):
            assert lr.fppa_deg[side] == pytest.approx(orep[side]["fppa_deg"], abs=2.0)
        assert lr.hip_shift_pct == pytest.approx(orep["hip_shift_pct"], abs=3.0)  # both + = toward the left


def test_live_hinge_counts_from_the_trunk_and_the_threshold_follows_sex() -> None:
    live = _run_live("hinge", [Rep(), Rep(hip_shift_m=-0.06)])
    assert len(live.reps) == 2 and live.reps[1].hip_shift and live.reps[1].hip_shift_pct < 0
    mild = [Rep(valgus_left_m=0.05)]  # FPPA about 10.6 deg
    seq, _ = screening_clip("squat", mild, noise_px=0.5)
    flags = {}
    for sex in ("male", "female"):
        live = LiveScreening("squat", ScreeningSettings(sex=sex))
        for k in range(len(seq)):
            live.update(seq.frame_at(k))
        flags[sex] = live.reps[0].valgus["left"]
        fppa = live.reps[0].fppa_deg["left"]
    assert 8.0 < fppa < 13.0, fppa  # between the male and the female threshold
    assert flags == {"male": True, "female": False}


def test_live_waits_for_a_visible_body() -> None:
    seq, _ = screening_clip("squat", [Rep()])
    live = LiveScreening("squat")
    hidden = seq.frame_at(0)
    hidden.visibility[:] = 0.0
    state = live.update(hidden)
    assert not state.calibrated and "whole body" in state.message


# --------------------------------------------------------------------------- charts and jobs


@pytest.mark.parametrize("sample, test", [("seated_rotation", "seated"), ("demo_squat_front", "squat")])
def test_the_series_download_is_the_bytes_analyze_series_writes(tmp_path: Path, sample: str, test: str) -> None:
    """One series CSV writer: the dashboard's download and history copy, the CLI's --series
    and the API's write_series_csv give the same bytes."""
    from hipvision.api import run_analysis, write_series_csv
    from hipvision.cli import main
    from hipvision.export import run_series_csv

    src = Path(__file__).resolve().parents[1] / "samples" / f"{sample}.pose.csv"
    out = jobs.analyse(src, jobs.find_pose(src), test)
    assert main(["analyze", str(src), "--test", test, "--series", str(tmp_path / "cli.csv"), "--json"]) == 0
    run = run_analysis(src, test)
    api_file = write_series_csv(run, out.series_columns, tmp_path / "api.csv")
    cli_bytes = (tmp_path / "cli.csv").read_bytes()
    assert len(cli_bytes.splitlines()) == len(out.series) + 1 > 10
    assert out.series_csv.encode("utf-8") == cli_bytes == api_file.read_bytes() == run_series_csv(run).encode("utf-8")


def test_rotation_chart_marks_held_peaks_and_norm_bands(tmp_path: Path) -> None:
    seq, truth = rotation_clip("seated", [Move("left", 35.0), Move("right", -40.0)])
    csv = write_pose_csv(seq, tmp_path / "r.pose.csv")
    out = jobs.analyse(csv, jobs.find_pose(csv), "seated")
    spec = charts.rotation_chart(out.report, out.series).to_dict()
    layers = spec["layer"]
    marks = [l["mark"]["type"] if isinstance(l["mark"], dict) else l["mark"] for l in layers]
    assert marks == ["rect", "rule", "line", "point"]
    peaks = spec["datasets"][layers[3]["data"]["name"]]
    got = {(p["side"], p["label"]): p["angle_deg"] for p in peaks}
    assert got[("left", "held peak IR")] == pytest.approx(35.0, abs=2.0)
    assert got[("right", "held peak ER")] == pytest.approx(-40.0, abs=2.0)
    bands = spec["datasets"][layers[0]["data"]["name"]]
    got_bands = {(b["low"], b["high"]) for b in bands}
    report_bands = out.report["sides"]["left"]["norms"]
    lo, hi = report_bands["ir"]["band_deg"]
    elo, ehi = report_bands["er"]["band_deg"]
    assert got_bands == {(lo, hi), (-ehi, -elo)}  # IR above zero, ER below


def test_rotation_chart_breaks_the_line_where_the_angle_is_missing(tmp_path: Path) -> None:
    seq, _ = rotation_clip("seated", [Move("left", 35.0), Move("right", -40.0)])
    csv = write_pose_csv(seq, tmp_path / "r.pose.csv")
    out = jobs.analyse(csv, jobs.find_pose(csv), "seated")
    series = out.series.copy()
    gap = (series["time_s"] > 2.0) & (series["time_s"] < 3.0)
    series.loc[gap, "left_deg"] = float("nan")
    spec = charts.rotation_chart(out.report, series).to_dict()
    line = spec["layer"][2]
    assert line["encoding"]["detail"]["field"] == "stretch"
    rows = spec["datasets"][line["data"]["name"]]
    left = [r for r in rows if r["side"] == "left"]
    stretches = {r["stretch"] for r in left}
    assert len(stretches) == 2  # one line before the gap, one after: never joined across it
    before = max(r["time_s"] for r in left if r["stretch"] == min(stretches, key=lambda s: int(s.split("-")[1])))
    assert before <= 2.0
    assert len({r["stretch"] for r in rows if r["side"] == "right"}) == 1


def test_screening_charts_show_threshold_and_flagged_reps(tmp_path: Path) -> None:
    seq, _ = screening_clip("squat", [Rep(valgus_left_m=0.08), Rep()])
    csv = write_pose_csv(seq, tmp_path / "s.pose.csv")
    out = jobs.analyse(csv, jobs.find_pose(csv), "squat")
    bars = charts.screening_rep_chart(out.report).to_dict()
    rows = bars["datasets"][bars["layer"][0]["data"]["name"]]
    assert [(r["rep"], r["side"], r["valgus"]) for r in rows if r["valgus"]] == [(1, "left", True)]
    time_chart = charts.screening_time_chart(out.report, out.series).to_dict()
    assert len(time_chart["layer"]) == 3  # lines, threshold, rep bottoms


def test_wrong_test_is_an_analysis_error_and_the_suggestion_names_the_right_one(tmp_path: Path) -> None:
    seq, _ = screening_clip("squat", [Rep(), Rep()])
    csv = write_pose_csv(seq, tmp_path / "s.pose.csv")
    pose = jobs.find_pose(csv)
    with pytest.raises(AnalysisError):
        jobs.analyse(csv, pose, "seated")
    assert suggest_test(pose)[0] == "squat"


@pytest.mark.parametrize("test", sorted(analyzers.available()))
def test_every_test_has_instructions_and_an_illustration(test: str) -> None:
    assert instructions(test) != instructions("no-such-test")  # its own, not the fallback
    img = illustration(test)
    assert img.ndim == 3 and img.shape[1] == 360
    # the person's left (orange) and right (blue) are both drawn
    assert (np.abs(img.astype(int) - (255, 140, 0)).sum(axis=2) < 60).any()
    assert (np.abs(img.astype(int) - (0, 170, 255)).sum(axis=2) < 60).any()


# --------------------------------------------------------------------------- with the model

MODEL = find_model()
CLIP = MEDIA / "squat_front_oblique_bodyweight_tfjs_refkp.mp4"


@pytest.mark.model
@pytest.mark.skipif(MODEL is None or not CLIP.is_file(), reason="needs the pose model and ../shared/media")
def test_live_processor_draws_on_every_frame_of_a_real_clip() -> None:
    from hipvision.dashboard.live_processor import LiveProcessor
    from hipvision.sources import open_source

    proc = LiveProcessor("squat")
    try:
        n = changed = 0
        for fr in open_source(CLIP):
            out = proc.process(fr.image, 100.0 + fr.time_s)  # any clock: times are made relative
            assert out.shape == fr.image.shape
            changed += bool((out != fr.image).any())
            n += 1
        state = proc.snapshot()
    finally:
        proc.close()
    assert changed == n  # the readout is drawn on every frame
    assert state.calibrated and len(state.reps) >= 1
    # the clip is filmed 20-30 deg off frontal: reps count, knees and hips are not judged
    assert {r.view for r in state.reps} == {"oblique"}
    assert all(r.fppa_deg == {"left": None, "right": None} and not r.hip_shift for r in state.reps)


@pytest.mark.model
@pytest.mark.skipif(MODEL is None or not CLIP.is_file(), reason="needs the pose model and ../shared/media")
def test_video_job_writes_a_playable_annotated_video(tmp_path: Path) -> None:
    import av

    seen: list[tuple[str, float]] = []
    pose = jobs.find_pose(CLIP, progress=lambda s, f: seen.append((s, f)))
    out = jobs.analyse(CLIP, pose, "squat", workdir=tmp_path, progress=lambda s, f: seen.append((s, f)))
    assert out.annotated_video is not None
    with av.open(str(out.annotated_video)) as c:
        assert sum(1 for _ in c.decode(video=0)) == len(pose)
    stages = {s.split(":")[0] for s, _ in seen}
    assert {"Finding the person", "Analysing", "Drawing the annotated video", "Done"} <= stages
    assert all(0.0 <= f <= 1.0 for _, f in seen)


FRONT = MEDIA / "squat_front_bodyweight_wide_goodform_01.mp4"


@pytest.mark.model
@pytest.mark.skipif(MODEL is None or not FRONT.is_file(), reason="needs the pose model and ../shared/media")
def test_live_processor_on_a_good_front_squat_raises_no_flags() -> None:
    from hipvision.dashboard.live_processor import LiveProcessor
    from hipvision.sources import open_source

    proc = LiveProcessor("squat")
    try:
        for fr in open_source(FRONT, None):
            if fr.index >= 240:  # ten seconds: five squats
                break
            proc.process(fr.image, fr.time_s)
        reps = proc.snapshot().reps
    finally:
        proc.close()
    assert len(reps) >= 4
    assert {r.view for r in reps} == {"frontal"}
    assert not any(r.valgus["left"] or r.valgus["right"] or r.hip_shift for r in reps)


def test_each_result_keeps_its_own_annotated_video(tmp_path: Path) -> None:
    from dataclasses import replace

    from hipvision.config import DEFAULT_SETTINGS
    from hipvision.synthetic import Move
    from hipvision.tracking.synthetic_frames import write_rotation_video

    video = tmp_path / "p.mp4"
    write_rotation_video(video, "prone", [Move("left", 30.0)], width=640)
    seq, info = jobs.track_legs(video, "prone", "markers")
    plain = jobs.analyse(video, seq, "prone", workdir=tmp_path, tracking=info)
    mirrored = jobs.analyse(
        video, seq, "prone", workdir=tmp_path, tracking=info,
        settings=replace(DEFAULT_SETTINGS, rotation=replace(DEFAULT_SETTINGS.rotation, mirrored=True)),
    )
    assert plain.annotated_video != mirrored.annotated_video
    assert plain.annotated_video.exists() and mirrored.annotated_video.exists()
    assert plain.report["tracking"]["mode"] == "markers"
    assert plain.report["sides"]["left"]["peak_ir_deg"] == pytest.approx(30.0, abs=2.0)
    assert mirrored.report["sides"]["right"]["peak_ir_deg"] == pytest.approx(30.0, abs=2.0)  # sides swapped
    # a failed analysis leaves no result folder behind
    from hipvision.errors import HipvisionError

    with pytest.raises(HipvisionError):
        jobs.analyse(video, seq, "squat", workdir=tmp_path)
    assert sorted(tmp_path.glob("result-*")) == sorted({plain.annotated_video.parent, mirrored.annotated_video.parent})


def _report_numbers(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "processing_s"}


@pytest.mark.model
@pytest.mark.skipif(MODEL is None or not FRONT.is_file(), reason="needs the pose model and ../shared/media")
def test_first_video_job_finds_the_pose_and_writes_the_video_in_one_pass(tmp_path: Path, monkeypatch) -> None:
    """The page's first analysis of a video: one decode and one model call per frame give
    the pose (handed to ``on_pose`` before the analysis), the report and the annotated video.
    Another option afterwards redraws the video from that pose: one decode, no model."""
    from dataclasses import replace

    from hipvision.config import DEFAULT_SETTINGS

    from passes import count_passes

    n = 60
    settings = replace(DEFAULT_SETTINGS, source=replace(DEFAULT_SETTINGS.source, max_frames=n))
    passes = count_passes(monkeypatch)
    kept: list = []
    seen: list[str] = []
    out = jobs.analyse(FRONT, None, "squat", settings=settings, source_name="me.mp4", workdir=tmp_path,
                       progress=lambda s, f: seen.append(s.split(":")[0]), on_pose=lambda s, t: kept.append((s, t, list(seen))))
    assert len(passes.decodes) == 1 and len(passes.backends) == 1 and passes.model_calls == n
    assert out.annotated_video is not None and len(_frames_of(out.annotated_video)) == n
    (seq, how, before), = kept
    assert seq is out.sequence and len(seq) == n and how is None
    assert seq.source == "me.mp4" == out.report["source"]
    assert set(before) == {"Finding the person"}  # kept before the analysis
    assert {"Finding the person", "Analysing", "Drawing the annotated video", "Done"} <= set(seen)

    passes.reset()
    again = jobs.analyse(FRONT, seq, "squat", settings=settings, source_name="me.mp4", workdir=tmp_path)
    assert passes.backends == [] and len(passes.decodes) == 1
    assert again.annotated_video != out.annotated_video and len(_frames_of(again.annotated_video)) == n
    assert _report_numbers(again.report) == _report_numbers(out.report)


def _frames_of(video: Path) -> list:
    from hipvision.sources import open_source

    return [f.index for f in open_source(str(video))]


def test_first_tracked_video_job_keeps_the_pose_when_the_analysis_fails(tmp_path: Path, monkeypatch) -> None:
    """Stickers, first analysis: the tracking pass writes the video (one decode). When the
    analysis fails, the tracks were handed over already and no result folder is left."""
    from hipvision.synthetic import Move
    from hipvision.tracking.synthetic_frames import write_rotation_video

    from passes import count_passes

    video = tmp_path / "p.mp4"
    write_rotation_video(video, "prone", [Move("left", 30.0)], width=640)
    work = tmp_path / "work"
    work.mkdir()
    passes = count_passes(monkeypatch)
    kept: list = []
    out = jobs.analyse(video, None, "prone", workdir=work, track="markers", on_pose=lambda s, t: kept.append((s, t)))
    assert len(passes.decodes) == 1 and passes.backends == []
    assert out.report["tracking"]["mode"] == "markers" == kept[0][1]["mode"]
    assert out.report["sides"]["left"]["peak_ir_deg"] == pytest.approx(30.0, abs=2.0)
    assert len(_frames_of(out.annotated_video)) == kept[0][1]["frames"]

    def refuse(seq, settings):
        raise AnalysisError("not this test")

    monkeypatch.setattr(analyzers.get("prone"), "run", refuse)
    kept.clear()
    with pytest.raises(AnalysisError):
        jobs.analyse(video, None, "prone", workdir=work, track="markers", on_pose=lambda s, t: kept.append((s, t)))
    assert len(kept) == 1 and kept[0][1]["mode"] == "markers"
    assert list(work.glob("result-*")) == [out.annotated_video.parent]


def test_progress_chart_colours_whole_body_values() -> None:
    spec = charts.progress_chart(
        [{"recorded_at": "2026-10-01T10:00:00", "side": "both", "value": 3.0},
         {"recorded_at": "2026-11-01T10:00:00", "side": "both", "value": 5.0}],
        "hip shift",
    ).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert "both" in scale["domain"] and len(scale["range"]) == len(scale["domain"])


def test_live_processor_says_what_is_wrong_on_the_picture(tmp_path: Path) -> None:
    from dataclasses import replace

    from hipvision.config import DEFAULT_SETTINGS
    from hipvision.dashboard.live_processor import LiveProcessor

    s = replace(DEFAULT_SETTINGS, model=replace(DEFAULT_SETTINGS.model, path=str(tmp_path / "missing.task")))
    proc = LiveProcessor("seated", s)
    img = np.zeros((240, 320, 3), np.uint8)
    out = proc.process(img, 0.0)
    assert proc.error and "missing.task" in proc.error
    assert (out != img).any()  # the message is drawn
    assert (proc.process(img, 0.1) != img).any()  # and stays, without retrying the model


@pytest.mark.model
@pytest.mark.skipif(MODEL is None or not CLIP.is_file(), reason="needs the pose model and ../shared/media")
def test_live_processor_starts_over_when_the_stream_clock_restarts() -> None:
    from hipvision.dashboard.live_processor import LiveProcessor
    from hipvision.sources import open_source

    frames = [fr for fr in open_source(CLIP)]
    proc = LiveProcessor("squat")
    try:
        for fr in frames:
            proc.process(fr.image, 1000.0 + fr.time_s)
        assert len(proc.snapshot().reps) >= 1
        for fr in frames[:5]:  # STOP, START: a new connection, a new clock
            proc.process(fr.image, 3.0 + fr.time_s)
        assert proc.snapshot().reps == []
        proc.close()
        assert (proc.process(frames[0].image, 9.0) == frames[0].image).all()  # closed: passes through
    finally:
        proc.close()


def test_the_printable_report_key_frame_carries_the_analysis_overlay(tmp_path: Path) -> None:
    """The dashboard's printable report draws the analysis on its key frame, as the CLI's
    --report does (the screening overlay colours the knee lines: green = no valgus)."""
    import base64
    import re as _re

    import cv2

    from hipvision.config import DEFAULT_SETTINGS
    from hipvision.dashboard.page_analyse import printable_report

    seq, _ = screening_clip("squat", [Rep(), Rep()])
    csv = write_pose_csv(seq, tmp_path / "s.pose.csv")
    out = jobs.analyse(csv, jobs.find_pose(csv), "squat")
    assert out.run is not None
    html = printable_report(out, csv, DEFAULT_SETTINGS)
    png = base64.b64decode(_re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html).group(1))
    img = cv2.cvtColor(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    green = (np.abs(img.astype(int) - (40, 200, 80)).sum(axis=2) < 40)
    assert green.sum() > 50

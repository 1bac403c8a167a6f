"""The one frame loop (hipvision.pipeline): its sinks, the annotated video written in the
same pass as the pose (one decode, one model call per frame), and the multi-person check
on the decode thread."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hipvision import pipeline
from hipvision.config import DEFAULT_SETTINGS
from hipvision.pose.backend import with_people
from hipvision.sequence import PoseFrame
from hipvision.sources import Frame

from passes import count_passes
from shared_paths import MEDIA, find_model

CLIP = MEDIA / "squat_front_bodyweight_wide_goodform_01.mp4"
MODEL = find_model()
with_model_and_clip = pytest.mark.skipif(
    MODEL is None or not CLIP.is_file(), reason="needs ../shared (pose model and real clips)"
)
W, H = 96, 64


def _frames(n: int, fps: float = 10.0) -> list[Frame]:
    rng = np.random.default_rng(0)
    return [Frame(k, k / fps, rng.integers(0, 255, (H, W, 3), dtype=np.uint8)) for k in range(n)]


def _pose(k: int, t: float) -> PoseFrame:
    xy = np.full((33, 2), np.nan)
    xy[23:29] = [(40, 20), (56, 20), (40, 40), (56, 40), (40, 60), (56, 60)]  # hips, knees, ankles
    return replace(PoseFrame.empty(k, t), xy=xy, visibility=np.ones(33), presence=np.ones(33))


class _Marking:
    """An analysis run whose overlay paints a white square and records the frames drawn."""

    def __init__(self) -> None:
        self.drawn: list[int] = []

    def draw(self, image: np.ndarray, frame: int) -> np.ndarray:
        self.drawn.append(frame)
        out = image.copy()
        out[:16, :16] = 255
        return out


def _decoded(path: Path) -> list[np.ndarray]:
    from hipvision.sources import open_source

    return [f.image for f in open_source(str(path))]


def test_run_feeds_every_sink_and_a_sink_can_stop_the_loop() -> None:
    frames = _frames(12)
    collect, prog = pipeline.CollectSink(), []
    stop_at = 7

    class Stop:
        def add(self, fr, pose):
            return fr.index < stop_at

    st = pipeline.run(frames, lambda fr: _pose(fr.index, fr.time_s), [collect, pipeline.ProgressSink(lambda d, t: prog.append((d, t)), 12), Stop()])
    assert st.frames == stop_at + 1 and st.stopped
    assert [p.frame for p in collect.poses] == list(range(stop_at + 1))
    assert prog[-1] == (stop_at + 1, 12)


def test_run_refuses_a_frame_of_another_size() -> None:
    from hipvision.errors import InputError

    frames = _frames(3) + [Frame(3, 0.3, np.zeros((H + 2, W, 3), np.uint8))]
    with pytest.raises(InputError, match="frame 3 is 96x66"):
        pipeline.run(frames, lambda fr: None, [], size=(W, H), name="x")


@pytest.mark.parametrize("buffer_mib", [64.0, 0.02])
def test_held_frames_get_the_analysis_overlay_and_the_video_keeps_every_frame(tmp_path: Path, buffer_mib: float) -> None:
    """Everything held back fits (64 MiB): every frame gets the overlay; a small buffer:
    only the last frames, the earlier ones are written at once with the skeleton only."""
    render = replace(DEFAULT_SETTINGS.render, video_buffer_mib=buffer_mib)
    frames = _frames(20)
    run = _Marking()
    out = tmp_path / "v.mp4"
    with pipeline.AnnotatedVideoSink(out, W, H, 10.0, render, hold=True) as sink:
        pipeline.run(frames, lambda fr: _pose(fr.index, fr.time_s), [sink])
        written_before_finish = sink.frames
        sink.finish(run.draw, ["END CARD 12.3"])
    assert sink.frames == 20
    assert run.drawn == list(range(written_before_finish, 20))
    if buffer_mib >= 1:
        assert written_before_finish == 0
    else:
        assert 0 < written_before_finish < 19
    images = _decoded(out)
    assert len(images) == 20
    marked = [bool(im[2:14, 2:14].mean() > 240) for im in images]
    assert marked == [k >= written_before_finish for k in range(20)]


def test_without_finish_the_held_frames_are_written_with_the_skeleton_only(tmp_path: Path) -> None:
    out = tmp_path / "v.mp4"
    with pipeline.AnnotatedVideoSink(out, W, H, 10.0, DEFAULT_SETTINGS.render, hold=True) as sink:
        pipeline.run(_frames(9), lambda fr: _pose(fr.index, fr.time_s), [sink])
    assert len(_decoded(out)) == 9


def test_a_failed_pass_leaves_no_video(tmp_path: Path) -> None:
    out = tmp_path / "v.mp4"

    def boom(fr):
        if fr.index == 4:
            raise RuntimeError("model failed")
        return None

    with pytest.raises(RuntimeError):
        with pipeline.AnnotatedVideoSink(out, W, H, 10.0, DEFAULT_SETTINGS.render, hold=True) as sink:
            pipeline.run(_frames(8), boom, [sink])
    assert list(tmp_path.iterdir()) == []


def test_end_card_lines_are_cut_to_the_width() -> None:
    img = np.zeros((360, 200, 3), np.uint8)
    out = pipeline.draw_card(img, ["short", "a very long line " * 10])
    assert out.shape == img.shape and out.max() == 255  # drawn, same size
    assert pipeline._fit_width("a very long line " * 10, 190, 360).endswith("...")
    assert pipeline._fit_width("ok", 190, 360) == "ok"


def test_people_count_rides_on_the_pose() -> None:
    p = _pose(0, 0.0)
    assert with_people(p, None) is p
    assert with_people(p, 2).num_people == 2
    assert with_people(p, 0).num_people == 1  # the tracked person the check missed
    assert with_people(PoseFrame.empty(0, 0.0), 0).num_people == 0


@with_model_and_clip
def test_analysis_with_video_decodes_once_and_runs_the_model_once_per_frame(tmp_path: Path, monkeypatch) -> None:
    from hipvision import api

    passes = count_passes(monkeypatch)
    n = 60
    settings = replace(DEFAULT_SETTINGS, model=replace(DEFAULT_SETTINGS.model, path=str(MODEL)),
                       source=replace(DEFAULT_SETTINGS.source, max_frames=n))
    video, series = tmp_path / "a.mp4", tmp_path / "s.csv"
    run = api.run_analysis(CLIP, "squat", settings=settings, video_path=video, series_path=series)
    assert len(passes.backends) == 1 and passes.model_calls == n
    assert len(passes.decodes) == 1  # no second decode for the video
    assert len(_decoded(video)) == n == len(run.pose)
    assert run.report["test"] == "squat"


@with_model_and_clip
def test_extract_writes_csv_and_video_with_the_same_frame_count(tmp_path: Path) -> None:
    from hipvision.api import extract
    from hipvision.posecsv import read_pose_csv

    n = 40
    settings = replace(DEFAULT_SETTINGS, model=replace(DEFAULT_SETTINGS.model, path=str(MODEL)),
                       source=replace(DEFAULT_SETTINGS.source, max_frames=n))
    res = extract(CLIP, settings=settings, csv_path=tmp_path / "p.csv", video_path=tmp_path / "v.mp4",
                  keep_sequence=True, download_progress=False)
    assert res.frames == n == len(read_pose_csv(tmp_path / "p.csv")) == len(_decoded(tmp_path / "v.mp4"))
    assert res.sequence is not None and len(res.sequence) == n
    # the periodic multi-person check ran on the decode thread: frame 0 and every 2 s
    checked = res.sequence.num_people >= 0
    assert checked[0] and checked.sum() == 1  # 40 frames at 24 fps: less than 2 s
    assert res.sequence.num_people[0] >= 1


def test_tracked_analysis_writes_its_video_in_the_tracking_pass(tmp_path: Path, monkeypatch) -> None:
    """--track markers with a video: the sticker tracker's one pass also feeds the video
    (one decode), every frame is in it, and the report is that of the run without video."""
    from hipvision import api
    from hipvision.tracking.synthetic_frames import Move, write_rotation_video

    clip = tmp_path / "markers.mp4"
    write_rotation_video(clip, "prone", [Move("both", 30, ramp_s=0.6, hold_s=1.5, rest_s=0.5)], seed=5)
    plain = api.run_analysis(clip, "prone", track="markers").report
    passes = count_passes(monkeypatch)
    video = tmp_path / "a.mp4"
    rep = api.run_analysis(clip, "prone", track="markers", video_path=video).report
    assert len(passes.decodes) == 1
    assert len(_decoded(video)) == rep["tracking"]["frames"]
    for side in ("left", "right"):
        assert rep["sides"][side]["peak_ir_deg"] == plain["sides"][side]["peak_ir_deg"]


def _frame_of(clip: Path, k: int) -> np.ndarray:
    import av

    with av.open(str(clip)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i == k:
                return f.to_ndarray(format="rgb24")
    raise AssertionError(f"{clip} has fewer than {k + 1} frames")


@with_model_and_clip
def test_people_counter_counts_the_people_in_view() -> None:
    """The periodic check (a second landmarker) sees two people when two real people stand
    side by side, one on a real frame, none on an empty one."""
    import cv2

    from hipvision.config import PoseSettings
    from hipvision.pose.mediapipe_backend import MediaPipePoseBackend, PeopleCounter

    other = MEDIA / "deadlift_front_barbell_gym.mp4"
    if not other.is_file():
        pytest.skip("needs the second real clip")
    a = _frame_of(CLIP, 50)
    b = _frame_of(other, 50)
    b = cv2.resize(b, (round(b.shape[1] * a.shape[0] / b.shape[0]), a.shape[0]))
    with MediaPipePoseBackend(str(MODEL), stream=False) as still:
        def around_person(img: np.ndarray) -> np.ndarray:  # a 640-px-wide strip centred on the person
            x = still.detect(img, 0, 0.0).xy[:, 0]
            c = int(np.clip((np.nanmin(x) + np.nanmax(x)) / 2, 320, img.shape[1] - 320))
            return img[:, c - 320 : c + 320]

        two = np.ascontiguousarray(np.hstack([around_person(a), around_person(b)]))
    counter = PeopleCounter(str(MODEL), PoseSettings())
    try:
        counts = []
        for k, img in enumerate([a, two, np.full_like(a, 128)]):
            counts.append(counter.count(img, 10.0 * k))  # 10 s apart: a check is due each time
        assert counts == [1, 2, 0]
    finally:
        counter.close()


@with_model_and_clip
def test_people_check_can_be_turned_off_from_the_cli(tmp_path: Path) -> None:
    """``--people-check 0``: no frame is checked (num_people -1 throughout); by default
    frame 0 is."""
    import subprocess
    import sys

    from hipvision.posecsv import read_pose_csv

    def people(*extra: str) -> np.ndarray:
        out = tmp_path / f"p{len(extra)}.csv"
        subprocess.run([sys.executable, "-m", "hipvision", "extract", str(CLIP), "--model", str(MODEL), "--max-frames", "5",
                        "-q", "-o", str(out), *extra], check=True, capture_output=True)
        return read_pose_csv(out).num_people

    assert (people("--people-check", "0") == -1).all()
    assert people()[0] >= 1

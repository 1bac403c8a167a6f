"""End to end on real clips: input -> hipvision.api.extract / load_pose -> pose.

The clips live outside the repository in ``../shared/media`` (see its MANIFEST.md) and the
model in ``../shared/models`` or ``$HIPVISION_MODEL``; every test here skips cleanly when
either is missing. Nothing derived from the clips (frames, landmarks) is written anywhere
but pytest's tmp_path.

Acceptance criteria checked here: detection rate >= 95 % on the whole front-view squat
clips; upright frames and swapped image size for rotated (phone) video; H.264 / yuv420p /
faststart annotated video with one frame per input frame; an exact pose-CSV round trip.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hipvision.api import ExtractResult, extract, load_pose
from hipvision.config import DEFAULT_SETTINGS, Settings
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.posecsv import read_pose_csv
from hipvision.sequence import PoseSequence

# --------------------------------------------------------------------------- skip helpers

from shared_paths import MEDIA, find_model  # noqa: E402

MODEL = find_model()

pytestmark = [
    pytest.mark.model,
    pytest.mark.media,
    pytest.mark.skipif(
        MODEL is None,
        reason="no pose model: set HIPVISION_MODEL or provide ../shared/models/pose_landmarker_full.task",
    ),
    pytest.mark.skipif(not MEDIA.is_dir(), reason=f"real clips not available ({MEDIA} is absent)"),
]


def clip(name: str) -> Path:
    """Path of a shared clip; skips the test when that one file is missing."""
    p = MEDIA / name
    if not p.is_file():
        pytest.skip(f"clip {name} not in {MEDIA}")
    return p


# --------------------------------------------------------------------------- helpers

FRONT_GOOD = "squat_front_bodyweight_wide_goodform_01.mp4"
FRONT_WEBCAM = "squat_front_webcam_burnedin_overlay.mp4"
FRONT_OBLIQUE = "squat_front_oblique_bodyweight_tfjs_refkp.mp4"
SIDE_ROTATED = ("squat_side_goodform_labelled_perfect.mp4", "squat_side_fault_knee_over_toes.mp4")
STILL = "generic_tfjs_pose.jpg"

LOWER = ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")


def settings(max_frames: int | None = None) -> Settings:
    """Default settings with the test model pinned (independent of the environment)."""
    s = DEFAULT_SETTINGS
    return replace(
        s,
        model=replace(s.model, path=str(MODEL), allow_download=False),
        source=replace(s.source, max_frames=max_frames),
    )


def y_of(seq: PoseSequence, name: str, frames: slice = slice(None)) -> float:
    return float(np.nanmedian(seq.point(name)[frames, 1]))


def x_of(seq: PoseSequence, name: str, frames: slice = slice(None)) -> float:
    return float(np.nanmedian(seq.point(name)[frames, 0]))


def mid_y(seq: PoseSequence, part: str, frames: slice = slice(None)) -> float:
    return (y_of(seq, f"left_{part}", frames) + y_of(seq, f"right_{part}", frames)) / 2


def count_decoded_frames(path: Path) -> int:
    import av

    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(c.streams.video[0]))


def top_level_boxes(path: Path) -> list[tuple[str, int]]:
    """(type, offset) of the top-level ISO-BMFF boxes of an MP4, in file order."""
    data = path.read_bytes()
    boxes: list[tuple[str, int]] = []
    off = 0
    while off + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[off : off + 8])
        if size == 1:  # 64-bit size follows the type
            size = struct.unpack(">Q", data[off + 8 : off + 16])[0]
        elif size == 0:  # box runs to the end of the file
            size = len(data) - off
        assert size >= 8, f"corrupt box at offset {off}"
        boxes.append((kind.decode("latin-1"), off))
        off += size
    assert off == len(data), "top-level boxes do not tile the file"
    return boxes


# --------------------------------------------------------------------------- shared runs
# Each clip goes through the model once per module; the tests below share the results.


@pytest.fixture(scope="module")
def front_good() -> ExtractResult:
    return extract(clip(FRONT_GOOD), settings=settings())


@pytest.fixture(scope="module")
def front_webcam(tmp_path_factory: pytest.TempPathFactory) -> ExtractResult:
    """The whole webcam clip, streamed to a pose CSV and an annotated video at once."""
    out = tmp_path_factory.mktemp("webcam")
    return extract(
        clip(FRONT_WEBCAM),
        settings=settings(),
        csv_path=out / "webcam.pose.csv",
        video_path=out / "webcam.annotated.mp4",
    )


@pytest.fixture(scope="module")
def front_oblique() -> ExtractResult:
    return extract(clip(FRONT_OBLIQUE), settings=settings())


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    "run, name, frames",
    [
        ("front_good", FRONT_GOOD, 408),
        ("front_webcam", FRONT_WEBCAM, 238),
        ("front_oblique", FRONT_OBLIQUE, 65),
    ],
)
def test_detection_rate_on_front_squats(
    request: pytest.FixtureRequest, run: str, name: str, frames: int
) -> None:
    res: ExtractResult = request.getfixturevalue(run)
    assert res.kind == "video"
    assert res.frames == frames, "the whole clip must be processed"
    assert res.sequence is not None and len(res.sequence) == frames
    assert int(res.sequence.detected.sum()) == res.detected
    assert res.detection_rate >= 0.95, f"{name}: person found in {res.detected}/{res.frames} frames"


def test_standing_frame_landmarks_are_anatomically_plausible(front_good: ExtractResult) -> None:
    seq = front_good.sequence
    assert seq is not None
    assert seq.image_size == (1280, 720)
    first = slice(0, 10)  # she stands still, facing the camera, in the first frames
    assert seq.detected[first].all()
    # top to bottom in image y (y grows downwards)
    nose = y_of(seq, "nose", first)
    hip, knee, ankle = (mid_y(seq, part, first) for part in ("hip", "knee", "ankle"))
    assert nose < hip < knee < ankle, (nose, hip, knee, ankle)
    # standing: the legs are long, not folded (hip-ankle > 20 % of the frame height)
    assert ankle - hip > 0.2 * 720
    # front view: the person's left appears on the image's right
    for part in ("shoulder", "hip", "knee", "ankle"):
        assert x_of(seq, f"left_{part}", first) > x_of(seq, f"right_{part}", first), part
    # the person is inside the frame, roughly centred
    for name in LOWER:
        x, y = seq.point(name)[first].mean(axis=0)
        assert 0.25 * 1280 < x < 0.75 * 1280 and 0 < y < 720, (name, x, y)
    assert (seq.visibility[first][:, [LANDMARK_INDEX[n] for n in LOWER]] > 0.5).all()


def test_oblique_clip_agrees_with_the_blazepose_reference(front_oblique: ExtractResult) -> None:
    """Regression against Google's tfjs BlazePose output shipped with the clip (pixels)."""
    ref_file = MEDIA / "squat_front_oblique_bodyweight_tfjs_refkp.blazepose2d.json"
    if not ref_file.is_file():
        pytest.skip("reference keypoints not available")
    ref = np.asarray(json.loads(ref_file.read_text()), dtype=float)[..., :2]
    seq = front_oblique.sequence
    assert seq is not None and seq.image_size == (720, 1280)
    assert ref.shape == seq.xy.shape == (65, 33, 2)
    for name in ("nose", "left_shoulder", "right_shoulder") + LOWER:
        i = LANDMARK_INDEX[name]
        d = np.linalg.norm(seq.xy[:, i] - ref[:, i], axis=1)
        # 15 px is ~1 % of the frame height; a left/right swap would be ~80 px off
        assert np.nanmedian(d) < 15.0, f"{name}: median {np.nanmedian(d):.1f} px from the reference"


def test_still_image_gives_one_detected_frame() -> None:
    res = extract(clip(STILL), settings=settings())
    assert res.kind == "image"
    assert (res.width, res.height) == (1000, 667)
    assert res.frames == 1 and res.detected == 1
    seq = res.sequence
    assert seq is not None and len(seq) == 1 and seq.detected.all()
    assert seq.image_size == (1000, 667)
    assert seq.num_people[0] >= 1
    assert y_of(seq, "nose") < mid_y(seq, "hip") < mid_y(seq, "ankle")
    assert np.all((seq.xy[0, :, 0] > -50) & (seq.xy[0, :, 0] < 1050))
    # load_pose gives the same pose as extract
    again = load_pose(clip(STILL), settings=settings())
    np.testing.assert_allclose(again.xy, seq.xy, atol=1e-6)


# --------------------------------------------------------------------------- rotation


@pytest.mark.parametrize("name", SIDE_ROTATED)
def test_phone_clip_with_rotation_metadata_is_upright(name: str) -> None:
    path = clip(name)
    res = extract(path, settings=settings(max_frames=30))
    assert (res.width, res.height) == (480, 848), "coded 848x480 with -90 rotation: shown 480x848"
    seq = res.sequence
    assert seq is not None and seq.image_size == (480, 848)
    assert res.frames == 30 and res.detection_rate >= 0.9
    nose, hip, ankle = y_of(seq, "nose"), mid_y(seq, "hip"), mid_y(seq, "ankle")
    assert nose < hip < ankle, f"person not upright: nose y {nose}, hip y {hip}, ankle y {ankle}"
    assert ankle - nose > 0.5 * 848, "a standing person spans most of a portrait frame"
    # the body is vertical: hips and ankles roughly above each other, not side by side
    assert abs(x_of(seq, "left_hip") - x_of(seq, "left_ankle")) < 0.25 * (ankle - hip)


def _rotate_points(xy: np.ndarray, k: int, size: tuple[int, int]) -> np.ndarray:
    """Pixel coordinates after ``np.rot90(image, k)`` (k=1: 90 deg counter-clockwise,
    k=-1: clockwise) of an image of ``size`` = (width, height)."""
    w, h = size
    x, y = xy[..., 0], xy[..., 1]
    if k == 1:
        return np.stack([y, w - x], axis=-1)
    if k == -1:
        return np.stack([h - y, x], axis=-1)
    raise ValueError(k)


def _tag_rotation_pyav(src: Path, dst: Path) -> int:
    """Stream-copy ``src`` with a display matrix of -90 deg (FFmpeg's counter-clockwise
    convention: shown turned 90 deg clockwise, as phones store portrait video).
    Returns the np.rot90 ``k`` that gives the displayed picture."""
    import av

    with av.open(str(src)) as i, av.open(str(dst), "w") as o:
        s_in = i.streams.video[0]
        s_out = o.add_stream_from_template(s_in)
        s_out.set_display_rotation(-90)
        for pkt in i.demux(s_in):
            if pkt.dts is None:  # the flush packet
                continue
            pkt.stream = s_out
            o.mux(pkt)
    return -1


def _tag_rotation_ffmpeg(src: Path, dst: Path) -> int:
    """Stream-copy ``src`` with rotation metadata using the ffmpeg CLI, and find out from
    ffmpeg's own auto-rotation which way a player turns it (no reliance on hipvision)."""
    import av

    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg CLI not installed")
    base = [ffmpeg, "-v", "error", "-y"]
    attempts = [
        base + ["-display_rotation", "90", "-i", str(src), "-c", "copy", str(dst)],  # ffmpeg >= 6
        base + ["-i", str(src), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(dst)],  # older
    ]
    for cmd in attempts:
        if subprocess.run(cmd, capture_output=True).returncode == 0:
            break
    else:
        pytest.skip("this ffmpeg cannot write rotation metadata")
    with av.open(str(src)) as c:
        orig = next(c.decode(c.streams.video[0])).to_ndarray(format="rgb24")
    h, w = orig.shape[:2]
    raw = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(dst), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    assert len(raw) == w * h * 3
    shown = np.frombuffer(raw, np.uint8).reshape(w, h, 3)  # portrait after rotation
    err = {k: np.abs(shown.astype(int) - np.rot90(orig, k)).mean() for k in (1, -1)}
    k = min(err, key=err.get)
    assert err[k] < 2.0, f"ffmpeg shows the tagged copy as neither rotation: {err}"
    return k


@pytest.mark.parametrize("tagger", [_tag_rotation_pyav, _tag_rotation_ffmpeg], ids=["pyav", "ffmpeg"])
def test_rotation_metadata_added_to_a_clip_rotates_the_landmarks(
    tmp_path: Path, front_webcam: ExtractResult, tagger
) -> None:
    """The same pixels with rotation metadata: the pose must be the original pose turned
    the way a player turns the picture, and the frame size swapped."""
    n = 30
    src = clip(FRONT_WEBCAM)
    dst = tmp_path / "rotated.mp4"
    k = tagger(src, dst)

    rot = extract(dst, settings=settings(max_frames=n))
    assert (rot.width, rot.height) == (480, 640)
    assert rot.sequence is not None and rot.sequence.image_size == (480, 640)
    assert rot.frames == n

    orig = front_webcam.sequence
    assert orig is not None and orig.image_size == (640, 480)
    expected = _rotate_points(orig.xy[:n], k, orig.image_size)
    np.testing.assert_array_equal(rot.sequence.frame, orig.frame[:n])
    np.testing.assert_allclose(rot.sequence.time_s, orig.time_s[:n], atol=1e-3)
    for name in LOWER:
        i = LANDMARK_INDEX[name]
        d = np.linalg.norm(rot.sequence.xy[:, i] - expected[:, i], axis=1)
        assert np.isfinite(d).sum() >= n * 0.8
        # the model sees the person lying sideways, so allow a few px (typically ~2)
        assert np.nanmedian(d) < 5.0, f"{name}: median {np.nanmedian(d):.1f} px off"
    # the body axis (hips -> ankles) points the way the picture was turned
    def axis(xy: np.ndarray) -> np.ndarray:
        ix = [LANDMARK_INDEX[f"{s}_{p}"] for p in ("hip", "ankle") for s in ("left", "right")]
        v = np.nanmedian(xy[:, ix[2:]].mean(axis=1) - xy[:, ix[:2]].mean(axis=1), axis=0)
        return v / np.linalg.norm(v)

    assert axis(rot.sequence.xy) @ axis(expected) > 0.95
    down_in_original = np.array([0.0, 1.0])
    turned = {1: np.array([1.0, 0.0]), -1: np.array([-1.0, 0.0])}[k]  # rot90 of "down"
    assert axis(rot.sequence.xy) @ turned > 0.9
    assert axis(orig.xy[:n]) @ down_in_original > 0.9


# --------------------------------------------------------------------------- outputs


def test_pose_csv_round_trip_of_a_real_extraction(front_webcam: ExtractResult) -> None:
    res = front_webcam
    seq = res.sequence
    assert seq is not None and res.csv_path is not None and res.csv_path.is_file()
    assert not list(res.csv_path.parent.glob("*.part*")), "temporary files left behind"
    back = read_pose_csv(res.csv_path)
    det = seq.detected
    assert len(back) == int(det.sum()), "the CSV holds exactly the frames with a person"
    assert back.image_size == seq.image_size == (640, 480)
    np.testing.assert_array_equal(back.frame, seq.frame[det])
    np.testing.assert_allclose(back.time_s, seq.time_s[det], atol=1e-6)
    np.testing.assert_allclose(back.xy, seq.xy[det], atol=1e-3, rtol=0)
    np.testing.assert_allclose(back.visibility, seq.visibility[det], atol=1e-5, rtol=0)
    np.testing.assert_allclose(back.z, seq.z[det], atol=1e-3, rtol=0)
    np.testing.assert_allclose(back.world, seq.world[det], atol=1e-5, rtol=0)
    np.testing.assert_array_equal(back.num_people, seq.num_people[det])
    # load_pose reads a pose CSV without the model and gives the same sequence
    again = load_pose(res.csv_path)
    np.testing.assert_array_equal(again.xy, back.xy)


def test_annotated_video_is_browser_playable_h264(front_webcam: ExtractResult) -> None:
    import av

    res = front_webcam
    out = res.video_path
    assert out is not None and out.is_file()
    assert not list(out.parent.glob("*.part*")), "temporary files left behind"
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264"
        assert s.codec_context.pix_fmt == "yuv420p"
        assert (s.codec_context.width, s.codec_context.height) == (640, 480)
        decoded = sum(1 for _ in c.decode(s))
    n_input = count_decoded_frames(clip(FRONT_WEBCAM))
    assert n_input == 238
    assert decoded == res.frames == n_input, "one annotated frame per input frame"
    boxes = [kind for kind, _ in top_level_boxes(out)]
    assert "moov" in boxes and "mdat" in boxes
    assert boxes.index("moov") < boxes.index("mdat"), f"not faststart: {boxes}"


# --------------------------------------------------------------------------- analyses on real clips


def test_squat_clip_is_refused_as_a_seated_rotation_test(tmp_path: Path) -> None:
    from hipvision.api import analyze
    from hipvision.errors import AnalysisError

    settings = replace(DEFAULT_SETTINGS, source=replace(DEFAULT_SETTINGS.source, max_frames=90))
    seq = load_pose(clip(FRONT_GOOD), settings=settings)
    with pytest.raises(AnalysisError, match="no seated rotation test found"):
        analyze(seq, "seated")


def test_seated_clip_analysis_with_annotated_video(tmp_path: Path) -> None:
    """The closest real clip to a seated test (a seated hip-abduction machine, oblique view):
    the analysis runs, flags the moving thighs and the off-axis camera instead of trusting
    the numbers, and the annotated video has one H.264 frame per input frame."""
    import av

    from hipvision.api import run_analysis

    settings = replace(DEFAULT_SETTINGS, source=replace(DEFAULT_SETTINGS.source, max_frames=60))
    video = tmp_path / "seated.mp4"
    run = run_analysis(clip("seated_machine_hip_abduction_oblique.mp4"), "seated", settings=settings, video_path=video)
    rep = run.report
    assert rep["test"] == "seated" and rep["frames"] == 60
    codes = {w["code"] for w in rep["warnings"]}
    assert "camera_off_axis" in codes
    with av.open(str(video)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264" and s.frames == 60


# --------------------------------------------------------------------------- screening on real clips


@pytest.fixture(scope="module")
def front_squat_pose() -> PoseSequence:
    return load_pose(clip(FRONT_GOOD))


def test_good_form_front_squats_raise_no_flags(front_squat_pose: PoseSequence) -> None:
    """The cleanest front-view squat (MANIFEST: knees stay wider than the ankles): reps are
    found, the view is frontal, and no knee valgus or hip-shift flag is raised."""
    from hipvision.api import analyze

    rep = analyze(front_squat_pose, "squat")
    assert 8 <= len(rep["reps"]) <= 12
    assert rep["summary"]["view"] == "frontal"
    assert rep["summary"]["valgus_reps"] == {"left": 0, "right": 0}
    assert rep["summary"]["hip_shift_reps"] == 0
    for r in rep["reps"]:
        assert r["left"]["fppa_deg"] < 0 and r["right"]["fppa_deg"] < 0  # knees outside: varus look
        assert abs(r["hip_shift_pct"]) < 10


def test_good_form_front_squats_say_where_fppa_was_read(front_squat_pose: PoseSequence) -> None:
    """The wide good-form squats go deep: the thighs point at the camera at the bottom, so
    every rep's FPPA is read higher up. The text summary, the dashboard's rep table and the
    HTML report say so beside each number, and the per-frame FPPA (the charts) has no value
    where the thigh is foreshortened: the 2-D angle there read +95...+110 deg."""
    from html import escape

    from hipvision.analyzers import get
    from hipvision.api import run_analysis
    from hipvision.analyzers.screening.view import rep_table
    from hipvision.report_html import render_report
    from hipvision.analyzers.screening.schema import Knee
    from hipvision.wording import FPPA_CAVEAT_LEGEND, fppa_caveat, fppa_with_caveat, with_band

    run = run_analysis(front_squat_pose, "squat")
    rep = run.report
    knees = [(r, s) for r in rep["reps"] for s in ("left", "right")]
    assert knees and all(r[s]["fppa_at_depth_pct"] < r["depth_pct"] - 15 for r, s in knees)
    text = get("squat").summary_text(rep)
    html = render_report(rep, series=(get("squat").series_columns, run.series_rows()))
    table = rep_table(rep)
    for r, s in knees:
        caveat = fppa_caveat(Knee.from_dict(r[s]), short=True)
        assert re.search(rf"^ +{r['index']}\*? .*{r[s]['fppa_deg']:.1f}±\d+ \({re.escape(caveat)}\)", text, re.M)
        flag = (' <span class="flag">valgus</span>' if r[s]["valgus"]
                else ' <span class="borderline">borderline</span>' if r[s].get("valgus_borderline") else "")
        assert f"{with_band(r[s]['fppa_deg'], r[s]['fppa_band_deg'])}{flag}<br><span class=\"small\">bottom: {fppa_caveat(Knee.from_dict(r[s]))}</span>" in html
        assert table.loc[r["index"], f"FPPA {s}"] == fppa_with_caveat(Knee.from_dict(r[s]))
    assert FPPA_CAVEAT_LEGEND in text and escape(FPPA_CAVEAT_LEGEND) in html
    fppa = np.array([[np.nan if v is None else v for v in row[2:4]] for row in run.series_rows()])
    assert np.isfinite(fppa).mean() > 0.4  # standing and the way down are still drawn
    assert np.nanmax(fppa) < 20  # no spikes at the bottoms


@pytest.mark.parametrize("name", ["squat_side_goodform_labelled_perfect.mp4", "squat_side_fault_knee_over_toes.mp4"])
def test_side_view_squats_are_recognised(name: str) -> None:
    from hipvision.api import analyze

    rep = analyze(load_pose(clip(name)), "squat")
    assert rep["reps"], rep.get("no_reps_reason")
    assert all(r["view"] == "side" for r in rep["reps"])
    assert any(w["code"] == "side_view" for w in rep["warnings"])
    assert all(r["left"] is None and r["right"] is None and r["hip_shift"] is None for r in rep["reps"])
    assert all(r["knee_flexion_deg"] is not None and r["knee_flexion_deg"] > 45 for r in rep["reps"])


def test_front_view_deadlift_has_no_hip_shift_flags() -> None:
    from hipvision.api import analyze

    rep = analyze(load_pose(clip("deadlift_front_barbell_gym.mp4")), "hinge")
    assert len(rep["reps"]) >= 3
    assert rep["summary"]["hip_shift_reps"] == 0  # MANIFEST: the pelvis stays centred
    assert rep["summary"]["valgus_reps"] == {"left": 0, "right": 0}


def test_oblique_clip_withholds_valgus_judgement() -> None:
    from hipvision.api import analyze

    rep = analyze(load_pose(clip(FRONT_OBLIQUE)), "squat")
    assert rep["reps"] and all(r["view"] == "oblique" and r["left"] is None for r in rep["reps"])
    assert any(w["code"] == "oblique_view" for w in rep["warnings"])


def test_screening_annotated_video_from_the_cli(tmp_path: Path) -> None:
    import av

    from hipvision.cli import main

    out = tmp_path / "squat.mp4"
    series = tmp_path / "squat.csv"
    assert main(["analyze", str(clip(FRONT_GOOD)), "--test", "squat", "--max-frames", "120", "--save-video", str(out), "--series", str(series), "-q"]) == 0
    with av.open(str(out)) as c:
        assert c.streams.video[0].codec_context.name == "h264" and c.streams.video[0].frames == 120
    assert series.read_text().startswith("time_s,depth_pct,left_fppa_deg,right_fppa_deg,hip_shift_pct")

"""Face blur: the face changes (its detail is gone), the rest of the picture does not."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hipvision.config import DEFAULT_SETTINGS
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.privacy import FaceBlurrer, blur_faces, face_region
from hipvision.sequence import PoseFrame
from synthetic import standing_pose

R = DEFAULT_SETTINGS.render
W, H = 640, 480


def textured(seed: int = 0) -> np.ndarray:
    """A high-detail image (random noise): blurring shows up as a variance drop."""
    return np.random.default_rng(seed).integers(0, 256, (H, W, 3), dtype=np.uint8)


def pose_from(xy: np.ndarray) -> PoseFrame:
    pf = PoseFrame.empty(0, 0.0)
    return replace(pf, xy=xy, visibility=np.full(33, 0.99), presence=np.full(33, 0.99))


def face_mask(region, shrink: float = 0.8) -> np.ndarray:
    yy, xx = np.mgrid[0:H, 0:W]
    return ((xx - region.cx) / (region.rx * shrink)) ** 2 + ((yy - region.cy) / (region.ry * shrink)) ** 2 <= 1


def bbox_mask(region, pad: int = 2) -> np.ndarray:
    m = np.zeros((H, W), bool)
    m[max(0, int(region.cy - region.ry) - pad): int(region.cy + region.ry) + pad + 1,
      max(0, int(region.cx - region.rx) - pad): int(region.cx + region.rx) + pad + 1] = True
    return m


def test_face_is_blurred_and_nothing_else_changes() -> None:
    img = textured()
    pose = pose_from(standing_pose(W, H))
    region = face_region(pose, R, (W, H))
    assert region is not None
    # centred on the face points, as wide as the ears are apart (30 px here) times the scale
    assert region.cx == pytest.approx(W / 2, abs=1) and 50 < region.cy < 70
    assert region.rx == pytest.approx(15 * R.face_blur_scale, abs=0.5)
    out = blur_faces(img, pose, R)
    assert out is not img and np.array_equal(img, textured())  # input untouched
    inside = face_mask(region)
    assert out[inside].astype(float).var() < 0.1 * img[inside].astype(float).var()
    assert np.array_equal(out[~bbox_mask(region)], img[~bbox_mask(region)])
    # the face landmarks themselves are all inside the blurred ellipse
    for name in ("nose", "left_eye", "right_eye", "mouth_left", "mouth_right"):
        x, y = pose.xy[LANDMARK_INDEX[name]]
        assert inside[int(round(y)), int(round(x))] or face_mask(region, 1.0)[int(round(y)), int(round(x))]


def test_no_face_landmarks_is_a_no_op() -> None:
    img = textured(1)
    xy = standing_pose(W, H)
    xy[:11] = np.nan  # only the body (e.g. a pose CSV with a landmark subset)
    assert blur_faces(img, pose_from(xy), R) is img
    assert blur_faces(img, None, R) is img
    assert blur_faces(img, PoseFrame.empty(3, 0.1), R) is img


def test_one_face_point_falls_back_to_shoulder_width() -> None:
    xy = standing_pose(W, H)
    xy[1:11] = np.nan  # only the nose
    region = face_region(pose_from(xy), R, (W, H))
    assert region is not None and region.rx == pytest.approx(R.face_blur_shoulder_frac * 120 * R.face_blur_scale, abs=0.5)
    xy[11:13] = np.nan  # no shoulders either: a share of the image
    region = face_region(pose_from(xy), R, (W, H))
    assert region.rx == pytest.approx(R.face_blur_image_frac * H * R.face_blur_scale, abs=0.5)
    assert region.ry == pytest.approx(region.rx * R.face_blur_aspect)


def test_blurrer_holds_the_face_through_a_missed_detection() -> None:
    img = textured(2)
    pose = pose_from(standing_pose(W, H))
    blur = FaceBlurrer(R)
    region = face_region(pose, R, (W, H))
    first = blur(img, pose, 0.0)
    gap = blur(img, None, 0.5)  # no pose in this frame
    assert np.array_equal(first, gap)
    assert blur(img, None, 0.5 + R.face_blur_hold_s + 0.1) is img  # too long: nothing to go on
    assert not np.array_equal(first[face_mask(region)], img[face_mask(region)])


class _NoOverlay:
    """An analysis run of no registered test: its family draws nothing (analyzers.overlay)."""

    report = {"test": "no-such-test"}
    pose = None


def _write_noise_video(path: Path, n: int) -> None:
    from hipvision.videowriter import H264Writer

    with H264Writer(path, W, H, 10.0, crf=18) as w:
        for k in range(n):
            w.write(textured(10 + k), k / 10)


def _face_and_elsewhere_sd(video: Path, region) -> list[tuple[float, float]]:
    from hipvision.sources import open_source

    inside = face_mask(region)[:, 1:]
    far = np.roll(inside, (0, -200), axis=(0, 1))  # the same shape 200 px to the left: background
    out = []
    for fr in open_source(str(video)):
        # detail = mean step between horizontal neighbours (the skeleton's flat lines on the
        # face add little; noise a lot)
        step = np.abs(np.diff(fr.image.astype(float), axis=1)).mean(axis=2)
        out.append((float(step[inside].mean()), float(step[far].mean())))
    return out


@pytest.mark.parametrize("blur", [True, False])
def test_annotated_video_blurs_faces_when_asked(tmp_path: Path, blur: bool) -> None:
    """render_annotated over a real H.264 file: with blur_faces every frame's face is flat,
    also the frame without a pose (held region); without it the face keeps its detail."""
    from hipvision.api import render_annotated
    from hipvision.sequence import PoseSequence
    from synthetic import make_sequence

    src = tmp_path / "noise.mp4"
    _write_noise_video(src, 8)
    xy = np.repeat(standing_pose(W, H)[None], 8, axis=0)
    full = make_sequence(xy, np.arange(8) / 10)
    keep = np.arange(8) != 4  # frame 4: no pose found
    seq = PoseSequence(
        frame=full.frame[keep], time_s=full.time_s[keep], xy=full.xy[keep], z=full.z[keep],
        visibility=full.visibility[keep], presence=full.presence[keep], world=full.world[keep],
        image_size=(W, H),
    )
    settings = replace(DEFAULT_SETTINGS, render=replace(R, blur_faces=blur))
    out = render_annotated(src, seq, _NoOverlay(), tmp_path / "out.mp4", settings=settings)  # type: ignore[arg-type]
    region = face_region(seq.frame_at(0), R, (W, H))
    sds = _face_and_elsewhere_sd(out, region)
    assert len(sds) == 8
    for face_sd, bg_sd in sds:
        assert bg_sd > 30  # the noise survives the encoder
        if blur:
            assert face_sd < 0.25 * bg_sd
        else:
            assert face_sd > 0.6 * bg_sd

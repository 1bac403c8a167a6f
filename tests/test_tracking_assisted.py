"""Assisted mode: points marked on one frame, followed by optical flow with
forward-backward and appearance checks; drift and loss give NaN and a re-mark message."""

from __future__ import annotations

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from hipvision.config import TrackingSettings  # noqa: E402
from hipvision.errors import InputError  # noqa: E402
from hipvision.synthetic import Body, Move  # noqa: E402
from hipvision.tracking.assisted import PointTracker, ncc, parse_marks  # noqa: E402
from hipvision.tracking.synthetic_frames import rotation_video  # noqa: E402

S = TrackingSettings()
WIDE = Body(knee_half_width=0.3, hip_half_width=0.25)  # shins far apart: they never cross
MOVES = [Move("both", 30, ramp_s=0.6, hold_s=1.0, rest_s=0.5), Move("both", -25, ramp_s=0.6, hold_s=1.0, rest_s=0.5)]


def texture(h: int = 200, w: int = 260, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = cv2.resize(rng.uniform(0, 255, (h // 4, w // 4, 3)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(img, 0, 255).astype(np.uint8)


def shifted(img: np.ndarray, dx: float, dy: float) -> np.ndarray:
    M = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(img, M, (img.shape[1], img.shape[0]), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def test_follows_the_known_path_of_marked_shin_points() -> None:
    clip = rotation_video("prone", MOVES, color=None, body=WIDE, blur_px=0.8, noise_sd=3.0, seed=2)
    marks = {p: tuple(v[0]) for p, v in clip.points.items()}
    pt = PointTracker(marks, 0, S)
    got = {p: [] for p in marks}
    for k, _, img in clip.frames():
        for p, (xy, _) in pt.update(img, k).items():
            got[p].append(xy)
    assert pt.lost == []
    err = np.concatenate([np.hypot(*(np.array(got[p]) - clip.points[p]).T) for p in marks])
    assert np.isfinite(err).all()
    assert np.mean(err) < 1.0 and np.max(err) < 3.0


def test_frames_before_the_mark_frame_are_not_tracked() -> None:
    base = texture()
    pt = PointTracker({"left_knee": (100.0, 80.0), "left_ankle": (100.0, 150.0)}, 3, S)
    out = [pt.update(shifted(base, k, 0), k) for k in range(6)]
    assert all(np.isnan(o["left_knee"][0]).all() for o in out[:3])
    assert np.allclose(out[3]["left_knee"][0], (100, 80))
    assert np.allclose(out[5]["left_knee"][0], (102, 80), atol=0.2)
    assert np.isnan(out[5]["right_knee"][0]).all()  # not marked


def test_smooth_motion_is_tracked_then_a_jump_is_lost_not_drifted() -> None:
    base = texture()
    other = texture(seed=9)
    pt = PointTracker({"left_knee": (120.0, 90.0), "left_ankle": (120.0, 160.0)}, 0, S)
    path = [(0.7 * k, 0.4 * k) for k in range(12)]
    results = []
    for k, (dx, dy) in enumerate(path):
        img = shifted(base, dx, dy) if k < 8 else shifted(other, dx, dy)  # the scene changes at frame 8
        results.append(pt.update(img, k))
    for k in range(8):
        assert np.hypot(*(results[k]["left_knee"][0] - (120 + path[k][0], 90 + path[k][1]))) < 0.3
        assert results[k]["left_knee"][1] >= 0.5
    for k in range(8, 12):
        assert np.isnan(results[k]["left_knee"][0]).all() and results[k]["left_knee"][1] == 0.0
    lost = {x.point: x for x in pt.lost}
    assert lost["left_knee"].frame == 8
    assert "re-mark at frame 8" in lost["left_knee"].message and "--mark-frame 8" in lost["left_knee"].message


def test_a_point_in_a_texture_less_region_is_lost_at_once() -> None:
    img = texture()
    img[60:140, 60:140] = 128  # a flat patch
    pt = PointTracker({"left_knee": (100.0, 100.0), "left_ankle": (30.0, 180.0)}, 0, S)
    out = pt.update(img, 0)
    assert np.isnan(out["left_knee"][0]).all()
    assert pt.lost[0].point == "left_knee" and "no texture" in pt.lost[0].reason
    out = pt.update(img, 1)
    assert np.isnan(out["left_knee"][0]).all() and np.isfinite(out["left_ankle"][0]).all()


def test_a_covered_point_fails_the_forward_backward_or_appearance_check() -> None:
    base = texture()
    pt = PointTracker({"left_knee": (120.0, 90.0), "left_ankle": (120.0, 160.0)}, 0, S)
    pt.update(base, 0)
    covered = base.copy()
    cv2.rectangle(covered, (105, 75), (140, 105), (90, 60, 50), -1)  # a hand over the knee point
    out = pt.update(covered, 1)
    assert np.isnan(out["left_knee"][0]).all()
    assert np.isfinite(out["left_ankle"][0]).all()


def test_ncc() -> None:
    a = np.random.default_rng(0).uniform(0, 1, (15, 15)).astype(np.float32)
    assert ncc(a, 3 * a + 7) == pytest.approx(1.0, abs=1e-5)
    assert ncc(a, -a) == pytest.approx(-1.0, abs=1e-5)
    assert ncc(a, np.ones_like(a)) == 0.0


def test_parse_marks() -> None:
    m = parse_marks(["left_knee=10,20", "left_ankle=10.5,80"])
    assert m == {"left_knee": (10.0, 20.0), "left_ankle": (10.5, 80.0)}
    with pytest.raises(InputError, match="needs --mark left_ankle"):
        parse_marks(["left_knee=10,20"])
    with pytest.raises(InputError, match="NAME one of"):
        parse_marks(["left_hip=10,20"])
    with pytest.raises(InputError, match="X,Y in pixels"):
        parse_marks(["left_knee=10"])
    with pytest.raises(InputError, match="needs the knee and ankle"):
        parse_marks([])

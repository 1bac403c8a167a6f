"""Geometry properties (hypothesis) and known answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from hipvision.geometry import IMAGE_DOWN, IMAGE_UP, fppa, lateral_angle, rotate, signed_angle

angles = st.floats(-89.0, 89.0, allow_nan=False)
coords = st.floats(-5000.0, 5000.0, allow_nan=False)
lengths = st.floats(5.0, 2000.0, allow_nan=False)


def shin(knee: np.ndarray, theta: float, length: float, lateral_x: float, down: bool = True) -> np.ndarray:
    """Ankle of a shin at ``theta`` degrees from the vertical, + towards ``lateral_x``'s side."""
    ref = IMAGE_DOWN if down else IMAGE_UP
    a = np.radians(theta)
    perp = np.array([np.sign(lateral_x), 0.0])
    return knee + length * (np.cos(a) * ref + np.sin(a) * perp)


@given(theta=angles, kx=coords, ky=coords, L=lengths, lat=st.sampled_from([-1.0, 1.0]), down=st.booleans())
def test_building_a_shin_at_theta_and_measuring_returns_theta(theta, kx, ky, L, lat, down) -> None:
    knee = np.array([kx, ky])
    ankle = shin(knee, theta, L, lat, down)
    got = lateral_angle(knee, ankle, IMAGE_DOWN if down else IMAGE_UP, np.array([lat, 0.0]))
    assert abs(got - theta) < 1e-6


@given(theta=angles, L=lengths, roll=st.floats(-30, 30), scale=st.floats(0.1, 10), dx=coords, dy=coords)
def test_invariant_to_rotating_scaling_and_moving_the_whole_scene(theta, L, roll, scale, dx, dy) -> None:
    knee = np.array([100.0, 50.0])
    ankle = shin(knee, theta, L, 1.0)
    lateral = np.array([1.0, 0.0])
    before = lateral_angle(knee, ankle, IMAGE_DOWN, lateral)

    def move(p: np.ndarray) -> np.ndarray:
        return rotate(p, roll) * scale + (dx, dy)

    after = lateral_angle(move(knee), move(ankle), rotate(IMAGE_DOWN, roll), rotate(lateral, roll))
    assert abs(after - before) < 1e-6


@given(theta=angles, L=lengths, kx=coords)
def test_a_mirror_swaps_sides_but_keeps_the_lateral_angle(theta, L, kx) -> None:
    """Mirroring the image flips the lateral direction too: the person's IR stays IR, and
    the image-frame signed angle changes sign."""
    knee = np.array([kx, 0.0])
    ankle = shin(knee, theta, L, 1.0)
    mirror = np.array([-1.0, 1.0])
    a = lateral_angle(knee, ankle, IMAGE_DOWN, np.array([1.0, 0.0]))
    b = lateral_angle(knee * mirror, ankle * mirror, IMAGE_DOWN, np.array([-1.0, 0.0]))
    assert abs(a - b) < 1e-6
    assert abs(signed_angle(ankle - knee, IMAGE_DOWN) + signed_angle((ankle - knee) * mirror, IMAGE_DOWN)) < 1e-6


def test_nan_in_gives_nan_out() -> None:
    knee = np.array([[0.0, 0.0], [np.nan, 0.0], [0.0, 0.0]])
    ankle = np.array([[1.0, 10.0], [1.0, 10.0], [0.0, 0.0]])  # last: zero-length shin
    out = lateral_angle(knee, ankle, IMAGE_DOWN, np.array([1.0, 0.0]))
    assert np.isfinite(out[0]) and np.isnan(out[1]) and np.isnan(out[2])
    assert np.isnan(signed_angle(np.array([np.nan, 1.0]), IMAGE_DOWN))


def test_signed_angle_is_clockwise_on_screen() -> None:
    # from straight down, turning clockwise on screen (y down) goes towards -x (screen left)
    assert signed_angle(np.array([-1.0, 1.0]), IMAGE_DOWN) == 45.0
    assert abs(signed_angle(rotate(IMAGE_DOWN, 30.0), IMAGE_DOWN) - 30.0) < 1e-9


@settings(max_examples=200)
@given(lean=st.floats(-40, 40), thigh=lengths, leg=lengths, lat=st.sampled_from([-1.0, 1.0]))
def test_fppa_sign_positive_for_a_knee_medial_of_the_hip_ankle_line(lean, thigh, leg, lat) -> None:
    assume(abs(lean) > 0.5)
    hip = np.array([0.0, 0.0])
    # knee displaced medially (towards -lat) for positive lean
    knee = hip + thigh * np.array([-lat * np.sin(np.radians(lean / 2)), np.cos(np.radians(lean / 2))])
    ankle = knee + leg * np.array([lat * np.sin(np.radians(lean / 2)), np.cos(np.radians(lean / 2))])
    got = fppa(hip, knee, ankle, np.array([lat, 0.0]))
    assert abs(got - lean) < 1e-6


@given(turn=st.floats(-180.0, 180.0, allow_nan=False), width=st.floats(0.1, 0.6))
def test_body_yaw_is_the_turn_folded_into_0_to_90(turn: float, width: float) -> None:
    from hipvision.geometry import body_yaw_deg
    from hipvision.landmarks import LANDMARK_INDEX

    world = np.full((33, 3), np.nan)
    a = np.radians(turn)
    across = np.array([np.cos(a), 0.0, np.sin(a)])  # the person's left, turned about vertical
    for part, y in (("hip", 0.0), ("shoulder", -0.5)):
        world[LANDMARK_INDEX[f"left_{part}"]] = across * width / 2 + [0, y, 0]
        world[LANDMARK_INDEX[f"right_{part}"]] = -across * width / 2 + [0, y, 0]
    folded = abs(turn) % 180
    expected = min(folded, 180 - folded)
    assert float(body_yaw_deg(world)) == pytest.approx(expected, abs=1e-6)
    world[LANDMARK_INDEX["left_shoulder"]] = np.nan  # one line is enough
    assert float(body_yaw_deg(world)) == pytest.approx(expected, abs=1e-6)
    world[LANDMARK_INDEX["left_hip"]] = np.nan
    assert np.isnan(body_yaw_deg(world))

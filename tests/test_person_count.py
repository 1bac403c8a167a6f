"""Counting people from the pose detector's raw outputs (hipvision.pose.person_count):
anchors, decoding and non-maximum suppression on outputs built by hand, with known answers
and properties. The detector itself on real frames: tests/test_pipeline.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from hipvision.pose.person_count import (
    ANCHORS, BOX_VALUES, DETECTOR_INPUT, count_people, decode, detector_anchors, iou, letterbox_geometry, same_body, suppress,
)


def outputs(hits: dict[int, tuple[float, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """Raw detector outputs with every anchor scoring ~0 except ``hits``: anchor -> (logit,
    dx, dy, w, h[, centre dx, dy, extent dx, dy]) in input pixels; without key points the
    body centre is the box centre and its extent 50 px below."""
    boxes = np.zeros((len(ANCHORS), BOX_VALUES), np.float32)
    logits = np.full(len(ANCHORS), -20.0, np.float32)
    for k, (lg, dx, dy, w, h, *kp) in hits.items():
        logits[k] = lg
        boxes[k, :8] = dx, dy, w, h, *(kp or (dx, dy, dx, dy + 50.0))
    return boxes.ravel(), logits


def test_anchor_layout() -> None:
    a = detector_anchors()
    assert a.shape == (28 * 28 * 2 + 14 * 14 * 2 + 7 * 7 * 6, 2) == (2254, 2)
    assert ((a > 0) & (a < 1)).all()
    # grid of stride 8: two anchors per cell, cells left to right, then rows
    np.testing.assert_allclose(a[0], [0.5 / 28, 0.5 / 28])
    np.testing.assert_allclose(a[1], a[0])
    np.testing.assert_allclose(a[2], [1.5 / 28, 0.5 / 28])
    np.testing.assert_allclose(a[2 * 28], [0.5 / 28, 1.5 / 28])
    # the last grid (stride 32): six anchors per cell, the last at the bottom-right cell
    np.testing.assert_allclose(a[-6:], np.tile([6.5 / 7, 6.5 / 7], (6, 1)))


def test_decoding_known_answer() -> None:
    k = 2 * (28 * 10 + 5)  # stride-8 grid, row 10, column 5
    b, lg = outputs({k: (3.0, 22.4, -11.2, 44.8, 56.0, 0.0, 11.2, 0.0, 67.2)})
    found, scores = decode(b, lg, 0.5)
    assert len(found) == 1
    ax, ay = 5.5 / 28, 10.5 / 28
    np.testing.assert_allclose(found[0], [ax + 0.1, ay - 0.05, 0.2, 0.25, ax, ay + 0.05, ax, ay + 0.3], atol=1e-6)
    assert scores[0] == pytest.approx(1 / (1 + np.exp(-3.0)))
    assert len(decode(b, lg, 0.96)[0]) == 0  # sigmoid(3) = 0.953


def test_one_person_seen_by_neighbouring_anchors_counts_once_two_apart_count_twice() -> None:
    one = {2 * (28 * 10 + 5): (4.0, 0.0, 0.0, 40.0, 40.0), 2 * (28 * 10 + 5) + 1: (3.0, 2.0, 1.0, 42.0, 38.0),
           2 * (28 * 11 + 5): (2.0, 0.0, -3.0, 40.0, 40.0)}
    assert count_people(*outputs(one), 0.5, 0.3, 0.55) == 1
    two = {2 * (28 * 10 + 5): (4.0, 0.0, 0.0, 40.0, 40.0), 2 * (28 * 10 + 20): (3.0, 0.0, 0.0, 40.0, 40.0)}
    assert count_people(*outputs(two), 0.5, 0.3, 0.55) == 2
    assert count_people(*outputs(two), 0.99, 0.3, 0.55) == 0
    assert count_people(*outputs({}), 0.5, 0.3, 0.55) == 0


def test_one_bent_body_found_twice_counts_once() -> None:
    """Two detections whose boxes hardly overlap (an upright and an upside-down reading of one
    bent body) but whose body centres are 0.2 radii apart are one person; centres a body
    radius apart are two."""
    up, down = 2 * (28 * 8 + 14), 2 * (28 * 14 + 14)  # boxes 48 px apart vertically, 40 px tall
    centre = (0.0, 40.0, 0.0, 100.0)  # body centre 40 px below the first box, radius 60 px
    one = {up: (3.0, 0.0, 0.0, 40.0, 40.0, *centre), down: (2.0, 0.0, 0.0, 40.0, 40.0, 0.0, -8.0 + 12.0, 0.0, -68.0)}
    assert count_people(*outputs(one), 0.5, 0.3, 0.55) == 1
    assert count_people(*outputs(one), 0.5, 0.3, 0.1) == 2  # a stricter centre rule keeps both
    apart = {up: (3.0, 0.0, 0.0, 40.0, 40.0, *centre), down: (2.0, 60.0, 0.0, 40.0, 40.0, 60.0, -8.0, 60.0, -68.0)}
    assert count_people(*outputs(apart), 0.5, 0.3, 0.55) == 2


def test_letterbox_geometry_known_answers() -> None:
    assert letterbox_geometry(720, 1280) == (224, 126, 0, 49)
    assert letterbox_geometry(1280, 720) == (126, 224, 49, 0)
    assert letterbox_geometry(500, 500) == (224, 224, 0, 0)
    with pytest.raises(ValueError):
        letterbox_geometry(0, 10)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5000), st.integers(1, 5000))
def test_letterbox_fits_and_keeps_the_aspect_ratio(h: int, w: int) -> None:
    rw, rh, x0, y0 = letterbox_geometry(h, w)
    assert 1 <= rw <= DETECTOR_INPUT and 1 <= rh <= DETECTOR_INPUT and max(rw, rh) == DETECTOR_INPUT
    assert x0 >= 0 and y0 >= 0 and x0 + rw <= DETECTOR_INPUT and y0 + rh <= DETECTOR_INPUT
    assert abs(rw / DETECTOR_INPUT - w / max(h, w)) <= 1 / DETECTOR_INPUT + 1e-9
    assert abs(rh / DETECTOR_INPUT - h / max(h, w)) <= 1 / DETECTOR_INPUT + 1e-9


boxes_strategy = st.lists(
    st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0.01, 0.5), st.floats(0.01, 0.5)), min_size=1, max_size=25
)


@settings(max_examples=100, deadline=None)
@given(boxes_strategy, st.floats(0.05, 0.95))
def test_suppression_keeps_separate_boxes_and_covers_the_rest(raw: list, max_iou: float) -> None:
    b = np.array(raw, dtype=np.float64)
    kept = suppress(b, max_iou)
    assert kept[0] == 0 and kept == sorted(kept)  # the best box always stays; order kept
    for n, i in enumerate(kept):  # kept boxes do not overlap each other beyond the limit
        for j in kept[:n]:
            assert iou(b[i], b[[j]])[0] <= max_iou + 1e-12
    for i in set(range(len(b))) - set(kept):  # a dropped box overlaps a better kept one
        assert (iou(b[i], b[[j for j in kept if j < i]]) > max_iou).any()


@settings(max_examples=100, deadline=None)
@given(boxes_strategy)
def test_iou_is_symmetric_bounded_and_one_on_itself(raw: list) -> None:
    b = np.array(raw, dtype=np.float64)
    m = np.array([iou(b[i], b) for i in range(len(b))])
    np.testing.assert_allclose(m, m.T, atol=1e-12)
    assert ((m >= 0) & (m <= 1 + 1e-12)).all()
    np.testing.assert_allclose(np.diag(m), 1.0)


@settings(max_examples=100, deadline=None)
@given(boxes_strategy, st.floats(0.05, 0.95), st.floats(0.05, 1.5), st.floats(0.05, 0.5))
def test_suppression_with_the_body_rule_keeps_separate_bodies_and_covers_the_rest(raw: list, max_iou: float, max_centre: float, radius: float) -> None:
    b = np.array(raw, dtype=np.float64)
    d = np.column_stack([b, b[:, :2], b[:, :2] + [0.0, radius]])  # body centre at the box centre
    kept = suppress(d, max_iou, max_centre)
    assert kept[0] == 0
    for n, i in enumerate(kept):
        for j in kept[:n]:
            assert iou(d[i], d[[j]])[0] <= max_iou + 1e-12 and not same_body(d[i], d[[j]], max_centre)[0]
    for i in set(range(len(d))) - set(kept):
        earlier = d[[j for j in kept if j < i]]
        assert (iou(d[i], earlier) > max_iou).any() or same_body(d[i], earlier, max_centre).any()

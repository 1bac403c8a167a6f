"""Counting the people in view from the pose *detector*'s raw outputs (pure numpy).

The pose landmarker bundle (``.task``) holds two models: a detector that finds people (a
single-shot detector over a 224 x 224 letterboxed image: for each of 2254 fixed anchors a
score logit and a box with four key points) and the landmark model that follows one of
them. Counting people needs the detector only, so the periodic multi-person check
(:class:`hipvision.pose.mediapipe_backend.PeopleCounter`) runs it alone and decodes its
outputs here: boxes whose score clears the detection confidence, the detections of one
person merged (greedy non-maximum suppression on box overlap and on the body centre), the
rest counted.

Coordinates are fractions of the detector's square input (x right, y down), never of the
original image: a count does not need them in pixels.
"""

from __future__ import annotations

import numpy as np

#: the detector's square input (pixels)
DETECTOR_INPUT = 224
#: (stride in input pixels, anchors per cell); the detector's five feature maps are at
#: strides 8, 16, 32, 32, 32 with two anchors each, and maps of one stride share a grid
ANCHOR_GRID: tuple[tuple[int, int], ...] = ((8, 2), (16, 2), (32, 6))
#: values per anchor in the box output: centre x, centre y, width, height (input pixels,
#: relative to the anchor centre), then four key points (x, y)
BOX_VALUES = 12


def detector_anchors(size: int = DETECTOR_INPUT) -> np.ndarray:
    """The anchor centres, (2254, 2) as (x, y) fractions of the input, in the order of the
    detector's outputs: grid by grid, rows top to bottom, cells left to right, the anchors
    of one cell together."""
    parts = []
    for stride, per_cell in ANCHOR_GRID:
        n = size // stride
        c = (np.arange(n) + 0.5) / n
        xx, yy = np.meshgrid(c, c)  # row-major: y outer, x inner
        parts.append(np.repeat(np.stack([xx.ravel(), yy.ravel()], axis=1), per_cell, axis=0))
    return np.concatenate(parts)


ANCHORS = detector_anchors()


def decode(boxes: np.ndarray, logits: np.ndarray, min_score: float, size: int = DETECTOR_INPUT) -> tuple[np.ndarray, np.ndarray]:
    """The detections scoring at least ``min_score``, best first: (M, 8) rows of box centre
    x, centre y, width, height, then the body's centre (the mid-hip key point) x, y and its
    extent point x, y (whose distance from the centre is the body's radius), all in
    fractions of the input; and their scores (M,). ``boxes``: the raw box output, (2254 * 12,)
    or (2254, 12); ``logits``: (2254,)."""
    raw = np.asarray(boxes, dtype=np.float64).reshape(len(ANCHORS), -1)
    if raw.shape[1] < 8:
        raise ValueError(f"expected at least 8 box values per anchor, got {raw.shape[1]}")
    score = 1.0 / (1.0 + np.exp(-np.clip(np.asarray(logits, dtype=np.float64).ravel(), -100.0, 100.0)))
    keep = np.flatnonzero(score >= min_score)
    keep = keep[np.argsort(-score[keep], kind="stable")]
    r = raw[keep, :8] / size
    a = ANCHORS[keep]
    out = np.column_stack([
        a[:, 0] + r[:, 0], a[:, 1] + r[:, 1], np.abs(r[:, 2]), np.abs(r[:, 3]),
        a[:, 0] + r[:, 4], a[:, 1] + r[:, 5], a[:, 0] + r[:, 6], a[:, 1] + r[:, 7],
    ])
    return out, score[keep]


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of box ``a`` (4,) with each of ``boxes`` b (K, 4), boxes as
    centre x, centre y, width, height. 0 where both areas are 0."""
    ax0, ay0, ax1, ay1 = a[0] - a[2] / 2, a[1] - a[3] / 2, a[0] + a[2] / 2, a[1] + a[3] / 2
    bx0, by0 = b[:, 0] - b[:, 2] / 2, b[:, 1] - b[:, 3] / 2
    bx1, by1 = b[:, 0] + b[:, 2] / 2, b[:, 1] + b[:, 3] / 2
    inter = np.clip(np.minimum(ax1, bx1) - np.maximum(ax0, bx0), 0, None) * np.clip(np.minimum(ay1, by1) - np.maximum(ay0, by0), 0, None)
    union = a[2] * a[3] + b[:, 2] * b[:, 3] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def same_body(a: np.ndarray, b: np.ndarray, max_centre: float) -> np.ndarray:
    """Whether detection ``a`` (8,) and each of ``b`` (K, 8) (rows of :func:`decode`) are one
    body: their body centres closer than ``max_centre`` times the larger body radius. One
    person is sometimes found twice with little box overlap (an upright and an upside-down
    reading of one bent body: the centres 0.2 radii apart); two people side by side stand
    at least a body width apart."""
    radius = np.maximum(np.hypot(a[6] - a[4], a[7] - a[5]), np.hypot(b[:, 6] - b[:, 4], b[:, 7] - b[:, 5]))
    return np.hypot(b[:, 4] - a[4], b[:, 5] - a[5]) < max_centre * radius


def suppress(detections: np.ndarray, max_iou: float, max_centre: float | None = None) -> list[int]:
    """Greedy non-maximum suppression over detections sorted best first (rows of
    :func:`decode`, or bare boxes (K, 4)): the indices kept, each overlapping no kept box by
    more than ``max_iou`` and, with ``max_centre``, not the same body as a kept one
    (:func:`same_body`)."""
    kept: list[int] = []
    for i in range(len(detections)):
        if kept:
            k = detections[kept]
            if iou(detections[i], k).max() > max_iou:
                continue
            if max_centre is not None and same_body(detections[i], k, max_centre).any():
                continue
        kept.append(i)
    return kept


def count_people(boxes: np.ndarray, logits: np.ndarray, min_score: float, max_iou: float, max_centre: float) -> int:
    """How many people the detector's raw outputs show: detections scoring at least
    ``min_score``, those overlapping (IoU above ``max_iou``) or sharing a body centre
    (:func:`same_body`) counted once."""
    found, _ = decode(boxes, logits, min_score)
    return len(suppress(found, max_iou, max_centre))


def letterbox_geometry(height: int, width: int, size: int = DETECTOR_INPUT) -> tuple[int, int, int, int]:
    """Where an image goes in the detector's square input, its aspect ratio kept: (width,
    height) it is resized to and the (x, y) of its top-left corner; the rest is padding."""
    if height <= 0 or width <= 0:
        raise ValueError(f"empty image {width}x{height}")
    scale = size / max(height, width)
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    return w, h, (size - w) // 2, (size - h) // 2

"""PoseSequence invariants and the API on synthetic input (no clips needed)."""

from __future__ import annotations

import numpy as np
import pytest

from hipvision.landmarks import LANDMARK_NAMES, mirror_index, other_side, side_landmark
from hipvision.sequence import PoseFrame, PoseSequence

from synthetic import make_sequence, standing_pose


def test_shapes_are_checked() -> None:
    seq = make_sequence(np.stack([standing_pose()] * 3))
    with pytest.raises(ValueError, match="xy has shape"):
        PoseSequence(
            frame=seq.frame, time_s=seq.time_s, xy=seq.xy[:, :10], z=seq.z,
            visibility=seq.visibility, presence=seq.presence, world=seq.world,
            image_size=seq.image_size,
        )


def test_time_must_increase() -> None:
    with pytest.raises(ValueError, match="strictly increasing"):
        make_sequence(np.stack([standing_pose()] * 3), time_s=np.array([0.0, 0.1, 0.1]))


def test_from_frames_keeps_gaps_and_people_counts() -> None:
    base = standing_pose()
    z = np.zeros(33)
    frames = [
        PoseFrame(0, 0.0, base, z, np.ones(33), np.ones(33), np.zeros((33, 3)), num_people=1),
        PoseFrame.empty(1, 0.033, num_people=0),
        PoseFrame(2, 0.066, base, z, np.ones(33), np.ones(33), np.zeros((33, 3)), num_people=2),
    ]
    seq = PoseSequence.from_frames(frames, (640, 480))
    assert seq.detected.tolist() == [True, False, True]
    assert seq.multi_person_frames().tolist() == [2]
    assert seq.median_fps() == pytest.approx(30.3, rel=0.01)


def test_side_helpers_use_the_persons_sides() -> None:
    assert LANDMARK_NAMES[side_landmark("left", "knee")] == "left_knee"
    assert other_side("left") == "right" and other_side("right") == "left"
    for i, name in enumerate(LANDMARK_NAMES):
        j = mirror_index(i)
        assert mirror_index(j) == i
        assert LANDMARK_NAMES[j] == name.replace("left", "@").replace("right", "left").replace("@", "right")
    # the synthetic front-view person has their left on the image's right
    xy = standing_pose()
    assert xy[side_landmark("left", "hip"), 0] > xy[side_landmark("right", "hip"), 0]

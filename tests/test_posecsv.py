"""Pose CSV: round trips, and a specific error for every kind of malformed file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hipvision.errors import PoseCsvError
from hipvision.posecsv import REQUIRED_COLUMNS, PoseCsvWriter, read_pose_csv, write_pose_csv
from hipvision.sequence import PoseFrame

from synthetic import make_sequence, standing_pose

HEADER = ",".join(REQUIRED_COLUMNS)


def _seq(n: int = 5):
    base = standing_pose()
    xy = np.stack([base + k for k in range(n)])
    return make_sequence(xy, time_s=0.5 + np.arange(n) * 0.04)


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    seq = _seq()
    out = write_pose_csv(seq, tmp_path / "p.csv")
    back = read_pose_csv(out)
    np.testing.assert_array_equal(back.frame, seq.frame)
    np.testing.assert_allclose(back.time_s, seq.time_s, atol=1e-6)
    np.testing.assert_allclose(back.xy, seq.xy, atol=1e-3)
    np.testing.assert_allclose(back.visibility, seq.visibility, atol=1e-5)
    np.testing.assert_allclose(back.world, seq.world, atol=1e-5)
    assert back.image_size == seq.image_size


def test_frames_without_detection_are_omitted_and_frame_numbers_kept(tmp_path: Path) -> None:
    seq = _seq(6)
    xy = seq.xy.copy()
    xy[2] = np.nan  # no person in frame 2
    path = write_pose_csv(seq.with_xy(xy), tmp_path / "p.csv")
    text = path.read_text().splitlines()
    assert not any(line.startswith("2,") for line in text[1:])
    back = read_pose_csv(path)
    assert back.frame.tolist() == [0, 1, 3, 4, 5]


def test_partial_landmark_sets_are_accepted(tmp_path: Path) -> None:
    """Another estimator (or the prone shin tracker) may give only knees and ankles."""
    p = tmp_path / "p.csv"
    p.write_text(
        HEADER + "\n"
        "0,0.0,left_knee,100,200,,0.9,640,480\n"
        "0,0.0,left_ankle,102,300,,0.9,640,480\n"
        "1,0.033,left_knee,101,200,,0.9,640,480\n"
    )
    seq = read_pose_csv(p)
    assert len(seq) == 2
    assert seq.point("left_knee")[1].tolist() == [101.0, 200.0]
    assert np.isnan(seq.point("left_ankle")[1]).all()
    assert np.isnan(seq.point("nose")).all()
    assert np.isnan(seq.z).all()


def test_extra_columns_in_any_order_are_fine(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text(
        "landmark,note,frame,time_s,x_px,y_px,z,visibility,image_width,image_height\n"
        "left_hip,hello,0,0.0,10,20,1.5,1,64,48\n"
    )
    seq = read_pose_csv(p)
    assert seq.point("left_hip")[0].tolist() == [10.0, 20.0]
    assert seq.z[0, 23] == 1.5


def test_writer_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "p.csv"
    seq = _seq(3)
    with pytest.raises(RuntimeError):
        with PoseCsvWriter(target, seq.image_size) as w:
            w.write(PoseFrame(0, 0.0, seq.xy[0], seq.z[0], seq.visibility[0], seq.presence[0], seq.world[0]))
            raise RuntimeError("crash mid-write")
    assert list(tmp_path.iterdir()) == []


ROW = "0,0.0,left_knee,100,200,,0.9,640,480"


@pytest.mark.parametrize(
    "body, expected",
    [
        ("", "line 1: the file is empty"),
        ("frame,time_s,landmark\n", "missing required column(s) x_px"),
        (HEADER + ",frame\n", "duplicate column(s) frame"),
        (HEADER + "\n", "header but no landmark rows"),
        (HEADER + "\n" + ROW + "\n0,0.0,left_ankle,abc,200,,0.9,640,480\n", "line 3: x_px 'abc' is not a number"),
        (HEADER + "\n0,0.0,left_knee,100,200,,0.9,640\n", "line 2: 8 fields, the header has 9"),
        (HEADER + "\n0,0.0,left_kneee,100,200,,0.9,640,480\n", "line 2: unknown landmark 'left_kneee'"),
        (HEADER + "\n" + ROW + "\n" + ROW + "\n", "line 3: landmark 'left_knee' appears twice in frame 0"),
        (HEADER + "\n0,0.0,left_knee,100,200,,1.5,640,480\n", "line 2: visibility 1.5 is outside 0..1"),
        (HEADER + "\n0,0.0,left_knee,100,200,,,640,480\n", "line 2: column 'visibility' is empty"),
        (HEADER + "\nx,0.0,left_knee,100,200,,0.9,640,480\n", "line 2: frame 'x' is not an integer"),
        (HEADER + "\n-1,0.0,left_knee,100,200,,0.9,640,480\n", "line 2: frame -1 is negative"),
        (HEADER + "\n0,0.0,left_knee,100,nan,,0.9,640,480\n", "line 2: y_px 'nan' is not a finite number"),
        (HEADER + "\n0,0.0,left_knee,100,200,,0.9,0,480\n", "line 2: image size 0x480 is not positive"),
        (HEADER + "\n" + ROW + "\n1,0.1,left_knee,100,200,,0.9,1280,720\n", "line 3: image size 1280x720 differs"),
        (HEADER + "\n" + ROW + "\n0,0.5,left_ankle,100,200,,0.9,640,480\n", "line 3: frame 0 has time_s 0.5"),
        (HEADER + "\n0,1.0,left_knee,1,2,,0.9,640,480\n1,0.5,left_knee,1,2,,0.9,640,480\n", "time_s does not increase with frame"),
    ],
)
def test_malformed_files_name_line_and_problem(tmp_path: Path, body: str, expected: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(body)
    with pytest.raises(PoseCsvError) as e:
        read_pose_csv(p)
    assert expected in str(e.value)
    assert str(p) in str(e.value)


def test_binary_file_is_rejected(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(PoseCsvError):
        read_pose_csv(p)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PoseCsvError, match="cannot open"):
        read_pose_csv(tmp_path / "nope.csv")

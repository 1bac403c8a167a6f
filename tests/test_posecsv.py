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


@pytest.fixture(autouse=True, params=["csv-module", "pyarrow"])
def reader_path(request, monkeypatch) -> str:
    """Every test here runs against both readers: the csv-module one (small files) and the
    pyarrow one (big files), which must give the same sequences and the same messages."""
    from hipvision import posecsv

    if request.param == "pyarrow":
        pytest.importorskip("pyarrow.csv")
        monkeypatch.setattr(posecsv, "ARROW_MIN_BYTES", 0)
        yield request.param
    else:
        monkeypatch.setattr(posecsv, "ARROW_MIN_BYTES", 1 << 62)
        yield request.param


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


# ---------------------------------------------------------------- streamed reading in blocks


def _reference(rows: list[tuple[int, float, str, float, float, str]]) -> dict[int, dict[str, tuple]]:
    """What a reader must return, built the slow, obvious way."""
    out: dict[int, dict[str, tuple]] = {}
    for f, t, name, x, y, npeople in rows:
        out.setdefault(f, {})[name] = (t, x, y, npeople)
    return out


@pytest.mark.parametrize("chunk", [1, 3, 7, 50_000])
def test_blocks_of_any_size_read_the_same_rows_in_any_order(tmp_path: Path, chunk: int, monkeypatch) -> None:
    from hipvision import posecsv

    monkeypatch.setattr(posecsv, "CHUNK_ROWS", chunk)
    rng = np.random.default_rng(chunk)
    names = ["left_knee", "right_knee", "left_ankle", "nose"]
    rows = []
    for f in [0, 1, 2, 5, 9, 10, 11, 40]:  # gaps: frames without a detection
        for name in rng.permutation(names)[: rng.integers(1, 5)]:
            rows.append((f, round(0.04 * f + 0.5, 6), str(name), float(rng.integers(0, 640)), float(rng.integers(0, 480)),
                         str(rng.choice(["", "1", "2"]))))
    order = rng.permutation(len(rows))  # rows of a frame need not be together, nor frames in order
    p = tmp_path / "p.csv"
    p.write_text(
        HEADER + ",num_people\n"
        + "".join(f"{rows[i][0]},{rows[i][1]}, {rows[i][2]} ,{rows[i][3]},{rows[i][4]},,0.9,640,480,{rows[i][5]}\n" for i in order)
    )
    seq = read_pose_csv(p)
    ref = _reference([rows[i] for i in order])
    assert seq.frame.tolist() == sorted(ref)
    for k, f in enumerate(seq.frame.tolist()):
        assert seq.time_s[k] == pytest.approx(next(iter(ref[f].values()))[0])
        for name in names:
            got = seq.point(name)[k]
            if name in ref[f]:
                assert got.tolist() == [ref[f][name][1], ref[f][name][2]]
            else:
                assert np.isnan(got).all()
        given = [v[3] for v in ref[f].values() if v[3] != ""]
        assert seq.num_people[k] == (int(given[-1]) if given else -1)  # the last value given wins


@pytest.mark.parametrize(
    "rows, expected",
    [
        # the clash is in a later block than the row it clashes with
        (["0,0.0,left_knee", "1,0.1,left_knee", "2,0.2,left_knee", "0,0.0,left_knee"], "line 5: landmark 'left_knee' appears twice in frame 0"),
        (["0,0.0,left_knee", "1,0.1,left_knee", "2,0.2,left_knee", "1,0.3,left_ankle"], "line 5: frame 1 has time_s 0.3 here but 0.1"),
        (["0,0.0,left_knee", "1,0.1,left_knee", "2,0.2,left_knee", "3,0.3,left_knee,x"], "line 5: 10 fields, the header has 9"),
        (["0,0.0,left_knee", "1,0.1,left_knee", "2,0.2,left_knee", "3,0.3,left_knee", "4,inf,left_knee"], "line 6: time_s 'inf' is not a finite number"),
    ],
)
def test_errors_in_later_blocks_name_their_line(tmp_path: Path, rows: list[str], expected: str, monkeypatch) -> None:
    from hipvision import posecsv

    monkeypatch.setattr(posecsv, "CHUNK_ROWS", 2)
    p = tmp_path / "bad.csv"
    tail = ",100,200,,0.9,640,480"
    p.write_text(HEADER + "\n" + "".join(r.replace(",x", "") + tail + (",x" if r.endswith(",x") else "") + "\n" for r in rows))
    with pytest.raises(PoseCsvError) as e:
        read_pose_csv(p)
    assert expected in str(e.value)


def test_z_and_world_written_as_nan_are_refused_but_empty_is_missing(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text(HEADER + ",world_x\n0,0.0,left_knee,100,200,,0.9,640,480,\n1,0.1,left_knee,100,200,,0.9,640,480,nan\n")
    with pytest.raises(PoseCsvError, match="line 3: world_x 'nan' is not a finite number"):
        read_pose_csv(p)


def test_big_files_take_the_pyarrow_path_and_read_the_same(tmp_path: Path, reader_path: str, monkeypatch) -> None:
    pytest.importorskip("pyarrow.csv")
    from hipvision import posecsv

    seq = _seq(40)
    out = write_pose_csv(seq, tmp_path / "p.csv")
    monkeypatch.setattr(posecsv, "ARROW_MIN_BYTES", 0)
    fast = posecsv._read_arrow(out)
    assert fast is not None
    monkeypatch.setattr(posecsv, "ARROW_MIN_BYTES", 1 << 62)
    slow = read_pose_csv(out)
    for name in ("frame", "time_s", "xy", "z", "visibility", "presence", "world", "num_people"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(slow, name), err_msg=name)
    assert fast.image_size == slow.image_size and fast.source == slow.source

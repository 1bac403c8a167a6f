"""Frame sources on videos and images made inside the tests: upright frames, container
timestamps, specific errors."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from hipvision.config import SourceSettings
from hipvision.errors import InputError
from hipvision.sources import Frame, ImageFolderSource, open_source, prefetch


def write_video(
    path: Path, times_ms: list[int], size: tuple[int, int] = (64, 48), rotation: int = 0
) -> Path:
    """An H.264 MP4 with a red 8x8 square in the top-left corner of every coded frame, the
    given presentation times (variable frame rate allowed) and display rotation (degrees
    counter-clockwise, as phones store it)."""
    import av

    w, h = size
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p"
        s.time_base = s.codec_context.time_base = Fraction(1, 1000)
        if rotation:
            s.set_display_rotation(rotation)
        for t in times_ms:
            img = np.full((h, w, 3), 40, np.uint8)
            img[:8, :8] = (255, 0, 0)
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts, f.time_base = t, Fraction(1, 1000)
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def red_centre(img: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero((img[:, :, 0] > 150) & (img[:, :, 1] < 100))
    return float(xs.mean()), float(ys.mean())


def test_variable_frame_rate_times_come_from_the_container(tmp_path: Path) -> None:
    times = [0, 36, 108, 144, 216, 252, 324]  # 36-72 ms intervals, as on a real phone clip
    src = open_source(write_video(tmp_path / "vfr.mp4", times))
    got = [f.time_s for f in src]
    np.testing.assert_allclose(got, np.array(times) / 1000.0, atol=1e-3)


@pytest.mark.parametrize("rotation", [90, -90, 180, 270])
def test_rotation_metadata_gives_upright_frames_like_opencv(tmp_path: Path, rotation: int) -> None:
    path = write_video(tmp_path / "rot.mp4", [0, 33, 66], rotation=rotation)
    src = open_source(path)
    frames = list(src)
    swapped = rotation % 180 != 0
    assert (src.width, src.height) == ((48, 64) if swapped else (64, 48))
    assert frames[0].image.shape == (src.height, src.width, 3)
    # OpenCV 5 applies the same metadata (CAP_PROP_ORIENTATION_AUTO): an independent check
    cap = cv2.VideoCapture(str(path))
    ok, bgr = cap.read()
    cap.release()
    assert ok and bgr.shape == frames[0].image.shape
    ours, theirs = red_centre(frames[0].image), red_centre(bgr[:, :, ::-1])
    assert np.allclose(ours, theirs, atol=1.0)
    # and the marker moved off the top-left corner exactly as a CCW rotation moves it
    expected = {90: "bottom-left", 270: "top-right", -90: "top-right", 180: "bottom-right"}[rotation]
    x, y = ours
    corner = ("top" if y < src.height / 2 else "bottom") + "-" + ("left" if x < src.width / 2 else "right")
    assert corner == expected


def test_max_frames_stops_early(tmp_path: Path) -> None:
    path = write_video(tmp_path / "v.mp4", list(range(0, 330, 33)))
    src = open_source(path, SourceSettings(max_frames=4))
    assert [f.index for f in src] == [0, 1, 2, 3]


def test_video_metadata(tmp_path: Path) -> None:
    path = write_video(tmp_path / "v.mp4", list(range(0, 330, 33)))
    src = open_source(path)
    assert src.kind == "video" and src.frame_count == 10


def _img(path: Path, size: tuple[int, int] = (32, 24), value: int = 100) -> Path:
    w, h = size
    cv2.imwrite(str(path), np.full((h, w, 3), value, np.uint8))
    return path


def test_image_folder_natural_order_and_fixed_rate(tmp_path: Path) -> None:
    for i in (10, 2, 1):
        _img(tmp_path / f"frame{i}.png", value=i * 10)
    (tmp_path / ".DS_Store").write_bytes(b"junk")  # hidden files are ignored
    src = open_source(tmp_path, SourceSettings(image_folder_fps=10))
    frames = list(src)
    assert [int(f.image[0, 0, 0]) for f in frames] == [10, 20, 100]
    np.testing.assert_allclose([f.time_s for f in frames], [0.0, 0.1, 0.2])


def test_image_folder_errors(tmp_path: Path) -> None:
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    _img(mixed / "a.png")
    (mixed / "notes.txt").write_text("x")
    with pytest.raises(InputError, match=r"mixes image frames with other files \(notes.txt\)"):
        open_source(mixed)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="folder is empty"):
        open_source(empty)
    sizes = tmp_path / "sizes"
    sizes.mkdir()
    _img(sizes / "1.png", (32, 24))
    _img(sizes / "2.png", (30, 24))
    with pytest.raises(InputError, match="differs from the first frame"):
        list(ImageFolderSource(sizes, 30.0))


def test_still_image(tmp_path: Path) -> None:
    src = open_source(_img(tmp_path / "a.jpg", (40, 30)))
    frames = list(src)
    assert src.kind == "image" and len(frames) == 1 and frames[0].image.shape == (30, 40, 3)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("missing.mp4", None, "no such file or folder"),
        ("empty.mp4", b"", "the file is empty"),
        ("text.mp4", b"hello, I am not a video\n" * 50, "not a readable video"),
        ("bad.jpg", b"\xff\xd8garbage" * 10, "not a readable image"),
        ("data.xyz", b"123", "unsupported input type '.xyz'"),
    ],
)
def test_bad_inputs_get_specific_errors(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    p = tmp_path / name
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(InputError, match=message):
        src = open_source(p)
        list(src)


def test_truncated_video_is_an_error(tmp_path: Path) -> None:
    good = write_video(tmp_path / "v.mp4", list(range(0, 3300, 33)), size=(160, 120))
    data = good.read_bytes()
    bad = tmp_path / "cut.mp4"
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError, match="cut.mp4"):
        list(open_source(bad))


def test_prefetch_preserves_order_and_reraises() -> None:
    def gen():
        for i in range(20):
            yield Frame(i, i / 30, np.zeros((2, 2, 3), np.uint8))
        raise InputError("decoder broke")

    got = []
    with pytest.raises(InputError, match="decoder broke"):
        for f in prefetch(gen(), depth=3):
            got.append(f.index)
    assert got == list(range(20))


def test_prefetch_stops_the_thread_when_consumer_stops() -> None:
    import threading

    def gen():
        for i in range(10_000):
            yield Frame(i, i / 30, np.zeros((2, 2, 3), np.uint8))

    it = prefetch(gen(), depth=2)
    assert next(it).index == 0
    it.close()
    assert not any(t.name == "hipvision-decode" for t in threading.enumerate())


def test_prefetch_closed_before_iterating_stops_the_thread() -> None:
    import threading

    def gen():
        for i in range(10_000):
            yield Frame(i, i / 30, np.zeros((2, 2, 3), np.uint8))

    it = prefetch(gen(), depth=2)
    it.close()  # e.g. the model failed to load before the first frame was read
    assert not any(t.name == "hipvision-decode" for t in threading.enumerate())


def test_threaded_and_single_thread_decoding_give_the_same_frames(tmp_path: Path) -> None:
    """Up to ``threaded_decode_above_px`` a video is decoded on one thread, above it with
    FFmpeg's frame threads: the frames, their order and times are the same either way."""
    import av

    path = tmp_path / "moving.mp4"
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 96, 64, "yuv420p"
        for k in range(40):
            img = np.full((64, 96, 3), 30, np.uint8)
            img[20:36, 2 * k : 2 * k + 16] = (255, 0, 0)  # a red square moving right
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    single = list(open_source(path, SourceSettings()))
    threaded = list(open_source(path, SourceSettings(threaded_decode_above_px=0)))
    assert len(single) == len(threaded) == 40
    assert [f.time_s for f in single] == [f.time_s for f in threaded]
    for a, b in zip(single, threaded):
        np.testing.assert_array_equal(a.image, b.image)
    xs = [red_centre(f.image)[0] for f in single]
    assert all(x1 > x0 for x0, x1 in zip(xs, xs[1:]))  # in display order

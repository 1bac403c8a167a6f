"""One input, four doors: ``hipvision analyze`` (CLI), ``api.run_analysis`` (Python), the
dashboard's jobs (track, then analyse) and ``hipvision batch`` (a manifest with the marks)
must give the same report: the same numbers, the same tracking section and the same
warnings. The input is a generated prone clip whose shins cross in external rotation
(assisted tracking leaves those frames out and says so: the warning that once reached the
CLI but not the dashboard), and a sticker clip analysed with the default ``auto``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("cv2")

from hipvision import api, cli  # noqa: E402
from hipvision.dashboard import jobs  # noqa: E402
from hipvision.synthetic import Move  # noqa: E402
from hipvision.tracking.synthetic_frames import write_rotation_video  # noqa: E402

VOLATILE = ("source", "processing_s")


def _comparable(report: dict) -> dict:
    out = {k: v for k, v in report.items() if k not in VOLATILE}
    if "tracking" in out:
        out["tracking"] = {k: v for k, v in out["tracking"].items() if k != "frames_per_s"}
    return out


@pytest.fixture(scope="module")
def crossing(tmp_path_factory) -> tuple[Path, dict[str, tuple[float, float]]]:
    d = tmp_path_factory.mktemp("crossing")
    clip = write_rotation_video(
        d / "cross.mp4", "prone",
        [Move("both", 30, ramp_s=0.6, hold_s=1.0, rest_s=0.5), Move("both", -40, ramp_s=0.6, hold_s=1.0, rest_s=0.5)],
        color=None, seed=5,
    )
    return d / "cross.mp4", {p: (round(v[0][0], 1), round(v[0][1], 1)) for p, v in clip.points.items()}


def test_the_same_tracked_report_from_cli_api_dashboard_and_batch(crossing, tmp_path, capsys) -> None:
    video, marks = crossing
    mark_args = [f"--mark={p}={x},{y}" for p, (x, y) in marks.items()]

    assert cli.main(["analyze", str(video), "--test", "prone", "--track", "assisted", *mark_args, "--json", "-q"]) == 0
    from_cli = json.loads(capsys.readouterr().out)

    from_api = api.run_analysis(video, "prone", track="assisted", marks=marks).report

    seq, tracking = jobs.track_legs(video, "prone", "assisted", marks=marks)
    from_dashboard = jobs.analyse(video, seq, "prone", annotate=False, tracking=tracking).report

    manifest = tmp_path / "study.csv"
    cell = ";".join(f"{p}={x},{y}" for p, (x, y) in marks.items())
    manifest.write_text(f"path,test,marks,participant\n{video},prone,\"{cell}\",007\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["batch", str(manifest), "--out", str(out), "--workers", "1", "-q"]) == 0
    (report_path,) = (out / "clips").glob("*/prone/report.json")
    from_batch = json.loads(report_path.read_text())

    codes = {w["code"] for w in from_cli["warnings"]}
    assert "shins_crossed" in codes and from_cli["tracking"]["mode"] == "assisted"
    reference = _comparable(from_cli)
    for name, rep in (("api", from_api), ("dashboard", from_dashboard), ("batch", from_batch)):
        assert _comparable(rep) == reference, f"{name} report differs from the CLI's"

    # a re-analysis of the batch's stored pose keeps the tracking section and its warnings
    assert cli.main(["batch", str(manifest), "--out", str(out), "--workers", "1", "--reuse-pose", "--sex", "female", "-q"]) == 0
    again = json.loads(report_path.read_text())
    assert again["tracking"] == from_batch["tracking"] and {w["code"] for w in again["warnings"]} == codes


def test_batch_tracks_prone_videos_like_analyze_by_default(tmp_path, capsys) -> None:
    """No --track anywhere: a prone video goes through ``auto`` in batch as in analyze (here
    the stickers: the drawn legs are no person for the pose model)."""
    folder = tmp_path / "clips"
    folder.mkdir()
    write_rotation_video(folder / "stickers.mp4", "prone", [Move("both", 30, ramp_s=0.6, hold_s=1.2, rest_s=0.5)], seed=3)
    assert cli.main(["analyze", str(folder / "stickers.mp4"), "--test", "prone", "--json", "-q"]) == 0
    from_cli = json.loads(capsys.readouterr().out)
    out = tmp_path / "out"
    assert cli.main(["batch", str(folder), "--out", str(out), "--test", "prone", "--workers", "1", "-q"]) == 0
    (report_path,) = (out / "clips").glob("*/prone/report.json")
    from_batch = json.loads(report_path.read_text())
    assert from_cli["tracking"]["requested"] == "auto" and from_cli["tracking"]["mode"] == "markers"
    assert _comparable(from_batch) == _comparable(from_cli)


@pytest.mark.parametrize(
    "row, words",
    [
        ("x.mp4,squat,,markers", "tracking applies to the rotation tests"),
        ("x.mp4,prone,,bogus", "unknown tracking mode 'bogus'"),
        ("x.mp4,prone,left_knee=1,2,", "5 values, the header has 4"),
        ("x.mp4,prone,left_knee=1 2,", "bad --mark"),
        ("x.mp4,prone,,assisted", "needs the knee and ankle of each leg"),
        ("x.mp4,prone,left_knee=1,2;left_ankle=1,9;right_knee=5,2;right_ankle=5,9,markers", None),
    ],
)
def test_bad_tracking_cells_are_refused_naming_the_line(tmp_path, row, words, capsys) -> None:
    (tmp_path / "x.mp4").write_bytes(b"not read: the manifest is refused first")
    manifest = tmp_path / "m.csv"
    if words is None:  # marks with another mode
        manifest.write_text('path,test,marks,track\nx.mp4,prone,"left_knee=1,2;left_ankle=1,9;right_knee=5,2;right_ankle=5,9",markers\n')
        words = "marks are for the 'assisted' tracking mode"
    else:
        manifest.write_text("path,test,marks,track\n" + row + "\n")
    assert cli.main(["batch", str(manifest), "--out", str(tmp_path / "o"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "line 2" in err and words in err, err

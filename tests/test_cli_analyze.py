"""`hipvision analyze` and `hipvision live` as a user runs them, on the bundled samples."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hipvision.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HIPVISION_MODEL_URL="http://127.0.0.1:9/")
    return subprocess.run([sys.executable, "-m", "hipvision", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_analyze_seated_sample_json_is_the_only_stdout() -> None:
    p = run("analyze", str(SAMPLES / "seated_rotation.pose.csv"), "--test", "seated", "--json")
    assert p.returncode == 0, p.stderr
    rep = json.loads(p.stdout)
    assert rep["test"] == "seated" and rep["schema_version"] == "1.2"
    left, right = rep["sides"]["left"], rep["sides"]["right"]
    # known answers of the sample (samples/make_samples.py)
    assert left["peak_ir_deg"] == pytest.approx(36, abs=1.0)
    assert left["peak_er_deg"] == pytest.approx(44, abs=1.0)
    assert right["peak_ir_deg"] == pytest.approx(24, abs=1.0)
    assert right["peak_er_deg"] == pytest.approx(47, abs=1.0)
    assert rep["asymmetry"]["ir"]["verdict"] in ("borderline", "not equal")


def test_analyze_prone_sample_text_and_series(tmp_path: Path, capsys) -> None:
    out = tmp_path / "series.csv"
    assert main(["analyze", str(SAMPLES / "prone_rotation.pose.csv"), "--test", "prone", "--series", str(out)]) == 0
    text = capsys.readouterr().out
    assert "prone hip rotation" in text and "vertical: neutral shins at the start" in text
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["time_s", "left_deg", "right_deg"]
    peak = max(float(r[1]) for r in rows[1:] if r[1])
    assert peak == pytest.approx(40, abs=2.5)


@pytest.mark.parametrize(
    "args, message",
    [
        (["analyze", str(SAMPLES / "demo_squat_front.pose.csv"), "--test", "seated"], "no seated rotation test found"),
        (["analyze", str(SAMPLES / "seated_rotation.pose.csv"), "--test", "prone"], "no prone rotation test found"),
        (["analyze", str(SAMPLES / "seated_rotation.pose.csv"), "--test", "tennis"], "unknown test 'tennis' (available: hinge, prone, seated, single-leg-hinge, single-leg-squat, squat)"),
        (["analyze", str(SAMPLES / "seated_rotation.pose.csv"), "--test", "seated", "--save-video", "x.mp4"], "needs the video itself"),
        (["analyze", "nope.csv", "--test", "seated"], "nope.csv: no such file"),
    ],
)
def test_analyze_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    p = run(*args, cwd=tmp_path)
    assert p.returncode == 1
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hipvision: error: ") and message in lines[0], p.stderr
    assert p.stdout == ""
    assert not (tmp_path / "x.mp4").exists()


def test_mirrored_flag_swaps_sides(capsys) -> None:
    # the sample is not mirrored: declaring it mirrored must swap left and right
    assert main(["analyze", str(SAMPLES / "seated_rotation.pose.csv"), "--test", "seated", "--json", "--mirrored"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["mirrored"] is True
    assert rep["sides"]["left"]["peak_ir_deg"] == pytest.approx(24, abs=1.0)


def test_live_replays_a_pose_csv_headless(tmp_path: Path) -> None:
    saved = tmp_path / "rec.csv"
    p = run("live", str(SAMPLES / "seated_rotation.pose.csv"), "--test", "seated", "--no-window", "--json", "-o", str(saved))
    assert p.returncode == 0, p.stderr
    rep = json.loads(p.stdout)
    assert rep["sides"]["left"]["peak_ir_deg"] == pytest.approx(36, abs=1.0)
    assert saved.exists()


def test_live_without_display_says_so(monkeypatch, capsys) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if not sys.platform.startswith("linux"):
        pytest.skip("display detection is for Linux")
    assert main(["live", "--test", "seated"]) == 1
    assert "no display" in capsys.readouterr().err


def test_screening_options_reach_the_report(tmp_path: Path, capsys) -> None:
    from hipvision.posecsv import write_pose_csv
    from hipvision.synthetic import Rep, screening_clip

    seq, truth = screening_clip("single-leg-squat", [Rep(valgus_left_m=0.05)], seed=7)
    csv_path = write_pose_csv(seq, tmp_path / "sls.csv")
    assert 8.0 < truth.fppa[0]["left"] < 13.0
    for sex, thr in (("male", 8.0), ("female", 13.0)):
        assert main(["analyze", str(csv_path), "--test", "single-leg-squat", "--json", "--sex", sex]) == 0
        rep = json.loads(capsys.readouterr().out)
        assert rep["thresholds"]["sex"] == sex and rep["thresholds"]["fppa_valgus_deg"] == thr
        # a value a few degrees from either threshold is within its error band: borderline
        knee = rep["reps"][0]["left"]
        assert abs(knee["fppa_peak_deg"] - thr) <= knee["fppa_peak_band_deg"]
        assert knee["valgus"] is False and knee["valgus_borderline"] is True
    assert main(["analyze", str(csv_path), "--test", "single-leg-squat", "--fppa-threshold", "30"]) == 0
    out = capsys.readouterr().out
    assert "single-leg-squat screening" in out and "valgus > 30 deg" in out and "VALG" not in out

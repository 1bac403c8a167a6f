"""Adding a test family is adding one package: a toy family registered here (its own tiny
analysis on synthetic landmarks) shows up in the CLI, flatten, the HTML report and the
dashboard without any change outside this file.

The toy "toy-reach" test: how far the person's right wrist gets from their right shoulder,
sideways in the picture (px). On the synthetic clip below the wrist starts 15 px outside the
shoulder and moves out by 100 px at most: the reach is 115 px, reached at frame 30.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest

from hipvision import analyzers, cli, export
from hipvision.analyzers import Family, register, register_family
from hipvision.config import Settings
from hipvision.errors import AnalysisError
from hipvision.flatten import ResultRow, flatten_report, metrics
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.posecsv import write_pose_csv
from hipvision.results import provenance
from hipvision.sequence import PoseSequence

from synthetic import make_sequence, standing_pose

TOY = "toy-reach"
N = 61
REACH_PX = 115.0  # 15 px at rest + 100 px at the farthest (frame 30)
APP = str(Path(__file__).resolve().parents[1] / "app.py")


# ----------------------------------------------------------------------------- the toy family
class ToyRun:
    def __init__(self, report: dict[str, Any], seq: PoseSequence, reach: np.ndarray) -> None:
        self.report, self.time_s, self.frame, self.reach = report, seq.time_s, seq.frame, reach
        self.pose: PoseSequence | None = None

    def series_rows(self) -> list[tuple]:
        return [(float(t), round(float(r), 2)) for t, r in zip(self.time_s, self.reach)]



def _toy_draw(run: ToyRun, report: object, image: np.ndarray, frame: int) -> np.ndarray:
    out = image.copy()
    out[:4, :4] = (255, 0, 0)  # the toy's "overlay": a red corner
    return out


class ToyReach:
    name = TOY
    description = "toy reach: right wrist to right shoulder, sideways (px)"
    series_columns = ("time_s", "reach_px")

    def run(self, seq: PoseSequence, settings: Settings) -> ToyRun:
        if len(seq) == 0:
            raise AnalysisError("no person in the clip")
        reach = np.abs(seq.point("right_wrist")[:, 0] - seq.point("right_shoulder")[:, 0])
        k = int(np.nanargmax(reach))
        report = {
            **provenance(), "test": TOY, "source": seq.source, "duration_s": round(float(seq.time_s[-1] - seq.time_s[0]), 2),
            "reach_px": round(float(reach[k]), 1), "reach_at_s": float(seq.time_s[k]),
            "warnings": [{"code": "toy_right_arm_only", "message": "only the right arm was measured"}],
        }
        return ToyRun(report, seq, reach)

    def summary_text(self, report: dict[str, Any]) -> str:
        return f"toy reach: {report['reach_px']:.1f} px"


def _toy_show(outcome: Any) -> None:
    import streamlit as st

    st.metric("Reach", f"{outcome.report['reach_px']:.1f} px")


def toy_family(analyzer: ToyReach) -> Family:
    return Family(
        name="toy",
        analyzers=(analyzer,),
        titles={TOY: "Toy reach test"},
        metrics={"reach_px": "right wrist to right shoulder, sideways, at the farthest (px)"},
        preferred_metrics=("reach_px",),
        flatten=lambda report: [ResultRow("reach_px", "right", 0, float(report["reach_px"]))],
        instructions={TOY: "**Camera**: in front of the person. **Person**: reaches sideways with the right arm."},
        fixes={"toy_right_arm_only": "Reach with the left arm too (a toy's fix)."},
        key_frame_time=lambda report: report["reach_at_s"],
        key_frame_caption="the farthest reach",
        html_section=lambda report, settings: f'<p>Reach: <b>{report["reach_px"]:.1f} px</b></p>',
        show=_toy_show,
        draw=_toy_draw,
    )


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> Family:
    """The toy family registered through the public API; the registry is restored after."""
    analyzers.available()  # the built-in families first
    monkeypatch.setattr(analyzers, "_REGISTRY", dict(analyzers._REGISTRY))
    monkeypatch.setattr(analyzers, "_FAMILIES", dict(analyzers._FAMILIES))
    return register_family(toy_family(register(ToyReach())))  # type: ignore[arg-type]


@pytest.fixture
def toy_csv(tmp_path: Path) -> Path:
    base = standing_pose()
    xy = np.repeat(base[None], N, axis=0)
    out = 100.0 * np.sin(np.pi * np.arange(N) / (N - 1))  # 0 .. 100 (frame 30) .. 0 px
    xy[:, LANDMARK_INDEX["right_wrist"], 0] -= out  # the person's right is on the image's left
    return write_pose_csv(make_sequence(xy), tmp_path / "toy.pose.csv")


# ----------------------------------------------------------------------------- the registry
def test_registry_lists_the_toy_family(toy: Family) -> None:
    assert analyzers.family_of(TOY) is toy and TOY in analyzers.available()
    assert {"rotation", "screening", "toy"} <= set(analyzers.families())
    with pytest.raises(ValueError):  # a test belongs to one family
        register_family(Family(name="toy-again", analyzers=(analyzers.get(TOY),)))
    with pytest.raises(ValueError):  # analyzers are registered before their family
        register_family(Family(name="unregistered", analyzers=(ToyReach(),)))  # type: ignore[arg-type]


def test_toy_family_is_gone_without_registering() -> None:
    assert TOY not in analyzers.available() and analyzers.family_of(TOY) is None


# ----------------------------------------------------------------------------- CLI
def test_cli_help_offers_the_toy_test(toy: Family, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        cli.main(["analyze", "--help"])
    assert e.value.code == 0
    assert TOY in capsys.readouterr().out


def test_cli_analyses_with_the_toy_test(toy: Family, toy_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(toy_csv), "--test", TOY]) == 0
    assert "toy reach: 115.0 px" in capsys.readouterr().out
    assert cli.main(["analyze", str(toy_csv), "--test", TOY, "--json", "--report", str(tmp_path / "r.html")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["test"] == TOY and report["reach_px"] == REACH_PX and report["reach_at_s"] == pytest.approx(30 / 30.0)
    html = (tmp_path / "r.html").read_text()
    assert "<h1>Toy reach test</h1>" in html
    assert "Reach: <b>115.0 px</b>" in html
    assert "Reach with the left arm too (a toy&#x27;s fix)." in html  # the family's own fix for its warning
    assert "Key frame: the farthest reach" in html and "data:image/png;base64," in html


def test_the_key_frame_and_video_overlay_come_from_the_family(toy: Family, toy_csv: Path) -> None:
    """Drawing is the family's (``Family.draw``), not the analysis run's: the report's key
    frame carries the toy's red corner."""
    from hipvision import api
    from hipvision.report_html import key_frame_image

    run = api.run_analysis(toy_csv, TOY)
    assert not hasattr(run, "draw")
    image = key_frame_image(toy_csv, run.pose, run, run.report["reach_at_s"])
    assert tuple(image[0, 0]) == (255, 0, 0)
    plain = analyzers.overlay(run)(np.zeros((8, 8, 3), np.uint8), 0)
    assert tuple(plain[1, 1]) == (255, 0, 0) and tuple(plain[6, 6]) == (0, 0, 0)


# ----------------------------------------------------------------------------- flatten, export
def test_flatten_and_results_csv_have_the_toy_metric(toy: Family, toy_csv: Path) -> None:
    from hipvision import api

    report = api.analyze(toy_csv, TOY)
    assert flatten_report(report) == [ResultRow("reach_px", "right", 0, REACH_PX)]
    assert "reach_px" in metrics() and "ir_peak_deg" in metrics()
    assert "reach_px,right,0,115.0" in export.results_csv(report).replace("\r\n", "\n")


# ----------------------------------------------------------------------------- dashboard
@pytest.fixture
def _server_address_as_configured() -> Iterator[None]:
    from streamlit.testing.v1.util import patch_config_options

    config = Path(APP).parent / ".streamlit" / "config.toml"
    with patch_config_options({"server.address": tomllib.loads(config.read_text())["server"]["address"]}):
        yield


def test_dashboard_offers_and_shows_the_toy_test(toy: Family, toy_csv: Path, _server_address_as_configured: None) -> None:
    from streamlit.testing.v1 import AppTest

    from hipvision.dashboard.page_live import live_tests

    assert TOY not in live_tests()  # the toy has no live readout
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.radio[0].set_value("Upload a pose CSV").run()
    assert ToyReach.description in at.selectbox(key="test").options  # shown by description
    at.file_uploader[0].set_value((toy_csv.name, toy_csv.read_bytes(), "text/csv"))
    at.selectbox(key="test").set_value(TOY)
    at.run()
    assert not at.exception and not at.error
    assert any("reaches sideways with the right arm" in m.value for m in at.markdown)  # the family's instructions
    assert {m.label: m.value for m in at.metric}["Reach"] == "115.0 px"
    assert any(w.value == "only the right arm was measured" for w in at.warning)

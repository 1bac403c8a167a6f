"""Typed reports (issue 14 item 3): every report the analyzers write reads into its family's
records and writes back byte for byte, every key it has is declared by the records, and
older reports (schema 1.0 / 1.1, from the history database) read with defaults."""

from __future__ import annotations

import copy
import json
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest

from hipvision import analyzers
from hipvision.analyzers.rotation.schema import RotationReport
from hipvision.analyzers.screening.schema import ScreeningReport
from hipvision.api import analyze, run_analysis
from hipvision.config import DEFAULT_SETTINGS, ScreeningSettings
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.schema import Record, Report, ReportWarning
from hipvision.synthetic import Move, Rep, frontal_camera, rotation_clip, screening_clip, side_camera, time_window

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
MOVES = [Move("both", 30), Move("both", -35), Move("left", 20)]


def _json(d: dict) -> str:
    return json.dumps(d, indent=2, ensure_ascii=False)


def _undeclared(rec: object, path: str = "") -> list[str]:
    """Keys of a record (and its records) that the schema does not declare."""
    out: list[str] = []
    if isinstance(rec, Record):
        out += [f"{path}.{k}" for k in rec._extra]
        for f in fields(rec):
            if not f.name.startswith("_"):
                out += _undeclared(getattr(rec, f.name), f"{path}.{f.name}")
    elif isinstance(rec, (tuple, list)):
        for i, x in enumerate(rec):
            out += _undeclared(x, f"{path}[{i}]")
    return out


def _model_tracking() -> dict:
    return {"mode": "model", "requested": "auto", "reason": "test", "frames": 0, "usable_fraction": {"left": 0.9, "right": 1.0},
            "lost": [{"point": "left_shin", "frame": 12, "reason": "r", "message": "m", "found_again": None}],
            "attempts": [{"mode": "model", "used": True}], "checks": {"gate": [], "passed": False, "failed_share": {"left": 0.2, "right": 0.0}},
            "frames_per_s": 100.0}


def _reports() -> dict[str, dict]:
    out: dict[str, dict] = {}
    seq, _ = rotation_clip("seated", MOVES, noise_px=1.0, seed=3)
    out["seated"] = analyze(seq, "seated")
    seq, _ = rotation_clip("prone", MOVES, noise_px=1.0, seed=4, drop_fraction=0.05)
    out["prone"] = analyze(seq, "prone")
    # one leg hidden: a side not measured, asymmetry null
    xy = seq.xy.copy()
    for n in ("right_knee", "right_ankle"):
        xy[:, LANDMARK_INDEX[n]] = np.nan
    out["prone one side"] = analyze(replace(seq, xy=xy), "prone")
    out["prone tracked"] = run_analysis(seq, "prone", tracking_info=_model_tracking()).report
    reps = [Rep(valgus_left_m=0.07, hip_shift_m=0.05), Rep(), Rep(valgus_on_the_way_up=True, valgus_right_m=0.06)]
    seq, truth = screening_clip("squat", reps, noise_px=1.0, seed=5)
    out["squat"] = analyze(seq, "squat")
    out["squat cut"] = analyze(time_window(seq, None, truth.rep_times[-1][1]), "squat")  # an incomplete rep
    out["squat square view"] = analyze(seq, "squat", settings=replace(DEFAULT_SETTINGS, screening=ScreeningSettings(fppa_square_view=True)))
    seq, _ = screening_clip("squat", reps[:2], camera=frontal_camera(azimuth_deg=12.0), world_noise_m=0.01, seed=31)
    out["squat turned"] = analyze(seq, "squat")  # FPPA withheld
    seq, _ = screening_clip("squat", reps[:2], camera=side_camera(), noise_px=1.0, seed=9)
    out["squat side"] = analyze(seq, "squat")  # side view: knees null, flexion and lean
    # single-leg legs' labels swapped at a rep's bottom: hip shift withheld with its note
    seq, truth = screening_clip("single-leg-squat", reps, camera=frontal_camera(height=0.5), seed=5)
    m = np.abs(seq.time_s - truth.rep_times[1][1]) <= 0.3
    xy, z, world = seq.xy.copy(), seq.z.copy(), seq.world.copy()
    for part in ("knee", "ankle", "heel", "foot_index"):
        a, b = LANDMARK_INDEX[f"left_{part}"], LANDMARK_INDEX[f"right_{part}"]
        for arr in (xy, z, world):
            arr[m, a], arr[m, b] = arr[m, b].copy(), arr[m, a].copy()
    out["single-leg-squat swapped"] = analyze(replace(seq, xy=xy, z=z, world=world), "single-leg-squat")
    for test in ("single-leg-squat", "hinge", "single-leg-hinge"):
        seq, _ = screening_clip(test, reps, noise_px=1.0, seed=6)  # type: ignore[arg-type]
        out[test] = analyze(seq, test)
    for f in sorted(SAMPLES.glob("*.pose.csv")):
        test = {"demo_squat_front": "squat", "prone_rotation": "prone", "seated_rotation": "seated"}[f.name.split(".")[0]]
        out[f"sample {f.name}"] = analyze(f, test)
    return out


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    return _reports()


def test_the_cases_cover_what_they_claim(reports: dict[str, dict]) -> None:
    """A round trip proves little over reports without the optional parts: check they are there."""
    screen = [r for r in reports.values() if r["test"] not in ("seated", "prone")]
    knees = [k for r in screen for rep in r["reps"] for k in (rep["left"], rep["right"]) if k]
    assert any(k["fppa_deg"] is None and "fppa_method" not in k for k in knees)  # withheld
    assert any("fppa_peak_deg" in k for k in knees) and any("fppa_at_depth_pct" in k for k in knees)
    assert any(not rep["complete"] for r in screen for rep in r["reps"])  # incomplete
    assert any(rep["left"] is None and "knee_flexion_deg" in rep for r in screen for rep in r["reps"])  # side view
    assert any(r["working_side"] for r in screen)
    assert any("hip_shift_note" in rep for r in screen for rep in r["reps"])  # withheld hip shift
    assert "tracking" in reports["prone tracked"]
    assert not reports["prone one side"]["sides"]["right"]["measured"]
    assert reports["prone one side"]["asymmetry"]["ir"] is None
    assert any(k.startswith("sample ") for k in reports)


def test_every_report_reads_typed_and_writes_back_byte_for_byte(reports: dict[str, dict]) -> None:
    for name, rep in reports.items():
        typed = analyzers.typed_report(rep)
        expected = RotationReport if rep["test"] in ("seated", "prone") else ScreeningReport
        assert type(typed) is expected, name
        assert _json(typed.to_dict()) == _json(rep), name
        # and through JSON text, as the history database stores it
        again = analyzers.typed_report(json.loads(_json(rep)))
        assert _json(again.to_dict()) == _json(rep), name


def test_the_records_declare_every_key_the_analyzers_write(reports: dict[str, dict]) -> None:
    for name, rep in reports.items():
        assert _undeclared(analyzers.typed_report(rep)) == [], name


def test_typed_values_are_the_report_values(reports: dict[str, dict]) -> None:
    rot = analyzers.typed_report(reports["seated"])
    assert isinstance(rot, RotationReport)
    d = reports["seated"]
    for s in ("left", "right"):
        assert rot.sides.of(s).peak_ir_deg == d["sides"][s]["peak_ir_deg"]
        assert rot.sides.of(s).value("arc") == d["sides"][s]["total_arc_deg"]
        held = rot.sides.of(s).held("ir")
        assert held is not None and held.at_s == d["sides"][s]["ir_held"]["at_s"]
    assert [m for m, _ in rot.sides.left.norms.items()] == list(d["sides"]["left"]["norms"])
    sq = analyzers.typed_report(reports["squat cut"])
    assert isinstance(sq, ScreeningReport)
    assert [r.complete for r in sq.reps] == [r["complete"] for r in reports["squat cut"]["reps"]]
    assert len(sq.complete_reps) == sq.summary.reps
    assert all(isinstance(w, ReportWarning) for w in sq.warnings)
    assert sq.pose_check is not None and sq.pose_check.frames_checked == reports["squat cut"]["pose_check"]["frames_checked"]


def _as_1_0(rep: dict) -> dict:
    """A report as schema 1.0 wrote it: no peak valgus, no rep completeness, no pose check."""
    old = copy.deepcopy(rep)
    old["schema_version"] = "1.0"
    old.pop("pose_check", None)
    for r in old.get("reps", []):
        r.pop("complete"), r.pop("incomplete_reason"), r.pop("doubtful_pose")
        for s in ("left", "right"):
            for k in ("fppa_peak_deg", "fppa_peak_s", "fppa_peak_phase", "fppa_peak_depth_pct", "fppa_method"):
                (r[s] or {}).pop(k, None)
    if "summary" in old:
        old["summary"].pop("reps_incomplete")
    return old


def test_older_reports_read_with_defaults_and_write_back_unchanged(reports: dict[str, dict]) -> None:
    for name in ("squat", "squat cut", "seated"):
        old = _as_1_0(reports[name])
        typed = analyzers.typed_report(old)
        assert _json(typed.to_dict()) == _json(old)
        if isinstance(typed, ScreeningReport):
            assert all(r.complete for r in typed.reps) and typed.summary.reps_incomplete == 0
            assert all(k is None or k.fppa_peak_deg is None for r in typed.reps for k in (r.left, r.right))
        assert typed.pose_check is None


def test_an_unknown_test_and_unknown_keys_are_kept() -> None:
    d = {"schema_version": "9.0", "test": "no-such-test", "source": "x", "new_section": {"a": [1, 2]}, "warnings": []}
    typed = analyzers.typed_report(d)
    assert type(typed) is Report and typed.test == "no-such-test"
    assert _json(typed.to_dict()) == _json(d)


def test_a_record_built_in_code_leaves_out_what_it_does_not_set() -> None:
    w = ReportWarning(code="x", message="y")
    assert w.to_dict() == {"code": "x", "message": "y", "value": None}
    rot = RotationReport(test="seated")
    d = rot.to_dict()
    assert "tracking" not in d and "band_basis" not in d and "processing_s" not in d
    assert d["sides"]["left"]["measured"] is True and "peak_ir_band_deg" not in d["sides"]["left"]

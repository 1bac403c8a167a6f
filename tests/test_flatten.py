"""Flattening reports into key-number rows, for every kind of screening view and for rotation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hipvision.api import analyze
from hipvision.flatten import flatten_report, metrics
from hipvision.report_html import render_report
from hipvision.bands import no_bands
from hipvision.config import DEFAULT_SETTINGS
from hipvision.synthetic import Move, Rep, rotation_clip, screening_clip, side_camera


def as_dict(rows):
    return {(r.metric, r.side, r.rep): r.value for r in rows}


def test_single_leg_rows_only_for_the_working_knee() -> None:
    seq, truth = screening_clip("single-leg-squat", [Rep(valgus_left_m=0.07), Rep()], working_side="left", noise_px=1.0, seed=4)
    rep = analyze(seq, "single-leg-squat", settings=replace(DEFAULT_SETTINGS, bands=no_bands()))  # flags on the bare threshold
    d = as_dict(flatten_report(rep))
    assert {k[1] for k in d if k[0] == "fppa_deg"} == {"left"}
    assert d[("fppa_deg", "left", 1)] == rep["reps"][0]["left"]["fppa_deg"] == pytest.approx(truth.fppa[0]["left"], abs=4)
    assert d[("valgus", "left", 1)] == 1.0 and d[("valgus", "left", 2)] == 0.0
    assert ("valgus_reps", "right", 0) not in d and d[("valgus_reps", "left", 0)] == 1.0
    assert d[("reps", "", 0)] == 2


def test_side_view_gives_flexion_not_valgus() -> None:
    seq, _ = screening_clip("squat", [Rep(), Rep()], camera=side_camera(), noise_px=1.0, seed=4)
    rep = analyze(seq, "squat")
    rows = flatten_report(rep)
    metrics = {r.metric for r in rows}
    assert "fppa_deg" not in metrics and "hip_shift_pct" not in metrics and "valgus_reps" not in metrics
    assert {r.rep for r in rows if r.metric == "knee_flexion_deg"} == {1, 2}
    html = render_report(rep)
    assert "Knee flexion" in html and f"{rep['reps'][0]['knee_flexion_deg']:.1f}°" in html


def test_rotation_unmeasured_side_gives_no_rows() -> None:
    seq, truth = rotation_clip("prone", [Move("left", 40), Move("left", -35)], seed=1)
    rep = analyze(seq, "prone")
    d = as_dict(flatten_report(rep))
    assert d[("ir_peak_deg", "left", 0)] == pytest.approx(40, abs=2) and d[("er_peak_deg", "left", 0)] == pytest.approx(35, abs=2)
    assert rep["sides"]["right"]["peak_ir_deg"] is None and ("ir_peak_deg", "right", 0) not in d
    assert ("ir_left_minus_right_deg", "", 0) not in d


def test_every_metric_is_documented_and_unknown_tests_give_nothing() -> None:
    for make, test in ((lambda: rotation_clip("seated", [Move("both", 30), Move("both", -40)], seed=2)[0], "seated"),
                       (lambda: screening_clip("hinge", [Rep(hip_shift_m=0.04)], seed=2)[0], "hinge")):
        for r in flatten_report(analyze(make(), test)):
            assert r.metric in metrics() and r.side in ("left", "right", "") and r.rep >= 0
    assert flatten_report({"test": "tennis"}) == [] and flatten_report({}) == []

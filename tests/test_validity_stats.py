"""Known answers for the statistics of docs/VALIDITY.md (benchmarks/render/validity.py):
Bland-Altman bias and limits of agreement, MAE, worst error, band coverage, flag agreement,
and the pairing of report fields with the rendered truth on a hand-made report."""

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks" / "render"))

import validity as v  # noqa: E402
from specs import by_name  # noqa: E402


def test_agreement_known_answer() -> None:
    # differences 1, 3, -1, 5: mean 2, SD (n-1) sqrt(((-1)^2+1^2+(-3)^2+3^2)/3) = sqrt(20/3)
    a = v.agreement([11, 23, 29, 45], [10, 20, 30, 40])
    sd = math.sqrt(20 / 3)
    assert a["n"] == 4
    assert a["bias"] == pytest.approx(2.0)
    assert a["sd"] == pytest.approx(sd)
    assert a["loa_low"] == pytest.approx(2.0 - 1.96 * sd)
    assert a["loa_high"] == pytest.approx(2.0 + 1.96 * sd)
    assert a["mae"] == pytest.approx(2.5)  # (1 + 3 + 1 + 5) / 4
    assert a["worst"] == pytest.approx(5.0)


def test_agreement_worst_keeps_its_sign_and_bias_can_hide_errors() -> None:
    a = v.agreement([0.0, 0.0], [4.0, -4.0])  # differences -4, +4: no bias, MAE 4
    assert a["bias"] == pytest.approx(0.0)
    assert a["mae"] == pytest.approx(4.0)
    assert abs(a["worst"]) == pytest.approx(4.0)
    b = v.agreement([1.0, 2.0, -7.0], [0.0, 0.0, 0.0])
    assert b["worst"] == pytest.approx(-7.0)
    assert b["sd"] == pytest.approx(math.sqrt(((1 + 4 / 3) ** 2 + (2 + 4 / 3) ** 2 + (-7 + 4 / 3) ** 2) / 2))


def test_agreement_one_pair_has_no_limits_and_none_has_nothing() -> None:
    a = v.agreement([3.0], [1.0])
    assert a["n"] == 1 and a["bias"] == pytest.approx(2.0) and a["sd"] is None and a["loa_low"] is None
    e = v.agreement([], [])
    assert e["n"] == 0 and e["mae"] is None and e["worst"] is None
    with pytest.raises(ValueError):
        v.agreement([1.0, 2.0], [1.0])


def test_inside_band_half_width_and_interval() -> None:
    assert v.inside_band(10.0, 12.0, 2.0) is True  # on the edge counts
    assert v.inside_band(10.0, 12.5, 2.0) is False
    assert v.inside_band(10.0, 12.0, [9.0, 13.0]) is True  # an interval for the true value
    assert v.inside_band(10.0, 8.0, [9.0, 13.0]) is False
    assert v.inside_band(10.0, 12.0, None) is None
    assert v.inside_band(10.0, 12.0, "absent") is None


def _row(measured: float | None, true: float, band: object) -> dict:
    return {"measured": measured, "true": true, "band": band}


def test_coverage_counts_given_numbers_with_a_band() -> None:
    rows = [_row(10, 11, 2), _row(10, 13, 2), _row(5, 5.5, [5, 6]), _row(None, 3, "absent"), _row(1, 9, None)]
    assert v.coverage(rows) == {"inside": 2, "with_band": 3, "no_band": 1}
    # this build prints no band at all: "n/a", not 0 %
    assert v.coverage([_row(1, 2, "absent"), _row(None, 2, "absent")]) is None
    assert v.NO_BAND in v.cells([_row(1, 2, "absent"), _row(3, 2, "absent")], "°", flags=False)


def test_flag_agreement_scores_clear_cases_and_counts_borderline_apart() -> None:
    rows = [
        {"flag_expected": True, "flag": True},
        {"flag_expected": True, "flag": False},  # missed
        {"flag_expected": False, "flag": False},
        {"flag_expected": False, "flag": True, "flag_borderline": True},  # says it cannot tell
        {"flag_expected": True, "flag": None},  # withheld
        {"flag_expected": None, "flag": True},  # in between: not scored
    ]
    assert v.flag_agreement(rows) == {"clear": 5, "right": 2, "wrong": 1, "borderline": 1, "withheld": 1}
    assert v.flag_cell(v.flag_agreement(rows)) == "2/3 right (1 wrong, 1 borderline, 1 withheld)"


def test_cells_withheld_share_and_table_values() -> None:
    rows = [_row(11, 10, "absent"), _row(19, 20, "absent"), _row(None, 5, "absent"), _row(None, 6, "absent")]
    given, withheld, bias, mae, loa, worst, band = v.cells(rows, "°", flags=False)
    assert given == "2/4" and withheld == "50 %"
    assert bias == "+0.0°" and mae == "1.0°" and worst in ("+1.0°", "−1.0°")
    assert loa == f"−{1.96 * math.sqrt(2):.1f} … +{1.96 * math.sqrt(2):.1f}°"


def test_reason_key_merges_reasons_that_differ_only_in_figures() -> None:
    a = v.reason_key("withheld: the body is turned about 12 deg from the camera")
    b = v.reason_key("withheld: the body is turned about 7.5 deg from the camera")
    assert a == b == "withheld: the body is turned about # deg from the camera"
    assert v.reason_key(None) == "no reason given"
    assert len(v.reason_key("word " * 100, limit=30)) <= 32


def _truth_two_knees() -> dict:
    """A 1-rep squat truth: 11 frames, the left knee's square-view FPPA rising to 20 deg at
    the bottom (progress 1), the right staying at -2 deg; hip shift 30 % of the hip width."""
    prog = [0, 0.2, 0.4, 0.6, 0.8, 1.0, 0.8, 0.6, 0.4, 0.2, 0]
    return {
        "time_s": [i / 10 for i in range(11)],
        "working_side": None,
        "series": {"progress": prog, "left_fppa_deg": [20 * p for p in prog], "right_fppa_deg": [-2.0] * 11},
        "reps": [{"index": 1, "start_s": 0.0, "bottom_s": 0.5, "end_s": 1.0,
                  "left": {"fppa_deg": 20.0, "fppa_camera_deg": 19.0, "valgus_expected": True},
                  "right": {"fppa_deg": -2.0, "fppa_camera_deg": -2.0, "valgus_expected": False},
                  "hip_shift_pct": 30.0, "hip_shift_cm": 5.0, "hip_shift_expected": True}],
    }


def test_screening_rows_pair_bottom_peak_depth_and_shift() -> None:
    report = {"reps": [{
        "index": 1, "bottom_s": 0.5, "complete": True, "view": "frontal", "depth_pct": 30.0,
        # left read at 12 % depth (40 % of the rep's depth): true there is 20 * 0.4 = 8 deg
        "left": {"fppa_deg": 9.0, "fppa_at_depth_pct": 12.0, "fppa_peak_deg": 18.5, "valgus": True,
                 "fppa_band_deg": 2.0, "fppa_peak_band_deg": 1.0},
        "right": {"fppa_deg": None, "fppa_peak_deg": None, "valgus": None,
                  "fppa_note": "withheld: the body is turned about 9 deg from the camera"},
        "hip_shift_pct": 26.0, "hip_shift": True, "hip_shift_band_pct": 5.0,
    }]}
    rows = v.screening_rows(by_name("squat-xbot-front"), _truth_two_knees(), report, "")
    by = {(r["kind"], r["side"]): r for r in rows}
    lb = by[("fppa_bottom", "left")]
    assert lb["true"] == pytest.approx(8.0) and lb["measured"] == 9.0 and lb["band"] == 2.0
    lp = by[("fppa_peak", "left")]
    assert lp["true"] == pytest.approx(20.0) and lp["flag_expected"] is True and lp["flag"] is True
    assert v.inside_band(lp["measured"], lp["true"], lp["band"]) is False  # 18.5 +- 1 misses 20
    rp = by[("fppa_peak", "right")]
    assert rp["measured"] is None and rp["flag_expected"] is False
    assert rp["withheld"] == "withheld: the body is turned about # deg from the camera"
    sh = by[("shift", None)]
    assert sh["true"] == 30.0 and sh["measured"] == 26.0 and sh["flag_expected"] is True and sh["band"] == 5.0
    assert sh["body turn"] == "0°" and sh["avatar"] == "Xbot" and sh["look"] == "default"


def test_screening_rows_without_a_report_withhold_everything_with_the_error() -> None:
    rows = v.screening_rows(by_name("squat-xbot-front"), _truth_two_knees(), None, "hipvision: error: no person found in 12 frames")
    assert rows and all(r["measured"] is None and r["withheld"] == "refused: no person found in # frames" for r in rows)
    assert all(r["band"] == "absent" for r in rows)


def test_rotation_rows_pair_peaks_and_name_missing_ones() -> None:
    truth = {"sides": {s: {"true_ir_deg": 30.0, "true_er_deg": None} for s in ("left", "right")}}
    report = {"sides": {"left": {"measured": True, "peak_ir_deg": 27.5, "peak_ir_band_deg": [25.0, 31.0]},
                        "right": {"measured": False, "peak_ir_deg": None}},
              "warnings": [{"code": "one_side_only"}]}
    rows = v.rotation_rows(by_name("seated-xbot-tilted"), truth, report, "")
    assert [(r["side"], r["direction"], r["measured"]) for r in rows] == [("left", "IR", 27.5), ("right", "IR", None)]
    assert v.inside_band(rows[0]["measured"], rows[0]["true"], rows[0]["band"]) is True
    assert rows[1]["withheld"] == "side not measured (warnings: one_side_only)"
    assert rows[0]["body turn"] == "+8°" and rows[0]["roll"] == "+5°" and rows[0]["camera height"] == "0.8 m"


def test_worst_where_names_the_clip_rep_and_side() -> None:
    rows = [{"clip": "a", "rep": 1, "side": "left", "measured": 1.0, "true": 0.0},
            {"clip": "b", "rep": 3, "side": "right", "measured": -6.0, "true": 0.0},
            {"clip": "c", "rep": 2, "side": "left", "measured": None, "true": 50.0}]
    assert v.worst_where(rows) == " (b, rep 3 right)"

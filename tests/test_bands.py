"""Error bands (hipvision.bands): known answers on synthetic sequences and properties."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from hipvision import bands
from hipvision.analyzers import get
from hipvision.api import analyze
from hipvision.config import DEFAULT_SETTINGS, BandSettings
from hipvision.flatten import flatten_report
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.synthetic import Move, Rep, rotation_clip, screening_clip
from hipvision.wording import borderline_sentence, with_band

B = BandSettings()


def knee(valgus_m: float, seed: int = 11) -> tuple[dict, float]:
    seq, truth = screening_clip("squat", [Rep(valgus_left_m=valgus_m)], noise_px=1.0, seed=seed)
    return analyze(seq, "squat")["reps"][0]["left"], truth.fppa[0]["left"]


# ------------------------------------------------------------------ known answers
def test_just_above_the_threshold_is_borderline_not_flagged() -> None:
    d, true = knee(0.05)
    assert 10.0 < true < 12.0  # truly just above the 10 deg threshold
    assert d["fppa_peak_deg"] > 10.0  # and measured above it
    assert d["fppa_peak_deg"] - 10.0 < d["fppa_peak_band_deg"]  # but within its band
    assert d["valgus"] is False and d["valgus_borderline"] is True
    text = get("squat").summary_text(analyze(screening_clip("squat", [Rep(valgus_left_m=0.05)], noise_px=1.0, seed=11)[0], "squat"))
    assert borderline_sentence("peak knee valgus", d["fppa_peak_deg"], 10.0, d["fppa_peak_band_deg"]) in text
    assert " border" in text and "VALG" not in text


def test_far_above_the_threshold_is_flagged() -> None:
    d, true = knee(0.10)
    assert true > 30.0
    assert d["fppa_peak_deg"] - 10.0 > d["fppa_peak_band_deg"]
    assert d["valgus"] is True and d["valgus_borderline"] is False


def test_far_below_the_threshold_is_neither() -> None:
    seq, _ = screening_clip("squat", [Rep(valgus_left_m=-0.06)], noise_px=1.0, seed=12)
    d = analyze(seq, "squat")["reps"][0]["left"]
    assert d["fppa_peak_deg"] < 10.0 - d["fppa_peak_band_deg"]
    assert d["valgus"] is False and d["valgus_borderline"] is False


def test_every_screening_number_has_a_band_and_summary_counts_borderline() -> None:
    seq, _ = screening_clip("squat", [Rep(valgus_left_m=0.05, hip_shift_m=0.03), Rep(valgus_right_m=0.10)], noise_px=1.0, seed=13)
    rep = analyze(seq, "squat")
    for r in rep["reps"]:
        for s in ("left", "right"):
            assert r[s]["fppa_band_deg"] >= B.fppa_base("squat")
            assert r[s]["fppa_peak_band_deg"] >= B.fppa_base("squat")
        assert r["hip_shift_band_pct"] >= B.shift_base("squat")
        assert isinstance(r["hip_shift_borderline"], bool)
    sm = rep["summary"]
    assert sm["valgus_borderline_reps"] == {
        s: sum(bool(r[s]["valgus_borderline"]) for r in rep["reps"]) for s in ("left", "right")
    }
    assert sm["valgus_borderline_reps"]["left"] >= 1 and sm["valgus_reps"]["right"] == 1
    assert "band_basis" in rep and "FPPA" in rep["band_basis"]
    rows = {(r.metric, r.side, r.rep): r.value for r in flatten_report(rep)}
    assert rows[("fppa_band_deg", "left", 1)] == rep["reps"][0]["left"]["fppa_band_deg"]
    assert rows[("valgus_borderline", "left", 1)] == 1.0
    assert rows[("hip_shift_band_pct", "", 1)] == rep["reps"][0]["hip_shift_band_pct"]
    row = get("squat").summary_row(rep)
    assert row["left_valgus_borderline_reps"] == sm["valgus_borderline_reps"]["left"]
    assert row["right_worst_fppa_band_deg"] == rep["reps"][1]["right"]["fppa_peak_band_deg"]


def test_doubtful_landmarks_at_the_hold_widen_the_rotation_band() -> None:
    moves = [Move("left", 35), Move("right", 30)]
    clean_seq, _ = rotation_clip("seated", moves, noise_px=1.0, seed=21)
    good = analyze(clean_seq, "seated")
    # the same clip with the pose model unsure of the left leg (visibility 0.6) throughout
    vis = clean_seq.visibility.copy()
    for p in ("left_knee", "left_ankle"):
        vis[:, LANDMARK_INDEX[p]] = 0.6
    poor = analyze(replace(clean_seq, visibility=vis), "seated")
    g, p = good["sides"]["left"], poor["sides"]["left"]
    assert p["peak_ir_deg"] == pytest.approx(g["peak_ir_deg"], abs=0.5)  # same number ...
    assert p["peak_ir_band_deg"] > g["peak_ir_band_deg"] + 5.0  # ... far less certain
    assert poor["sides"]["right"]["peak_ir_band_deg"] == pytest.approx(good["sides"]["right"]["peak_ir_band_deg"], abs=0.2)
    # the asymmetry's band follows the two sides' bands
    for rep in (good, poor):
        a = rep["asymmetry"]["ir"]
        assert a["band_deg"] == pytest.approx(math.hypot(rep["sides"]["left"]["peak_ir_band_deg"], rep["sides"]["right"]["peak_ir_band_deg"]), abs=0.11)
        assert a["measurement_error_deg"] == a["band_deg"]


def test_tracker_changes_the_rotation_band() -> None:
    seq, _ = rotation_clip("prone", [Move("left", 30), Move("left", -30)], noise_px=1.0, seed=22)
    rep = analyze(seq, "prone")
    model = rep["sides"]["left"]["peak_ir_band_deg"]
    rep["tracking"] = {"mode": "markers", "checks": {}}
    bands.annotate_rotation(rep, DEFAULT_SETTINGS)
    assert rep["sides"]["left"]["peak_ir_band_deg"] < model
    assert "markers" in rep["band_basis"]


def test_norm_verdict_is_borderline_near_an_edge() -> None:
    seq, _ = rotation_clip("seated", [Move("left", 32), Move("right", 40)], noise_px=1.0, seed=23)
    rep = analyze(seq, "seated")
    n = rep["sides"]["left"]["norms"]["ir"]
    assert abs(n["value_deg"] - 30.0) <= n["value_band_deg"] and n["verdict"] == "borderline"
    text = get("seated").summary_text(rep)
    assert f"left IR {with_band(n['value_deg'], n['value_band_deg'])} is borderline for 30-45°" in text


def test_worse_view_wider_fppa_band() -> None:
    base = bands.fppa_band(test="squat", b=B, turn_effect_deg=3.0)
    assert bands.fppa_band(test="squat", b=B, turn_effect_deg=10.0) > base
    assert bands.fppa_band(test="squat", b=B, turn_effect_deg=3.0, doubtful_pct=20.0) > base
    assert bands.fppa_band(test="squat", b=B, turn_effect_deg=3.0, read_above_bottom=True) > base
    assert bands.fppa_band(test="squat", b=B, turn_effect_deg=3.0, confidence=0.6) > base
    assert bands.fppa_band(test="single-leg-squat", b=B, turn_effect_deg=3.0) > base
    assert bands.hip_shift_band(test="squat", b=B, turn_deg=15.0) > bands.hip_shift_band(test="squat", b=B, turn_deg=2.0)


def test_no_bands_gives_the_bare_thresholds() -> None:
    seq, _ = screening_clip("squat", [Rep(valgus_left_m=0.05)], noise_px=1.0, seed=11)
    d = analyze(seq, "squat", settings=replace(DEFAULT_SETTINGS, bands=bands.no_bands()))["reps"][0]["left"]
    assert d["fppa_peak_band_deg"] == 0.0 and d["valgus"] is True and d["valgus_borderline"] is False


# ------------------------------------------------------------------ properties
term = st.floats(0.0, 50.0, allow_nan=False)


@given(st.floats(0.0, 20.0, allow_nan=False), st.lists(term, max_size=6), st.integers(0, 5), term)
def test_combine_is_at_least_the_base_and_monotone(base: float, terms: list[float], i: int, extra: float) -> None:
    b = bands.combine(base, *terms)
    assert b >= base - 1e-12
    bigger = list(terms) + [0.0] * (i + 1 - len(terms)) if i >= len(terms) else list(terms)
    bigger[i] = bigger[i] + extra
    assert bands.combine(base, *bigger) >= b - 1e-9


@hsettings(max_examples=60)
@given(
    st.floats(0.0, 90.0), st.floats(-30.0, 30.0), st.sampled_from(["high", "medium", "low"]),
    st.floats(0.3, 1.0), term, term, st.sampled_from(["model", "markers", "assisted"]), st.sampled_from(["seated", "prone"]),
    st.integers(0, 4), st.floats(0.1, 30.0),
)
def test_rotation_band_monotone_in_each_term(value, roll, vconf, conf, doubt, swap, tracker, test, which, step) -> None:
    kw = dict(value=value, test=test, tracker=tracker, b=B, roll_deg=roll, vertical_confidence=vconf,
              confidence=conf, doubtful_pct=doubt, swapped_pct=swap, hold_doubtful_pct=doubt)
    band = bands.rotation_peak_band(**kw)
    assert band >= B.rotation_base(test, tracker)
    worse = dict(kw)
    key = ("value", "roll_deg", "doubtful_pct", "swapped_pct", "hold_doubtful_pct")[which]
    worse[key] = (abs(worse[key]) if key != "value" else worse[key]) + step
    if key == "roll_deg":
        worse[key] = abs(roll) + step
    assert bands.rotation_peak_band(**worse) >= band - 1e-9
    assert bands.rotation_peak_band(**{**kw, "confidence": max(0.0, conf - 0.2)}) >= band - 1e-9
    order = ["high", "medium", "low"]
    lower = order[min(order.index(vconf) + 1, 2)]
    assert bands.rotation_peak_band(**{**kw, "vertical_confidence": lower}) >= band - 1e-9


@given(st.floats(0.0, 40.0), st.floats(0.0, 40.0))
def test_asymmetry_band_at_least_each_side(a: float, b: float) -> None:
    d = bands.difference_band(a, b)
    assert d >= a - 1e-12 and d >= b - 1e-12


@given(st.floats(-60.0, 60.0), st.floats(0.0, 30.0), st.floats(0.0, 20.0))
def test_judge_flags_only_beyond_the_band(value: float, threshold: float, band: float) -> None:
    j = bands.judge(value, threshold, band)
    if j == "flag":
        assert value > threshold + band
    elif j == "borderline":
        assert abs(value - threshold) <= band + 1e-6
    else:
        assert value < threshold - band
    # a wider band never turns borderline into a flag
    if j != "flag":
        assert bands.judge(value, threshold, band + 1.0) != "flag"


@given(st.floats(-40.0, 40.0), st.floats(0.0, 15.0), st.floats(0.0, 15.0))
def test_asymmetry_verdict_uses_the_band_both_ways(diff: float, band: float, extra: float) -> None:
    v = bands.asymmetry_verdict(diff, 10.0, band)
    if v == "equal":
        assert abs(diff) < 10.0 - band
    elif v == "not equal":
        assert abs(diff) > 10.0 + band
    # wider band: never more decisive
    wider = bands.asymmetry_verdict(diff, 10.0, band + extra)
    assert wider == v or wider == "borderline"


def test_read_confidence_is_the_weakest_landmark_median() -> None:
    vis = np.array([[0.9, 0.5, 1.0], [0.8, 0.7, 1.0], [np.nan, 0.6, 1.0]])
    assert bands.read_confidence(vis, np.array([True, True, True]), [0, 1]) == pytest.approx(0.6)
    assert bands.read_confidence(vis, np.array([False, False, False]), [0, 1]) is None


@hsettings(max_examples=60)
@given(
    st.sampled_from(["squat", "single-leg-squat", "hinge", "single-leg-hinge"]), st.floats(0.0, 20.0), st.booleans(),
    st.floats(0.3, 1.0), term, st.booleans(), st.integers(0, 3), st.floats(0.1, 20.0),
)
def test_screening_bands_monotone_in_each_term(test, effect, above, conf, doubt, rep_doubt, which, step) -> None:
    kw = dict(test=test, b=B, turn_effect_deg=effect, read_above_bottom=above, confidence=conf,
              doubtful_pct=doubt, rep_doubtful=rep_doubt)
    band = bands.fppa_band(**kw)
    assert band >= B.fppa_base(test)
    key = ("turn_effect_deg", "doubtful_pct", "confidence", "read_above_bottom")[which]
    worse = {**kw, key: (True if key == "read_above_bottom" else max(0.0, conf - step / 40) if key == "confidence" else kw[key] + step)}
    assert bands.fppa_band(**worse) >= band - 1e-9
    skw = dict(test=test, b=B, turn_deg=effect, confidence=conf, doubtful_pct=doubt, rep_doubtful=rep_doubt)
    shift = bands.hip_shift_band(**skw)
    assert shift >= B.shift_base(test)
    assert bands.hip_shift_band(**{**skw, "turn_deg": effect + step}) >= shift - 1e-9
    assert bands.hip_shift_band(**{**skw, "stance_knee_withheld": True}) >= shift - 1e-9

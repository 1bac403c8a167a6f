"""Single-leg squats: the stance knee's FPPA is withheld where the free leg hides it
(hipvision.stance_leg), and measured where the view is clear."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, strategies as st

from hipvision.api import analyze
from hipvision.config import DEFAULT_SETTINGS
from hipvision.landmarks import LANDMARK_INDEX
from hipvision.sequence import PoseSequence
from hipvision.stance_leg import free_leg_gap, hidden_share, point_segment_distance, standing_leg_length
from hipvision.synthetic import Rep, frontal_camera, screening_clip

SETTINGS = DEFAULT_SETTINGS  # the synthetic body is square on: the turn rule never fires here
REPS = [Rep(), Rep(valgus_left_m=0.05), Rep(valgus_left_m=0.07)]


def codes(rep: dict) -> set[str]:
    return {w["code"] for w in rep["warnings"]}


def _cross_free_leg(seq: PoseSequence, free: str, stance: str, reach: float) -> PoseSequence:
    """The free leg's knee and ankle moved towards the stance knee in the image as the
    person goes down: at the deepest frame they lie ``reach`` of the way from where they
    hang to the stance knee (1 = right in front of it)."""
    xy = seq.xy.copy()
    hip_y = (xy[:, LANDMARK_INDEX["left_hip"], 1] + xy[:, LANDMARK_INDEX["right_hip"], 1]) / 2
    progress = (hip_y - hip_y.min()) / (hip_y.max() - hip_y.min())
    sk = xy[:, LANDMARK_INDEX[f"{stance}_knee"]]
    for part in ("knee", "ankle"):
        j = LANDMARK_INDEX[f"{free}_{part}"]
        xy[:, j, 0] += reach * progress * (sk[:, 0] - xy[:, LANDMARK_INDEX[f"{free}_knee"], 0])
    return replace(seq, xy=xy)


def test_clear_view_is_measured_within_1_deg() -> None:
    # camera at knee height, where the truth's ideal camera stands: nothing but the rule
    seq, truth = screening_clip("single-leg-squat", REPS, camera=frontal_camera(height=0.5), seed=3)
    rep = analyze(seq, "single-leg-squat", settings=SETTINGS)
    assert "fppa_withheld_free_leg" not in codes(rep)
    assert len(rep["reps"]) == len(REPS)
    for r, f in zip(rep["reps"], truth.fppa):
        assert r["left"]["fppa_deg"] == pytest.approx(f["left"], abs=1.0), (r["left"], f)
        assert "fppa_note" not in r["left"]


def test_free_leg_in_front_of_the_stance_knee_is_withheld_with_the_reason() -> None:
    seq, truth = screening_clip("single-leg-squat", REPS, camera=frontal_camera(height=0.5), seed=3)
    rep = analyze(_cross_free_leg(seq, "right", "left", 0.9), "single-leg-squat", settings=SETTINGS)
    assert len(rep["reps"]) == len(REPS)  # reps and hip shift are unaffected
    for r in rep["reps"]:
        d = r["left"]
        assert d["fppa_deg"] is None and d["valgus"] is None and "fppa_peak_deg" not in d
        assert d["fppa_note"].startswith("withheld: the free leg hides the stance knee at the deepest point")
        assert r["hip_shift_pct"] is not None
    w = next(w for w in rep["warnings"] if w["code"] == "fppa_withheld_free_leg")
    assert w["value"] == len(REPS) and "reps 1, 2, 3" in w["message"]
    assert rep["summary"]["worst_rep"] is None and rep["summary"]["left_fppa_mean_deg"] is None


def test_free_leg_that_stays_clear_is_not_withheld() -> None:
    # drawn in, but stopping well short of the stance knee (still a quarter of a leg away)
    seq, truth = screening_clip("single-leg-squat", REPS[:1], camera=frontal_camera(height=0.5), seed=3)
    rep = analyze(_cross_free_leg(seq, "right", "left", 0.15), "single-leg-squat", settings=SETTINGS)
    assert rep["reps"][0]["left"]["fppa_deg"] == pytest.approx(truth.fppa[0]["left"], abs=1.0)


def test_right_stance_leg_and_the_threshold_setting() -> None:
    seq, _ = screening_clip("single-leg-squat", REPS[:1], camera=frontal_camera(height=0.5), working_side="right", seed=4)
    crossed = _cross_free_leg(seq, "left", "right", 0.9)
    rep = analyze(crossed, "single-leg-squat", settings=SETTINGS)
    assert rep["working_side"] == "right" and rep["reps"][0]["right"]["fppa_deg"] is None
    # the rule off (a gap of 0 never occurs): measured again
    off = replace(SETTINGS, screening=replace(SETTINGS.screening, stance_knee_min_gap=0.0))
    assert analyze(crossed, "single-leg-squat", settings=off)["reps"][0]["right"]["fppa_deg"] is not None


def test_two_legged_squats_are_untouched() -> None:
    seq, _ = screening_clip("squat", [Rep(valgus_left_m=0.09, valgus_right_m=0.09)], seed=2)
    assert "fppa_withheld_free_leg" not in codes(analyze(seq, "squat"))


def test_gap_known_answers() -> None:
    knee = np.array([[0.0, 0.0], [10.0, 0.0], [np.nan, 0.0]])
    hip = np.tile([[30.0, -50.0]], (3, 1))
    fk = np.tile([[30.0, 0.0]], (3, 1))
    fa = np.tile([[30.0, 40.0]], (3, 1))
    g = free_leg_gap(knee, hip, fk, fa, 20.0)
    assert g[0] == pytest.approx(1.5) and g[1] == pytest.approx(1.0) and np.isnan(g[2])
    assert np.isnan(free_leg_gap(knee, hip, fk, fa, float("nan"))).all()
    # the stance knee on the free leg (the model's legs swapped or merged) reads 0
    assert free_leg_gap(fk, hip, fk, fa, 20.0)[0] == 0.0
    # unknown gaps (a leg left out by the plausibility gate) count neither way
    assert hidden_share(np.array([0.1, 2.0, np.nan, 0.1]), np.array([True, True, True, False]), 0.18) == pytest.approx(1 / 2)
    assert hidden_share(g, np.zeros(3, bool), 0.18) is None
    assert hidden_share(np.array([np.nan, np.nan]), np.ones(2, bool), 0.18) is None
    assert standing_leg_length(np.array([[0.0, 0], [0, 0]]), np.array([[0.0, 60], [5, 5]]), np.array([True, False])) == 60.0
    assert np.isnan(standing_leg_length(np.full((2, 2), np.nan), np.zeros((2, 2)), np.ones(2, bool)))


coord = st.floats(-500, 500, allow_nan=False)


@given(st.lists(coord, min_size=6, max_size=6), st.floats(0.1, 10), st.floats(-300, 300), st.floats(-300, 300))
def test_distance_is_euclidean_and_similarity_invariant(c: list[float], k: float, dx: float, dy: float) -> None:
    p, a, b = (np.array([c[i : i + 2]]) for i in (0, 2, 4))
    d = point_segment_distance(p, a, b)[0]
    # never more than to either end, never less than to the infinite line
    assert d <= min(np.hypot(*(p - a)[0]), np.hypot(*(p - b)[0])) + 1e-9
    # moving and scaling the picture (and the hip width with it) leaves the gap alone
    shift = np.array([[dx, dy]])
    g0 = free_leg_gap(p, a, b, b, 50.0)[0]
    g1 = free_leg_gap(k * p + shift, k * a + shift, k * b + shift, k * b + shift, 50.0 * k)[0]
    assert g1 == pytest.approx(g0, rel=1e-6, abs=1e-6)


def test_single_leg_hinge_is_untouched() -> None:
    # the free leg swings back, behind the stance knee: it cannot hide it from the front
    seq, _ = screening_clip("single-leg-hinge", REPS, camera=frontal_camera(height=0.5), seed=3)
    rep = analyze(_cross_free_leg(seq, "right", "left", 0.9), "single-leg-hinge", settings=SETTINGS)
    assert "fppa_withheld_free_leg" not in codes(rep)

"""Interactive charts (Altair / Vega-Lite, which ships with Streamlit) built from a report
and its per-frame series. Pure functions: report dict + DataFrame in, chart out.

Colours follow the annotated video: the person's left is orange, right is blue.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from ..analyzers.rotation.schema import RotationReport
from ..analyzers.screening.schema import ScreeningReport
from ..config import DEFAULT_SETTINGS
from ..wording import fppa_caveat

SIDE_COLORS = {
    "left": "#%02x%02x%02x" % DEFAULT_SETTINGS.render.left_color,
    "right": "#%02x%02x%02x" % DEFAULT_SETTINGS.render.right_color,
}
_SIDE_SCALE = alt.Scale(domain=["left", "right"], range=[SIDE_COLORS["left"], SIDE_COLORS["right"]])


def series_frame(rows: list[tuple], columns: tuple[str, ...]) -> pd.DataFrame:
    """The per-frame series as a DataFrame (``None`` -> NaN)."""
    return pd.DataFrame(rows, columns=list(columns)).astype(float)


def rotation_chart(report: dict[str, Any] | RotationReport, series: pd.DataFrame) -> alt.LayerChart:
    """Shin angle over time per side (+ = IR, foot lateral; - = ER), the held peaks as
    points, and the norm bands (IR above zero, ER below) shaded. A side's line stops where
    the series has no angle (leg not seen, frame rejected) instead of joining the ends."""
    long = series.melt("time_s", ["left_deg", "right_deg"], var_name="side", value_name="angle_deg")
    long["side"] = long["side"].str.replace("_deg", "", regex=False)
    long = gapped(long, "angle_deg", "side")
    base = alt.Chart(long).encode(
        x=alt.X("time_s:Q", title="time (s)"),
        y=alt.Y("angle_deg:Q", title="shin angle (°, + = IR, − = ER)"),
        color=alt.Color("side:N", scale=_SIDE_SCALE, title="side (person's)"),
    )
    lines = base.mark_line().encode(detail="stretch:N", tooltip=["side", alt.Tooltip("time_s", format=".2f"), alt.Tooltip("angle_deg", format=".1f")])
    layers: list[alt.Chart] = []
    report = RotationReport.coerce(report)
    bands = _norm_bands(report)
    if not bands.empty:
        layers.append(
            alt.Chart(bands)
            .mark_rect(opacity=0.12, color="#2e7d32")
            .encode(y="low:Q", y2="high:Q", tooltip=["label"])
        )
    layers.append(alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#888").encode(y="y:Q"))
    layers.append(lines)
    peaks = _held_peaks(report)
    if not peaks.empty:
        layers.append(
            alt.Chart(peaks)
            .mark_point(size=90, filled=True, shape="diamond")
            .encode(
                x="time_s:Q",
                y="angle_deg:Q",
                color=alt.Color("side:N", scale=_SIDE_SCALE),
                tooltip=["side", "label", alt.Tooltip("angle_deg", format=".1f")],
            )
        )
    return alt.layer(*layers).properties(height=320).interactive(bind_y=False)


def _norm_bands(report: RotationReport) -> pd.DataFrame:
    rows = []
    side = report.sides.left  # the bands are the same for both sides
    for key, sign in (("ir", 1.0), ("er", -1.0)):
        n = side.norms.ir if key == "ir" else side.norms.er
        if n and n.band_deg:
            lo, hi = n.band_deg
            a, b = sorted((sign * lo, sign * hi))
            rows.append({"low": a, "high": b, "label": f"{key.upper()} norm {lo:g}–{hi:g}°"})
    return pd.DataFrame(rows)


def _held_peaks(report: RotationReport) -> pd.DataFrame:
    rows = []
    for name in ("left", "right"):
        side = report.sides.of(name)
        for key, sign in (("ir", 1.0), ("er", -1.0)):
            v, held = side.value(key), side.held(key)  # type: ignore[arg-type]
            if v is not None and held:
                rows.append({"side": name, "time_s": held.at_s, "angle_deg": sign * v, "label": f"held peak {key.upper()}"})
    return pd.DataFrame(rows)


def gapped(long: pd.DataFrame, value: str, by: str) -> pd.DataFrame:
    """``long`` without the rows where ``value`` is missing, and a ``stretch`` column naming
    each unbroken run per ``by`` group: drawn as ``detail``, a line stops at a gap instead of
    joining its two ends."""
    missing = long[value].isna()
    stretch = missing.groupby(long[by]).cumsum()
    out = long.assign(stretch=long[by].astype(str) + "-" + stretch.astype(str))
    return out[~missing]


def screening_time_chart(report: dict[str, Any] | ScreeningReport, series: pd.DataFrame) -> alt.LayerChart:
    """FPPA per knee over time (+ = valgus) with the valgus threshold and each rep's bottom.
    The series has no FPPA where it has no meaning (thigh foreshortened, see
    :func:`hipvision.analyzers.screening.analysis.fppa_measurable`): the lines break there."""
    long = series.melt("time_s", ["left_fppa_deg", "right_fppa_deg"], var_name="side", value_name="fppa_deg")
    long["side"] = long["side"].str.replace("_fppa_deg", "", regex=False)
    long = gapped(long, "fppa_deg", "side")
    report = ScreeningReport.coerce(report)
    thr = _threshold(report)
    layers: list[alt.Chart] = [
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("time_s:Q", title="time (s)"),
            y=alt.Y("fppa_deg:Q", title="knee FPPA (°, + = valgus)"),
            color=alt.Color("side:N", scale=_SIDE_SCALE, title="knee (person's)"),
            detail="stretch:N",
            tooltip=["side", alt.Tooltip("time_s", format=".2f"), alt.Tooltip("fppa_deg", format=".1f")],
        ),
        alt.Chart(pd.DataFrame({"y": [thr], "label": [f"valgus threshold {thr:g}°"]}))
        .mark_rule(color="#c62828", strokeDash=[6, 4])
        .encode(y="y:Q", tooltip=["label"]),
    ]
    bottoms = pd.DataFrame([{"time_s": r.bottom_s, "rep": r.index} for r in report.reps])
    if not bottoms.empty:
        layers.append(alt.Chart(bottoms).mark_rule(color="#999", strokeDash=[2, 3]).encode(x="time_s:Q", tooltip=["rep"]))
    return alt.layer(*layers).properties(height=280).interactive(bind_y=False)


def _threshold(report: ScreeningReport) -> float:
    """The report's valgus threshold (the default for a report without one)."""
    return float(report.thresholds.fppa_valgus_deg if report.has("thresholds") else DEFAULT_SETTINGS.screening.fppa_threshold())


def screening_rep_chart(report: dict[str, Any] | ScreeningReport) -> alt.LayerChart | None:
    """FPPA per rep and knee as grouped bars, with the valgus threshold; None without reps."""
    report = ScreeningReport.coerce(report)
    rows = []
    for r in report.reps:
        for side in ("left", "right"):
            d = r.knee(side)
            if d and d.fppa_deg is not None:
                rows.append({"rep": r.index, "side": side, "fppa_deg": d.fppa_deg, "valgus": bool(d.valgus),
                             "read": fppa_caveat(d) or "at the bottom"})
    if not rows:
        return None
    thr = _threshold(report)
    bars = (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar()
        .encode(
            x=alt.X("rep:O", title="rep"),
            xOffset="side:N",
            y=alt.Y("fppa_deg:Q", title="FPPA per rep (°, + = valgus)"),
            color=alt.Color("side:N", scale=_SIDE_SCALE, title="knee (person's)"),
            stroke=alt.condition("datum.valgus", alt.value("#c62828"), alt.value(None)),
            strokeWidth=alt.value(2),
            tooltip=["rep", "side", alt.Tooltip("fppa_deg", format=".1f"), "read", "valgus"],
        )
    )
    rule = alt.Chart(pd.DataFrame({"y": [thr]})).mark_rule(color="#c62828", strokeDash=[6, 4]).encode(y="y:Q")
    return alt.layer(bars, rule).properties(height=240)


_PROGRESS_SCALE = alt.Scale(
    domain=["left", "right", "both"], range=[SIDE_COLORS["left"], SIDE_COLORS["right"], "#555555"]
)


def progress_chart(rows: list[dict[str, Any]], metric_title: str) -> alt.Chart:
    """Progress over sessions: ``rows`` have ``recorded_at`` (ISO text), ``side`` ("left",
    "right", or "both" for whole-body values) and ``value``."""
    df = pd.DataFrame(rows)
    df["recorded_at"] = pd.to_datetime(df["recorded_at"])
    return (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("recorded_at:T", title="session"),
            y=alt.Y("value:Q", title=metric_title),
            color=alt.Color("side:N", scale=_PROGRESS_SCALE, title="side (person's)"),
            tooltip=[alt.Tooltip("recorded_at:T"), "side", alt.Tooltip("value:Q", format=".1f")],
        )
        .properties(height=280)
    )

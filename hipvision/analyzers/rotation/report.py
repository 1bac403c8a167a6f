"""The rotation tests' section of the HTML report (:mod:`hipvision.report_html`): numbers,
charts, key frame."""

from __future__ import annotations

from html import escape
from typing import Any, Sequence

from ...config import Settings
from ...report_html import _column, _table
from ...svgplot import HBand, HLine, Line, Segment, line_chart
from ...wording import BAND_LEGEND, asymmetry_sentence, norm_sentence, with_band
from .schema import Measure, RotationReport


def key_frame_time(report: dict[str, Any] | RotationReport) -> float | None:
    """The moment worth showing: the largest held rotation peak. None when there is none."""
    rep = RotationReport.coerce(report)
    best: tuple[float, float] | None = None
    for side in (rep.sides.left, rep.sides.right):
        for key in ("ir", "er"):
            v, h = side.value(key), side.held(key)  # type: ignore[arg-type]
            if v is not None and h and h.at_s is not None and (best is None or v > best[0]):
                best = (v, h.at_s)
    return best[1] if best else None


_ROWS: tuple[tuple[Measure, str], ...] = (("ir", "Internal rotation (IR)"), ("er", "External rotation (ER)"), ("arc", "Total arc (IR + ER)"))


def _rotation_numbers(report: dict[str, Any] | RotationReport, settings: Settings) -> str:
    rep = RotationReport.coerce(report)
    rows = []
    for key, label in _ROWS:
        band = settings.rotation.band(rep.test, key)
        cells = [escape(label)]
        for s in ("left", "right"):
            d = rep.sides.of(s)
            v = d.value(key)
            norm = getattr(d.norms, key)
            verdict = norm.verdict if norm else None
            txt = "–" if v is None else escape(with_band(v, d.band(key)))
            if verdict:
                why = f' title="{escape(norm_sentence(s, key, norm))}"' if verdict == "borderline" else ""
                txt += f' <span class="verdict-{escape(verdict)}"{why}>({escape(verdict)})</span>'
            cells.append("#" + txt)
        cells.append(escape(f"{band.low:g}–{band.high:g}°") if band else "–")
        rows.append(cells)
    html = [_table(["", "Left", "Right", "Norm"], rows)]
    unmeasured = [s for s in ("left", "right") if not rep.sides.of(s).measured]
    if unmeasured:
        html.append(f'<p class="flag">Not measured: {", ".join(unmeasured)} side (knee and ankle not seen well enough).</p>')
    arows = []
    for key, label in (("ir", "IR"), ("er", "ER"), ("arc", "Total arc")):
        a = rep.asymmetry.of(key)  # type: ignore[arg-type]
        if not a or a.left_minus_right_deg is None:
            arows.append([label, "#–", "not compared (a side lacks the value)", "–"])
            continue
        cls = "ok" if a.verdict == "equal" else "flag"
        arows.append([
            label, "#" + escape(with_band(a.left_minus_right_deg, a.band_deg)), f'<span class="{cls}">{escape(asymmetry_sentence(a))}</span>',
            escape(a.lower_side or "–"),
        ])
    within = next((a.equal_within_deg for _, a in rep.asymmetry.items() if a), settings.rotation.equal_within_deg)
    html.append("<h2>Left–right comparison</h2>")
    html.append(_table(["", "Left − right", "Verdict", "Lower side"], arows))
    html.append(
        f'<p class="small">Sides within {within:g}° are usually called equal. Each difference carries its own error band '
        "(±, from the two sides' bands): a difference is called clear only when it exceeds "
        f"{within:g}° by more than its band, and equal only when it stays below {within:g}° by more than its band; "
        "otherwise it is borderline.</p>"
    )
    html.append(f'<p class="small">{escape(BAND_LEGEND)} Here: {escape(rep.band_basis or "")}.</p>')
    sources = "; ".join(b.source for t, k, b in settings.rotation.norms if t == rep.test)
    html.append(f'<p class="small">Norms: {escape(sources)}.</p>')
    vr = rep.vertical_reference
    if vr:
        html.append(
            f'<p class="small">Vertical reference: {escape(vr.method if vr.has("method") else "–")} '
            f'(confidence {escape(vr.confidence if vr.has("confidence") else "–")}).</p>'
        )
    return "\n".join(html)


def _rotation_plot(report: dict[str, Any] | RotationReport, series: tuple[Sequence[str], Sequence[Sequence[Any]]], settings: Settings) -> str:
    cols, rows = series
    t = [float(r[0]) for r in rows]
    rs = settings.render
    lines = [Line("left", t, _column(cols, rows, "left_deg"), rs.left_color), Line("right", t, _column(cols, rows, "right_deg"), rs.right_color)]
    bands, segs = [], []
    rep = RotationReport.coerce(report)
    ir, er = settings.rotation.band(rep.test, "ir"), settings.rotation.band(rep.test, "er")
    if ir:
        bands.append(HBand(ir.low, ir.high, (60, 160, 80), f"IR norm {ir.low:g}–{ir.high:g}"))
    if er:
        bands.append(HBand(-er.low, -er.high, (60, 120, 200), f"ER norm {er.low:g}–{er.high:g}"))
    thr = settings.rotation.attempt_threshold_deg
    hl = [HLine(thr, "#999999", f"±{thr:g}° attempt", "2 3"), HLine(-thr, "#999999", "", "2 3")]
    for s, color in (("left", rs.left_color), ("right", rs.right_color)):
        d = rep.sides.of(s)
        for key, sign in (("ir", 1), ("er", -1)):
            v, h = d.value(key), d.held(key)  # type: ignore[arg-type]
            if v is not None and h and h.from_s is not None:
                segs.append(Segment(h.from_s, h.to_s, sign * v, color, f"{s} held {'IR' if sign > 0 else 'ER'} {v:.1f}°"))
    return line_chart(
        lines, title="Shin angle over time (+ = internal rotation); thick strokes = held peaks",
        x_label="time (s)", y_label="angle (°)", bands=bands, hlines=hl, segments=segs,
        width=settings.report.plot_width, height=settings.report.plot_height,
    )

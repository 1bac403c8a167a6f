"""The rotation tests' section of the HTML report (:mod:`hipvision.report_html`): numbers,
charts, key frame."""

from __future__ import annotations

from html import escape
from typing import Any, Sequence

from ...config import Settings
from ...report_html import _column, _table
from ...svgplot import HBand, HLine, Line, Segment, line_chart
from ...wording import BAND_LEGEND, asymmetry_sentence, norm_sentence, with_band


def key_frame_time(report: dict[str, Any]) -> float | None:
    """The moment worth showing: the largest held rotation peak. None when there is none."""
    best: tuple[float, float] | None = None
    for side in (report.get("sides") or {}).values():
        for key, held in (("peak_ir_deg", "ir_held"), ("peak_er_deg", "er_held")):
            v, h = side.get(key), side.get(held)
            if v is not None and h and h.get("at_s") is not None and (best is None or v > best[0]):
                best = (v, h["at_s"])
    return best[1] if best else None


def _rotation_numbers(report: dict[str, Any], settings: Settings) -> str:
    sides = report.get("sides") or {}
    rows = []
    for key, label, value_key in (("ir", "Internal rotation (IR)", "peak_ir_deg"), ("er", "External rotation (ER)", "peak_er_deg"), ("arc", "Total arc (IR + ER)", "total_arc_deg")):
        band = settings.rotation.band(report["test"], key)
        cells = [escape(label)]
        for s in ("left", "right"):
            d = sides.get(s) or {}
            v = d.get(value_key)
            norm = (d.get("norms") or {}).get(key) or {}
            verdict = norm.get("verdict")
            txt = "–" if v is None else escape(with_band(v, d.get(value_key.replace("_deg", "_band_deg"))))
            if verdict:
                why = f' title="{escape(norm_sentence(s, key, norm))}"' if verdict == "borderline" else ""
                txt += f' <span class="verdict-{escape(verdict)}"{why}>({escape(verdict)})</span>'
            cells.append("#" + txt)
        cells.append(escape(f"{band.low:g}–{band.high:g}°") if band else "–")
        rows.append(cells)
    html = [_table(["", "Left", "Right", "Norm"], rows)]
    unmeasured = [s for s in ("left", "right") if not (sides.get(s) or {}).get("measured", True)]
    if unmeasured:
        html.append(f'<p class="flag">Not measured: {", ".join(unmeasured)} side (knee and ankle not seen well enough).</p>')
    asym = report.get("asymmetry") or {}
    arows = []
    for key, label in (("ir", "IR"), ("er", "ER"), ("arc", "Total arc")):
        a = asym.get(key)
        if not a or a.get("left_minus_right_deg") is None:
            arows.append([label, "#–", "not compared (a side lacks the value)", "–"])
            continue
        verdict = a.get("verdict", "")
        cls = "ok" if verdict == "equal" else "flag"
        arows.append([
            label, "#" + escape(with_band(a["left_minus_right_deg"], a.get("band_deg"))), f'<span class="{cls}">{escape(asymmetry_sentence(a))}</span>',
            escape(str(a.get("lower_side") or "–")),
        ])
    within = next((a.get("equal_within_deg") for a in asym.values() if a), settings.rotation.equal_within_deg)
    html.append("<h2>Left–right comparison</h2>")
    html.append(_table(["", "Left − right", "Verdict", "Lower side"], arows))
    html.append(
        f'<p class="small">Sides within {within:g}° are usually called equal. Each difference carries its own error band '
        "(±, from the two sides' bands): a difference is called clear only when it exceeds "
        f"{within:g}° by more than its band, and equal only when it stays below {within:g}° by more than its band; "
        "otherwise it is borderline.</p>"
    )
    html.append(f'<p class="small">{escape(BAND_LEGEND)} Here: {escape(str(report.get("band_basis", "")))}.</p>')
    sources = "; ".join(b.source for t, k, b in settings.rotation.norms if t == report["test"])
    html.append(f'<p class="small">Norms: {escape(sources)}.</p>')
    vr = report.get("vertical_reference") or {}
    if vr:
        html.append(
            f'<p class="small">Vertical reference: {escape(str(vr.get("method", "–")))} '
            f'(confidence {escape(str(vr.get("confidence", "–")))}).</p>'
        )
    return "\n".join(html)


def _rotation_plot(report: dict[str, Any], series: tuple[Sequence[str], Sequence[Sequence[Any]]], settings: Settings) -> str:
    cols, rows = series
    t = [float(r[0]) for r in rows]
    rs = settings.render
    lines = [Line("left", t, _column(cols, rows, "left_deg"), rs.left_color), Line("right", t, _column(cols, rows, "right_deg"), rs.right_color)]
    bands, segs = [], []
    ir, er = settings.rotation.band(report["test"], "ir"), settings.rotation.band(report["test"], "er")
    if ir:
        bands.append(HBand(ir.low, ir.high, (60, 160, 80), f"IR norm {ir.low:g}–{ir.high:g}"))
    if er:
        bands.append(HBand(-er.low, -er.high, (60, 120, 200), f"ER norm {er.low:g}–{er.high:g}"))
    thr = settings.rotation.attempt_threshold_deg
    hl = [HLine(thr, "#999999", f"±{thr:g}° attempt", "2 3"), HLine(-thr, "#999999", "", "2 3")]
    for s, color in (("left", rs.left_color), ("right", rs.right_color)):
        d = (report.get("sides") or {}).get(s) or {}
        for key, held, sign in (("peak_ir_deg", "ir_held", 1), ("peak_er_deg", "er_held", -1)):
            v, h = d.get(key), d.get(held)
            if v is not None and h and h.get("from_s") is not None:
                segs.append(Segment(h["from_s"], h["to_s"], sign * v, color, f"{s} held {'IR' if sign > 0 else 'ER'} {v:.1f}°"))
    return line_chart(
        lines, title="Shin angle over time (+ = internal rotation); thick strokes = held peaks",
        x_label="time (s)", y_label="angle (°)", bands=bands, hlines=hl, segments=segs,
        width=settings.report.plot_width, height=settings.report.plot_height,
    )

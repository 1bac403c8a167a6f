"""A small line-chart writer producing inline SVG text (no plotting library, no external
assets): lines with gaps, shaded horizontal bands (norms), horizontal reference lines
(thresholds), held-value segments and shaded time spans (reps)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from html import escape
from typing import Sequence

RGB = tuple[int, int, int]


_ids = itertools.count(1)  # unique clip-path ids within a page


def css_color(c: RGB | str) -> str:
    return c if isinstance(c, str) else "#{:02x}{:02x}{:02x}".format(*c)


@dataclass(frozen=True)
class Line:
    label: str
    xs: Sequence[float]
    ys: Sequence[float | None]  # None = missing (a gap in the line)
    color: RGB | str


@dataclass(frozen=True)
class HBand:
    y0: float
    y1: float
    color: RGB | str
    label: str = ""


@dataclass(frozen=True)
class HLine:
    y: float
    color: RGB | str
    label: str = ""
    dash: str = "5 4"


@dataclass(frozen=True)
class Segment:
    """A held value: a thick horizontal stroke from ``x0`` to ``x1`` at ``y``."""

    x0: float
    x1: float
    y: float
    color: RGB | str
    label: str = ""


@dataclass(frozen=True)
class VSpan:
    x0: float
    x1: float
    color: RGB | str
    label: str = ""
    opacity: float = 0.12


def nice_ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    """Round tick values covering lo..hi (about ``n`` of them)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(1, n - 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks, v = [], start
    while v <= hi + 1e-9 * step:
        ticks.append(round(v, 10))
        v += step
    if ticks[-1] < hi:
        ticks.append(round(v, 10))
    return ticks


def _fmt(v: float) -> str:
    return f"{v:g}"


def line_chart(
    lines: Sequence[Line],
    *,
    title: str,
    x_label: str,
    y_label: str,
    bands: Sequence[HBand] = (),
    hlines: Sequence[HLine] = (),
    segments: Sequence[Segment] = (),
    vspans: Sequence[VSpan] = (),
    width: int = 680,
    height: int = 240,
) -> str:
    """An ``<svg>`` element (text) of the chart. Axis ranges cover the data, the reference
    lines, the segments and the bands."""
    xs = [x for ln in lines for x, y in zip(ln.xs, ln.ys) if y is not None and math.isfinite(y)]
    ys = [y for ln in lines for y in ln.ys if y is not None and math.isfinite(y)]
    ys += [h.y for h in hlines] + [s.y for s in segments] + [v for b in bands for v in (b.y0, b.y1)]
    xs += [v for s in vspans for v in (s.x0, s.x1)]
    if not xs:
        xs = [0.0, 1.0]
    if not ys:
        ys = [0.0, 1.0]
    yt = nice_ticks(min(ys), max(ys))
    xt = nice_ticks(min(xs), max(xs), 8)
    x0, x1, y0, y1 = min(xs), max(xs), yt[0], yt[-1]
    if x1 <= x0:
        x1 = x0 + 1.0
    left, right, top, bottom = 52, 12, 34, 38
    pw, ph = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return top + (y1 - y) / (y1 - y0) * ph

    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="14" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#ffffff" stroke="#999999"/>',
    ]
    cid = f"plot{next(_ids)}"
    clip = f'<clipPath id="{cid}"><rect x="{left}" y="{top}" width="{pw}" height="{ph}"/></clipPath>'
    out.append(f"<defs>{clip}</defs>")
    body = [f'<g clip-path="url(#{cid})">']
    for s in vspans:
        body.append(
            f'<rect x="{px(s.x0):.1f}" y="{top}" width="{max(0.5, px(s.x1) - px(s.x0)):.1f}" height="{ph}" '
            f'fill="{css_color(s.color)}" fill-opacity="{s.opacity}"><title>{escape(s.label)}</title></rect>'
        )
    for b in bands:
        ya, yb = sorted((py(b.y0), py(b.y1)))
        body.append(
            f'<rect x="{left}" y="{ya:.1f}" width="{pw}" height="{yb - ya:.1f}" fill="{css_color(b.color)}" '
            f'fill-opacity="0.15"><title>{escape(b.label)}</title></rect>'
        )
    for y in yt:
        body.append(f'<line x1="{left}" x2="{left + pw}" y1="{py(y):.1f}" y2="{py(y):.1f}" stroke="#e4e4e4"/>')
    if y0 < 0 < y1:
        body.append(f'<line x1="{left}" x2="{left + pw}" y1="{py(0):.1f}" y2="{py(0):.1f}" stroke="#888888"/>')
    for h in hlines:
        body.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{py(h.y):.1f}" y2="{py(h.y):.1f}" stroke="{css_color(h.color)}" '
            f'stroke-dasharray="{h.dash}" stroke-width="1.2"><title>{escape(h.label)}</title></line>'
        )
    for ln in lines:
        run: list[str] = []
        segs: list[list[str]] = []
        for x, y in zip(ln.xs, ln.ys):
            if y is None or not math.isfinite(y):
                if run:
                    segs.append(run)
                run = []
                continue
            run.append(f"{px(x):.1f},{py(y):.1f}")
        if run:
            segs.append(run)
        for r in segs:
            pts = " ".join(r if len(r) > 1 else r * 2)
            body.append(f'<polyline points="{pts}" fill="none" stroke="{css_color(ln.color)}" stroke-width="1.6"/>')
    for s in segments:
        body.append(
            f'<line x1="{px(s.x0):.1f}" x2="{px(s.x1):.1f}" y1="{py(s.y):.1f}" y2="{py(s.y):.1f}" '
            f'stroke="{css_color(s.color)}" stroke-width="4" stroke-linecap="round"><title>{escape(s.label)}</title></line>'
        )
    body.append("</g>")
    out += body
    for y in yt:
        out.append(f'<text x="{left - 5}" y="{py(y) + 4:.1f}" text-anchor="end">{_fmt(y)}</text>')
    for x in xt:
        if x0 <= x <= x1:
            out.append(f'<text x="{px(x):.1f}" y="{top + ph + 14}" text-anchor="middle">{_fmt(x)}</text>')
    out.append(f'<text x="{left + pw / 2:.1f}" y="{height - 6}" text-anchor="middle">{escape(x_label)}</text>')
    out.append(
        f'<text x="12" y="{top + ph / 2:.1f}" text-anchor="middle" transform="rotate(-90 12 {top + ph / 2:.1f})">'
        f"{escape(y_label)}</text>"
    )
    # legend (top right): the lines, then labelled reference lines
    items = [(ln.label, ln.color, "line") for ln in lines] + [(h.label, h.color, "dash") for h in hlines if h.label]
    items += [(b.label, b.color, "band") for b in bands if b.label]
    lx = left + pw
    for label, color, kind in reversed(items):
        w = 7 * len(label) + 26
        lx -= w
        c = css_color(color)
        if kind == "band":
            out.append(f'<rect x="{lx:.0f}" y="19" width="16" height="9" fill="{c}" fill-opacity="0.3"/>')
        else:
            dash = ' stroke-dasharray="4 3"' if kind == "dash" else ""
            out.append(f'<line x1="{lx:.0f}" x2="{lx + 16:.0f}" y1="24" y2="24" stroke="{c}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{lx + 20:.0f}" y="28">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out)

"""A printable, self-contained HTML report of one analysis: title, person, date, test, the
numbers (per side with norms and the asymmetry verdict, or per rep with flags and the worst
rep highlighted), quality warnings, a key frame (embedded PNG) and the signal over time as
inline SVG. No external assets and no script: it opens offline and prints on A4 (the
browser's Print -> Save as PDF makes the PDF).

Left/right are the person's. Signs as in the report: rotation + = internal (foot lateral);
FPPA + = valgus; hip shift + = towards the person's left.
"""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .config import DEFAULT_SETTINGS, Settings
from .flatten import ROTATION_TESTS, SCREENING_TESTS
from .svgplot import HBand, HLine, Line, Segment, VSpan, line_chart
from .wording import (
    BAND_LEGEND, FPPA_CAVEAT_LEGEND, FPPA_DEFINITION, asymmetry_sentence, fppa_caveat, fppa_peak, has_fppa_caveat,
    knee_band_note, norm_sentence, shift_band_note, with_band,
)

TITLES = {
    "seated": "Seated hip rotation",
    "prone": "Prone hip rotation",
    "squat": "Squat screening",
    "single-leg-squat": "Single-leg squat screening",
    "hinge": "Hinge screening",
    "single-leg-hinge": "Single-leg hinge screening",
}

#: how to fix the recording, per warning code (where the analyzer's message does not say)
FIXES = {
    "one_side_only": "Film so both knees and ankles stay in the picture, with good light and no blanket or table edge over them.",
    "sides_assumed": "Place the camera as the test instructions show (in front for seated, at the feet for prone).",
    "no_neutral_start": "Start with both shins relaxed and hanging still for about a second, then rotate.",
    "no_movement": "Rotate each leg as far as it goes in both directions and hold each end position for about a second.",
    "shins_crossed": "Test external rotation one leg at a time, the other leg kept out of the way.",
    "one_direction_only": "Test both directions on each side: foot out (internal) and foot in (external).",
    "side_not_tested": "Rotate that leg too; hold each end position for about a second.",
    "left_frame": "Step back or widen the view so the whole body stays in the picture for every rep.",
    "multiple_people": "Film with only the person being tested in view.",
    "tracking_doubtful": "Check the annotated video. For the prone test put stickers on the shins (--track markers) or mark them on one frame (--track assisted).",
    "many_reps": "Record one set of up to 30 reps per clip.",
}

CSS = """
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b;
       max-width: 190mm; margin: 0 auto; padding: 8px; font-size: 10.5pt; line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 2px; }
h2 { font-size: 12.5pt; margin: 16px 0 6px; border-bottom: 1px solid #ccc; padding-bottom: 2px; }
.meta { color: #555; margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.worst td { background: #fff1d6; font-weight: 600; }
.flag { color: #b00020; font-weight: 600; }
.ok { color: #1d6b2c; }
.verdict-within { color: #1d6b2c; } .verdict-below, .verdict-above { color: #b00020; }
.verdict-borderline, .borderline { color: #8a5a00; }
.warn { background: #fff8e1; border-left: 4px solid #f0a500; padding: 4px 8px; margin: 4px 0; }
.keyframe { max-width: 100%; height: auto; border: 1px solid #ccc; }
figure { margin: 6px 0; } figcaption { color: #555; font-size: 9pt; }
svg.chart { max-width: 100%; height: auto; }
.small { color: #555; font-size: 9pt; }
section, figure, table { break-inside: avoid; page-break-inside: avoid; }
@media print { body { padding: 0; } .noprint { display: none; } }
"""


# ----------------------------------------------------------------------------- key frame
def key_frame_time(report: dict[str, Any]) -> float | None:
    """The moment worth showing: the largest held rotation peak, or the bottom of the worst
    (else the first) rep. None when the report has neither."""
    test = report.get("test")
    if test in ROTATION_TESTS:
        best: tuple[float, float] | None = None
        for side in (report.get("sides") or {}).values():
            for key, held in (("peak_ir_deg", "ir_held"), ("peak_er_deg", "er_held")):
                v, h = side.get(key), side.get(held)
                if v is not None and h and h.get("at_s") is not None and (best is None or v > best[0]):
                    best = (v, h["at_s"])
        return best[1] if best else None
    reps = report.get("reps") or []
    if not reps:
        return None
    worst = ((report.get("summary") or {}).get("worst_rep") or {}).get("index")
    rep = next((r for r in reps if r["index"] == worst), next((r for r in reps if r.get("complete", True)), reps[0]))
    return rep.get("bottom_s")


def key_frame_image(
    input: str | Path | None,
    seq: Any,
    run: Any,
    time_s: float,
    settings: Settings = DEFAULT_SETTINGS,
) -> np.ndarray | None:
    """The analysed frame nearest ``time_s`` with skeleton and analysis overlay (RGB). From
    the video when ``input`` is one (streamed up to that frame; faces blurred with
    ``settings.render.blur_faces``), else the pose drawn on a plain background. ``seq`` may
    be None: then the run's own landmarks (``run.pose``) are used, or a pose CSV input is
    read again. The pose model is never run here: a frame without landmarks gets the
    analysis overlay only."""
    from .api import is_pose_csv
    from .render import draw_pose

    if seq is None:
        seq = getattr(run, "pose", None)
    if seq is None and input is not None and is_pose_csv(input):
        from .posecsv import read_pose_csv

        seq = read_pose_csv(input)
    pose = None
    if seq is not None and len(seq):
        k = int(np.argmin(np.abs(np.asarray(seq.time_s) - time_s)))
        pose, frame_no = seq.frame_at(k), int(seq.frame[k])
    elif run is not None and len(getattr(run, "frame", ())):  # no landmarks: the run's own frames
        k = int(np.argmin(np.abs(np.asarray(run.time_s) - time_s)))
        frame_no = int(run.frame[k])
    else:
        return None
    image = None
    if input is not None and not is_pose_csv(input):
        from .sources import is_webcam, open_source

        if not is_webcam(str(input)):
            for fr in open_source(input, settings.source):
                if fr.index >= frame_no:
                    image = fr.image
                    break
    if image is not None and settings.render.blur_faces and pose is None:
        image = None  # no landmarks to place the blur: never show an unblurred face
    if image is None:
        if seq is None:
            return None
        w, h = seq.image_size
        image = np.full((h, w, 3), 48, np.uint8)
    elif pose is not None and settings.render.blur_faces:
        from .privacy import blur_faces

        image = blur_faces(image, pose, settings.render)
    if pose is not None:
        image = draw_pose(image, pose, settings.render)
    return run.draw(image, frame_no) if run is not None else image


def png_data_uri(image_rgb: np.ndarray, max_width: int = 720, max_height: int = 540) -> str:
    """``data:image/png;base64,...`` of an RGB image, scaled down to fit the maximum size."""
    import cv2

    img = np.ascontiguousarray(image_rgb[..., :3]).astype(np.uint8)
    h, w = img.shape[:2]
    scale = min(1.0, max_width / w, max_height / h)
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".png", cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError("could not encode the key frame as PNG")
    return "data:image/png;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


# ----------------------------------------------------------------------------- helpers
def _f(v: Any, unit: str = "°", digits: int = 1) -> str:
    if v is None:
        return "–"
    return f"{float(v):.{digits}f}{unit}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], row_classes: Sequence[str] | None = None) -> str:
    """Cells are HTML (escape before); a cell starting with '#' is right-aligned (number)."""
    out = ["<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        cls = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        cells = "".join(f'<td class="num">{c[1:]}</td>' if c.startswith("#") else f"<td>{c}</td>" for c in row)
        out.append(f"<tr{cls}>{cells}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _column(columns: Sequence[str], rows: Sequence[Sequence[Any]], name: str) -> list[float | None]:
    if name not in columns:
        return []
    i = list(columns).index(name)
    return [None if r[i] is None or r[i] == "" else float(r[i]) for r in rows]


# ----------------------------------------------------------------------------- rotation
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


# ----------------------------------------------------------------------------- screening
def _screening_numbers(report: dict[str, Any]) -> str:
    reps = report.get("reps") or []
    thr = report.get("thresholds") or {}
    sm = report.get("summary") or {}
    html = []
    if not reps:
        html.append(f'<p class="flag">No reps found. {escape(str(report.get("no_reps_reason", "")))}</p>')
        return "\n".join(html)
    worst = (sm.get("worst_rep") or {}).get("index")
    side_view = any(r.get("knee_flexion_deg") is not None or r.get("trunk_lean_deg") is not None for r in reps)
    header = ["Rep", "Depth", "View", "FPPA left", "FPPA right", "Hip shift"]
    if side_view:
        header += ["Knee flexion", "Trunk lean"]
    rows, classes = [], []
    for r in reps:
        cut = "" if r.get("complete", True) else f' <span class="flag" title="{escape(str(r.get("incomplete_reason") or ""))}">incomplete, not counted</span>'
        cells = [str(r["index"]) + (" (worst)" if r["index"] == worst else "") + cut, "#" + _f(r.get("depth_pct"), " %"), escape(str(r.get("view", "–")))]
        for s in ("left", "right"):
            d = r.get(s)
            if not d or d.get("fppa_deg") is None:
                cells.append("#–")
                continue
            flag = ' <span class="flag">valgus</span>' if d.get("valgus") else ' <span class="borderline">borderline</span>' if d.get("valgus_borderline") else ""
            notes = [n for n in (fppa_caveat(d) and f"bottom: {fppa_caveat(d)}", fppa_peak(d), knee_band_note(d, thr.get("fppa_valgus_deg", 0.0))) if n]
            cells.append("#" + escape(with_band(d["fppa_deg"], d.get("fppa_band_deg"))) + flag + "".join(f'<br><span class="small">{escape(n)}</span>' for n in notes))
        hs = r.get("hip_shift_pct")
        if hs is None:
            cells.append("#–")
        else:
            flag = ' <span class="flag">flag</span>' if r.get("hip_shift") else ' <span class="borderline">borderline</span>' if r.get("hip_shift_borderline") else ""
            note = shift_band_note(r, thr.get("hip_shift_pct", 0.0))
            cells.append(f"#{escape(with_band(abs(hs), r.get('hip_shift_band_pct'), ' %'))} to the {escape(str(r.get('hip_shift_toward')))}{flag}"
                         + (f'<br><span class="small">{escape(note)}</span>' if note else ""))
        if side_view:
            cells += ["#" + _f(r.get("knee_flexion_deg")), "#" + _f(r.get("trunk_lean_deg"))]
        rows.append(cells)
        classes.append("worst" if r["index"] == worst else "")
    html.append(_table(header, rows, classes))
    html.append(f'<p class="small">{escape(FPPA_DEFINITION)}</p>')
    html.append(f'<p class="small">{escape(BAND_LEGEND)} Here: {escape(str(report.get("band_basis", "")))}.</p>')
    if has_fppa_caveat(report):
        html.append(f'<p class="small">{escape(FPPA_CAVEAT_LEGEND)}</p>')
    vr = sm.get("valgus_reps") or {}
    html.append(
        "<p>"
        f"Reps: <b>{sm.get('reps', len(reps))}</b>"
        + (f" (plus {sm['reps_incomplete']} incomplete, not counted: "
           + escape("; ".join(f"rep {r['index']}, {r.get('incomplete_reason')}" for r in reps if not r.get("complete", True))) + ")"
           if sm.get("reps_incomplete") else "")
        + f". Valgus beyond {_f(thr.get('fppa_valgus_deg'))}: "
        f"left knee in <b>{vr.get('left', 0)}</b>, right knee in <b>{vr.get('right', 0)}</b> reps. "
        f"Hip shift beyond {_f(thr.get('hip_shift_pct'), ' %', 0)} of hip width in <b>{sm.get('hip_shift_reps', 0)}</b> reps. "
        + (f"Borderline (within the error band of the threshold, not flagged): valgus left {(sm.get('valgus_borderline_reps') or {}).get('left', 0)}, "
           f"right {(sm.get('valgus_borderline_reps') or {}).get('right', 0)}, hip shift {sm.get('hip_shift_borderline_reps', 0)} reps. "
           if sm.get("hip_shift_borderline_reps") or any((sm.get("valgus_borderline_reps") or {}).values()) else "")
        + 
        f"Mean FPPA left {_f(sm.get('left_fppa_mean_deg'))} (sd {_f(sm.get('left_fppa_sd_deg'))}), "
        f"right {_f(sm.get('right_fppa_mean_deg'))} (sd {_f(sm.get('right_fppa_sd_deg'))})."
        "</p>"
    )
    if sm.get("fppa_left_minus_right_deg") is not None:
        real = sm.get("fppa_side_difference_real")
        html.append(
            f"<p>Left − right FPPA {_f(sm['fppa_left_minus_right_deg'])}: "
            + ("<span class=\"flag\">a real difference</span>" if real else '<span class="ok">within the change that counts as real</span>')
            + "</p>"
        )
    html.append(
        '<p class="small">FPPA = frontal-plane projection angle of the knee, + = valgus (knee moves inward). '
        f"Thresholds: {escape(str(thr.get('sources', '')))}. {escape(str(thr.get('hip_shift_note', '')))}.</p>"
    )
    return "\n".join(html)


def _screening_plots(report: dict[str, Any], series: tuple[Sequence[str], Sequence[Sequence[Any]]], settings: Settings) -> list[str]:
    cols, rows = series
    t = [float(r[0]) for r in rows]
    rs = settings.render
    thr = report.get("thresholds") or {}
    worst = ((report.get("summary") or {}).get("worst_rep") or {}).get("index")
    spans = [
        VSpan(r["start_s"], r["end_s"], (240, 140, 0) if r["index"] == worst else (120, 120, 120), f"rep {r['index']}", 0.22 if r["index"] == worst else 0.1)
        for r in report.get("reps") or []
        if r.get("start_s") is not None and r.get("end_s") is not None
    ]
    w, h = settings.report.plot_width, settings.report.plot_height
    charts = []
    f_thr = thr.get("fppa_valgus_deg")
    charts.append(line_chart(
        [Line("left knee", t, _column(cols, rows, "left_fppa_deg"), rs.left_color), Line("right knee", t, _column(cols, rows, "right_fppa_deg"), rs.right_color)],
        title="Knee FPPA over time (+ = valgus); shaded = reps, orange = worst rep; gaps = thigh foreshortened, no FPPA",
        x_label="time (s)", y_label="FPPA (°)", vspans=spans, width=w, height=h,
        hlines=[HLine(f_thr, "#b00020", f"valgus {f_thr:g}°")] if f_thr is not None else [],
    ))
    hs = _column(cols, rows, "hip_shift_pct")
    if any(v is not None for v in hs):
        h_thr = thr.get("hip_shift_pct")
        charts.append(line_chart(
            [Line("hip shift", t, hs, "#6a3d9a")],
            title="Lateral hip shift over time (+ = towards the person's left)",
            x_label="time (s)", y_label="% of hip width", vspans=spans, width=w, height=h,
            hlines=[HLine(h_thr, "#b00020", f"±{h_thr:g} %"), HLine(-h_thr, "#b00020", "")] if h_thr is not None else [],
        ))
    return charts


# ----------------------------------------------------------------------------- the page
def render_report(
    report: dict[str, Any],
    *,
    person: str | None = None,
    recorded_at: str | datetime | None = None,
    series: tuple[Sequence[str], Sequence[Sequence[Any]]] | None = None,
    key_frame: np.ndarray | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> str:
    """The report as one HTML document (text). ``series`` = (columns, rows) as in
    ``hipvision analyze --series`` (e.g. ``(analyzer.series_columns, run.series_rows())`` or
    :func:`hipvision.export.parse_series_csv`); ``key_frame`` an RGB image."""
    test = str(report.get("test", ""))
    title = TITLES.get(test, test or "hipvision analysis")
    if isinstance(recorded_at, datetime):
        when = recorded_at.strftime("%Y-%m-%d %H:%M")
    elif recorded_at:
        when = str(recorded_at).replace("T", " ")[:16]
    else:
        when = datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")
    body = [f"<h1>{escape(title)}</h1>"]
    meta = [f"<b>{escape(person)}</b>" if person else None, escape(when), f"source: {escape(str(report.get('source', '–')))}"]
    if report.get("duration_s") is not None:
        meta.append(f"clip {report['duration_s']:.1f} s")
    body.append('<p class="meta">' + " · ".join(m for m in meta if m) + "</p>")

    body.append('<section><h2>Results</h2>')
    if test in ROTATION_TESTS:
        body.append(_rotation_numbers(report, settings))
    elif test in SCREENING_TESTS:
        body.append(_screening_numbers(report))
    body.append("</section>")

    warnings = report.get("warnings") or []
    body.append("<section><h2>Recording quality</h2>")
    if warnings:
        for w in warnings:
            fix = FIXES.get(str(w.get("code")))
            body.append(
                f'<div class="warn">{escape(str(w.get("message", w.get("code", ""))))}'
                + (f"<br><b>How to fix:</b> {escape(fix)}" if fix else "")
                + "</div>"
            )
    else:
        body.append('<p class="ok">No quality problems found.</p>')
    body.append("</section>")

    if key_frame is not None:
        body.append(
            f'<figure><img class="keyframe" alt="key frame" src="{png_data_uri(key_frame, settings.report.key_frame_max_width, settings.report.key_frame_max_height)}">'
            "<figcaption>Key frame: "
            + ("the largest held rotation" if test in ROTATION_TESTS else "the bottom of the worst rep")
            + "</figcaption></figure>"
        )
    if series is not None and series[1]:
        charts = [_rotation_plot(report, series, settings)] if test in ROTATION_TESTS else _screening_plots(report, series, settings) if test in SCREENING_TESTS else []
        if charts:
            body.append("<section><h2>Over time</h2>")
            body += [f"<figure>{c}</figure>" for c in charts]
            body.append("</section>")

    body.append(
        f'<p class="small">Left and right are the person\'s. Computed on this computer by hipvision '
        f"{escape(str(report.get('hipvision_version', '')))} (report schema {escape(str(report.get('schema_version', '')))}); "
        "nothing was uploaded. To make a PDF, print this page and choose \"Save as PDF\".</p>"
    )
    head = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}{' – ' + escape(person) if person else ''}</title><style>{CSS}</style></head>"
    )
    return head + "<body>\n" + "\n".join(body) + "\n</body></html>\n"


def render_session_report(session: Any, *, key_frame: np.ndarray | None = None, settings: Settings = DEFAULT_SETTINGS) -> str:
    """The report of a saved :class:`hipvision.history.Session` (its stored series gives the
    plots)."""
    from .export import parse_series_csv

    series = parse_series_csv(session.series_csv) if session.series_csv else None
    return render_report(
        session.report, person=session.person, recorded_at=session.recorded_at, series=series,
        key_frame=key_frame, settings=settings,
    )


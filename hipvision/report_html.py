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
from . import analyzers

#: how to fix the recording, per warning code common to all tests (each family adds its own,
#: ``Family.fixes``), where the analyzer's message does not say
FIXES = {
    "multiple_people": "Film with only the person being tested in view.",
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
    """The moment worth showing (the test family's choice, e.g. the largest held rotation
    peak or the bottom of the worst rep). None when the report has none."""
    from . import analyzers

    typed = analyzers.typed_report(report)
    family = analyzers.family_of(typed.test)
    return family.key_frame_time(report) if family is not None else None


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
        family = analyzers.family_of(str(run.report.get("test"))) if run is not None else None
        if family is not None and family.mirrored(settings):  # the skeleton in the person's sides, as the overlay
            pose = pose.mirrored()
        image = draw_pose(image, pose, settings.render)
    return analyzers.overlay(run)(image, frame_no) if run is not None else image


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
    typed = analyzers.typed_report(report)
    test = typed.test
    family = analyzers.family_of(test)
    title = (family.titles.get(test) if family is not None else None) or test or "hipvision analysis"
    if isinstance(recorded_at, datetime):
        when = recorded_at.strftime("%Y-%m-%d %H:%M")
    elif recorded_at:
        when = str(recorded_at).replace("T", " ")[:16]
    else:
        when = datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")
    body = [f"<h1>{escape(title)}</h1>"]
    meta = [f"<b>{escape(person)}</b>" if person else None, escape(when), f"source: {escape(typed.source if typed.has('source') else '–')}"]
    if typed.duration_s is not None:
        meta.append(f"clip {typed.duration_s:.1f} s")
    body.append('<p class="meta">' + " · ".join(m for m in meta if m) + "</p>")

    body.append('<section><h2>Results</h2>')
    if family is not None:
        body.append(family.html_section(report, settings))
    body.append("</section>")

    body.append("<section><h2>Recording quality</h2>")
    if typed.warnings:
        for w in typed.warnings:
            fix = FIXES.get(w.code) or (family.fixes.get(w.code) if family is not None else None)
            body.append(
                f'<div class="warn">{escape(w.message if w.has("message") else w.code)}'
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
            + escape(family.key_frame_caption if family is not None else "a frame of the clip")
            + "</figcaption></figure>"
        )
    if series is not None and series[1]:
        charts = family.html_plots(report, series, settings) if family is not None else []
        if charts:
            body.append("<section><h2>Over time</h2>")
            body += [f"<figure>{c}</figure>" for c in charts]
            body.append("</section>")

    body.append(
        f'<p class="small">Left and right are the person\'s. Computed on this computer by hipvision '
        f"{escape(typed.hipvision_version)} (report schema {escape(typed.schema_version)}); "
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


"""The printable HTML report and the exports."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from hipvision.analyzers import get
from hipvision.api import load_pose, run_analysis
from hipvision.export import parse_series_csv, records_csv, report_json, results_csv, run_series_csv, series_csv, write_atomic
from hipvision.flatten import flatten_report
from hipvision.history import History
from hipvision.report_html import key_frame_image, key_frame_time, render_report
from hipvision.svgplot import nice_ticks
from hipvision.synthetic import Move, Rep, rotation_clip, screening_clip
from hipvision.wording import with_band
from html import escape

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


class _Refs(HTMLParser):
    """Every src/href/url() reference and every tag name of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.refs += [v or "" for k, v in attrs if k in ("src", "href", "xlink:href", "data")]


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", html, re.S)]


def check_self_contained(html: str) -> _Refs:
    p = _Refs()
    p.feed(html)
    assert "script" not in p.tags and "link" not in p.tags and "iframe" not in p.tags
    for ref in p.refs:
        assert ref.startswith(("data:", "#")), ref  # no external file or address
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", html)
    assert "@import" not in html and not re.search(r"url\((?!#)", html)
    return p


@pytest.fixture(scope="module")
def rotation_run():
    seq, truth = rotation_clip("seated", [Move("left", 38), Move("left", -42), Move("right", 20), Move("right", -47)], noise_px=1.0, seed=2)
    return seq, run_analysis(seq, "seated"), truth


@pytest.fixture(scope="module")
def squat_run():
    seq, truth = screening_clip("squat", [Rep(valgus_left_m=0.07, hip_shift_m=0.035), Rep(), Rep(depth=0.6, valgus_right_m=0.06)], noise_px=1.0, seed=6)
    return seq, run_analysis(seq, "squat"), truth


def test_rotation_report_has_the_numbers_norms_and_a_valid_plot(rotation_run) -> None:
    seq, run, truth = rotation_run
    rep = run.report
    html = render_report(rep, person="Eva <Test>", recorded_at="2026-11-20T08:15:00+00:00",
                         series=(get("seated").series_columns, run.series_rows()),
                         key_frame=key_frame_image(None, seq, run, key_frame_time(rep)))
    check_self_contained(html)
    assert "Eva &lt;Test&gt;" in html and "2026-11-20 08:15" in html and "Seated hip rotation" in html
    for side in ("left", "right"):
        d = rep["sides"][side]
        for key in ("peak_ir_deg", "peak_er_deg", "total_arc_deg"):
            assert with_band(d[key], d[key.replace("_deg", "_band_deg")]) in html  # every number with its ±
    a = rep["asymmetry"]["ir"]
    assert with_band(a["left_minus_right_deg"], a["band_deg"]) in html
    # 38 vs 20: said in words, the lower side named
    assert a["verdict"] == "not equal"
    assert f"left and right differ by {with_band(abs(a['left_minus_right_deg']), a['band_deg'])} (right lower)" in html
    assert "allowing for the error band, so a clear difference" in html
    assert escape(rep["band_basis"]) in html
    assert f"clip {rep['duration_s']:.1f} s" in html
    assert "30–45°" in html and "50–90°" in html  # seated norm bands from the settings
    (chart,) = svgs(html)
    assert chart.tag == "svg" and chart.find("title") is not None
    lines = chart.findall(".//polyline")
    assert len(lines) >= 2  # left and right
    held = [e for e in chart.iter("line") if e.get("stroke-width") == "4"]
    assert len(held) == 4  # IR and ER held peaks per side
    # the key frame is an embedded PNG of the analysed size (scaled to fit)
    m = re.search(r'src="data:image/png;base64,([^"]+)"', html)
    assert m and base64.b64decode(m.group(1))[:8] == b"\x89PNG\r\n\x1a\n"


def test_screening_report_highlights_the_worst_rep(squat_run) -> None:
    seq, run, truth = squat_run
    rep = run.report
    html = render_report(rep, person="Finn", series=(get("squat").series_columns, run.series_rows()))
    check_self_contained(html)
    worst = rep["summary"]["worst_rep"]
    assert worst["index"] == 1 and worst["side"] == "left"
    rows = re.findall(r"<tr( class=\"worst\")?><td>(\d+)", html)
    assert [(bool(c), int(i)) for c, i in rows] == [(True, 1), (False, 2), (False, 3)]
    for r in rep["reps"]:
        for s in ("left", "right"):
            assert with_band(r[s]["fppa_deg"], r[s]["fppa_band_deg"]) in html
    # two valgus knees: flagged where clear of the threshold by more than the band, else borderline
    flagged = sum(r[s]["valgus"] for r in rep["reps"] for s in ("left", "right"))
    border = sum(bool(r[s].get("valgus_borderline")) for r in rep["reps"] for s in ("left", "right"))
    assert html.count('<span class="flag">valgus</span>') == flagged and flagged + border >= 2
    assert html.count('<span class="borderline">borderline</span>') >= border
    charts = svgs(html)
    assert len(charts) == 2  # FPPA and hip shift
    spans = [e for e in charts[0].iter("rect") if e.find("title") is not None and e.find("title").text.startswith("rep ")]
    assert len(spans) == 3


def test_warnings_in_plain_words_and_no_series() -> None:
    rep = {"test": "squat", "schema_version": "1.0", "source": "x.mp4", "reps": [], "no_reps_reason": "the pelvis never dropped",
           "warnings": [{"code": "side_view", "message": "The camera sees the person from the side: turn it to face them.", "value": None},
                        {"code": "multiple_people", "message": "more than one person was in view", "value": 3.0}]}
    html = render_report(rep)
    check_self_contained(html)
    assert "The camera sees the person from the side: turn it to face them." in html
    assert "more than one person was in view<br><b>How to fix:</b> Film with only the person being tested in view." in html
    assert html.count("How to fix") == 1  # the side-view message already says what to do
    assert "No reps found. the pelvis never dropped" in html and not svgs(html)


def test_key_frame_is_taken_from_the_video(tmp_path: Path) -> None:
    """key_frame_image streams the video to the analysed frame nearest the key time."""
    from hipvision.videowriter import H264Writer
    from synthetic import make_sequence, standing_pose

    video = tmp_path / "ramp.mp4"
    with H264Writer(video, 320, 240, 10.0, crf=10) as w:
        for k in range(10):
            w.write(np.full((240, 320, 3), 20 * k, np.uint8), k / 10)
    seq = make_sequence(np.repeat(standing_pose(320, 240)[None], 10, axis=0) * 0.5, np.arange(10) / 10, image_size=(320, 240))
    img = key_frame_image(video, seq, None, 0.62)
    assert img.shape == (240, 320, 3)
    assert abs(float(np.median(img)) - 20 * 6) < 6  # frame 6, not 0 or the last


def test_key_frame_time_picks_peak_and_worst_rep(rotation_run, squat_run) -> None:
    rep = rotation_run[1].report
    best = max(((s[k], s[h]["at_s"]) for s in rep["sides"].values() for k, h in (("peak_ir_deg", "ir_held"), ("peak_er_deg", "er_held"))))
    assert key_frame_time(rep) == best[1] and best[0] == rep["sides"]["right"]["peak_er_deg"]  # 47 deg
    srep = squat_run[1].report
    assert key_frame_time(srep) == srep["reps"][0]["bottom_s"]


def test_nice_ticks_cover_the_range() -> None:
    for lo, hi in ((-47.3, 38.2), (0, 21.5), (3, 3.2), (-0.5, 0.5)):
        t = nice_ticks(lo, hi)
        assert t[0] <= lo and t[-1] >= hi and 3 <= len(t) <= 12
        steps = np.diff(t)
        assert np.allclose(steps, steps[0])


def test_exports_round_trip(tmp_path: Path, squat_run) -> None:
    seq, run, truth = squat_run
    rep = run.report
    text = results_csv(rep)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["metric"], r["side"], int(r["rep"]), float(r["value"])) for r in rows] == [
        (x.metric, x.side, x.rep, x.value) for x in flatten_report(rep)
    ]
    assert all(r["test"] == "squat" for r in rows)
    assert json.loads(report_json(rep)) == rep
    cols = get("squat").series_columns
    s_text = series_csv(cols, run.series_rows())
    assert run_series_csv(run) == s_text
    got_cols, got_rows = parse_series_csv(s_text)
    assert got_cols == cols and len(got_rows) == len(run.series_rows())
    assert got_rows[5] == tuple(None if v is None else float(v) for v in run.series_rows()[5])
    # the same text as `hipvision analyze --series` writes
    from hipvision.api import write_series_csv

    write_series_csv(run, cols, tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_text() == s_text
    out = write_atomic(tmp_path / "deep" / "r.json", report_json(rep))
    assert json.loads(out.read_text()) == rep and not list((tmp_path / "deep").glob(".*"))
    write_atomic(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    with History(tmp_path / "h.sqlite3") as h:
        pid = h.add_person("Gus")
        h.add_session(pid, rep, recorded_at="2026-05-01")
        rec = list(csv.DictReader(io.StringIO(records_csv(h.result_records(pid)))))
    assert len(rec) == len(rows) and {r["person"] for r in rec} == {"Gus"}
    assert rec[0]["recorded_at"].startswith("2026-05-01")


def test_bundled_samples_render(tmp_path: Path) -> None:
    for name, test in (("seated_rotation.pose.csv", "seated"), ("prone_rotation.pose.csv", "prone"), ("demo_squat_front.pose.csv", "squat")):
        seq = load_pose(SAMPLES / name)
        run = run_analysis(seq, test)
        html = render_report(run.report, series=(get(test).series_columns, run.series_rows()),
                             key_frame=key_frame_image(SAMPLES / name, seq, run, key_frame_time(run.report)))
        check_self_contained(html)
        assert svgs(html) and "data:image/png;base64," in html

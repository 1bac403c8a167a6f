"""Error bands against the rendered truth: the share of numbers inside their own band and
the flags' agreement outside the band (issue 15, item 6).

    python benchmarks/render/band_coverage.py rows.json [more.json ...]   # rows of run_benchmark.py --json
    python benchmarks/render/band_coverage.py --csv [--out rows.json] [prone.json]   # + the cached pose.csv

``--csv`` skips the pose model: it analyses each cached clip's ``pose.csv`` (the landmarks
``run_benchmark.py`` extracted) in this process, seated and screening clips only (prone clips
need the video for the sticker / assisted trackers; use run_benchmark's rows for them).
Renders are read from ``$HIPVISION_CACHE/renders`` (never rendered here).

Held-out split: the band figures in ``config.BandSettings`` were set on the Xbot and Ely
clips ("fit"); the Mannequin clips were only scored afterwards ("held out"). Both are
printed, and all clips together.

Printed per group: numbers inside their own band (target >= 95 %), the median band, and
the flags on the clear cases (truth: valgus > 14 / < 6 deg, |shift| > 25 / < 7 %) that were
not borderline: right / all (target 100 %), with the borderline ones counted apart.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run_benchmark import model_points, rotation_rows, screening_rows  # noqa: E402
from specs import CLIPS  # noqa: E402

HELD_OUT = ("mannequin",)


def cache_dir(name: str) -> Path | None:
    root = Path(os.environ.get("HIPVISION_CACHE", Path.home() / ".cache" / "hipvision")) / "renders"
    hits = sorted(p for p in root.glob(f"{name}-*") if p.name.rsplit("-", 1)[0] == name and (p / "truth.json").exists())
    return hits[-1] if hits else None


def rows_from_csv(bare: bool = False) -> dict[str, list[dict]]:
    """run_benchmark's rows from the cached pose.csv files (no pose model run); ``bare``:
    with every band term zero (flags on the bare thresholds, as before the bands)."""
    from dataclasses import replace

    from hipvision.api import analyze
    from hipvision.bands import no_bands
    from hipvision.config import DEFAULT_SETTINGS
    from hipvision.errors import HipvisionError

    settings = replace(DEFAULT_SETTINGS, bands=no_bands()) if bare else DEFAULT_SETTINGS

    rot: list[dict] = []
    scr: list[dict] = []
    for spec in CLIPS:
        if spec.test == "prone":
            continue
        d = cache_dir(spec.name)
        if d is None or not (d / "pose.csv").exists():
            continue
        truth = json.loads((d / "truth.json").read_text())
        model = model_points(d / "pose.csv", truth["frames"])
        try:
            rep = analyze(d / "pose.csv", spec.test, settings=settings)
        except HipvisionError as e:
            print(f"  {spec.name}: {e}", file=sys.stderr)
            rep = None
        if spec.kind in ("seated", "prone"):
            rows = rotation_rows(spec, truth, rep, model, "model")
            for r in rows:
                r["warnings"] = [w["code"] for w in (rep or {}).get("warnings", [])]
            rot += rows
        else:
            scr += screening_rows(spec, truth, rep, model)[0]
    return {"rotation": rot, "screening": scr}


def numbers(doc: dict[str, list[dict]]) -> list[dict[str, Any]]:
    """One entry per reported number with a truth: measure, clip, error, band."""
    out = []
    for r in doc["rotation"]:
        if r.get("measured") is not None:
            out.append({"measure": f"{r['test']} {r['dir']} ({r['mode']})", "clip": r["clip"], "error": r["error"], "band": r.get("band")})
    for r in doc["screening"]:
        if r.get("measured") is not None:
            out.append({"measure": f"{r['test']} FPPA", "clip": r["clip"], "error": r["error"], "band": r.get("band")})
    seen = set()
    for r in doc["screening"]:  # hip shift once per rep
        key = (r["clip"], r["rep"])
        if key in seen or r.get("shift") is None or r.get("shift_true") is None:
            continue
        seen.add(key)
        out.append({"measure": f"{r['test']} hip shift %", "clip": r["clip"], "error": r["shift"] - r["shift_true"], "band": r.get("shift_band")})
    return out


def flags(doc: dict[str, list[dict]]) -> list[dict[str, Any]]:
    """Clear cases: (clip, kind, expected, raised, borderline)."""
    out = []
    for r in doc["screening"]:
        if r.get("valgus_expected") is not None and r.get("valgus") is not None:
            out.append({"clip": r["clip"], "kind": "valgus", "expected": r["valgus_expected"], "raised": bool(r["valgus"]),
                        "borderline": bool(r.get("valgus_borderline"))})
    seen = set()
    for r in doc["screening"]:
        key = (r["clip"], r["rep"])
        if key in seen or r.get("shift_expected") is None or r.get("shift_flag") is None:
            continue
        seen.add(key)
        out.append({"clip": r["clip"], "kind": "hip shift", "expected": r["shift_expected"], "raised": bool(r["shift_flag"]),
                    "borderline": bool(r.get("shift_borderline"))})
    return out


def held_out(clip: str) -> bool:
    return any(a in clip for a in HELD_OUT)


def report(label: str, nums: list[dict], fl: list[dict]) -> None:
    with_band = [n for n in nums if n["band"] is not None and n["error"] is not None]
    print(f"\n{label}: {len(with_band)} numbers with a band ({len(nums) - len(with_band)} without)")
    for m in sorted({n["measure"] for n in with_band}):
        sel = [n for n in with_band if n["measure"] == m]
        inside = sum(abs(n["error"]) <= n["band"] for n in sel)
        worst = max(sel, key=lambda n: abs(n["error"]) - n["band"])
        print(f"  {m:<28} inside {inside}/{len(sel)} ({100 * inside / len(sel):5.1f} %)  median band ±{np.median([n['band'] for n in sel]):.1f}  "
              f"MAE {np.mean([abs(n['error']) for n in sel]):.1f}  worst excess {abs(worst['error']) - worst['band']:+.1f} ({worst['clip']})")
    if with_band:
        inside = sum(abs(n["error"]) <= n["band"] for n in with_band)
        print(f"  {'all':<28} inside {inside}/{len(with_band)} ({100 * inside / len(with_band):5.1f} %)  "
              f"median band ±{np.median([n['band'] for n in with_band]):.1f}")
    for kind in ("valgus", "hip shift"):
        sel = [f for f in fl if f["kind"] == kind]
        if not sel:
            continue
        clear = [f for f in sel if not f["borderline"]]
        right = sum(f["raised"] == f["expected"] for f in clear)
        border = [f for f in sel if f["borderline"]]
        print(f"  {kind} flags on clear cases, outside the band: {right}/{len(clear)} right"
              + (f" ({100 * right / len(clear):.0f} %)" if clear else "")
              + f"; borderline {len(border)} (of which the truth is a flag: {sum(f['expected'] for f in border)})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rows", nargs="*", help="run_benchmark.py --json output(s)")
    ap.add_argument("--csv", action="store_true", help="analyse the cached pose.csv files instead")
    ap.add_argument("--out", help="with --csv: also write the rows as JSON")
    ap.add_argument("--no-bands", action="store_true", help="with --csv: every band zero (the flags before the bands)")
    args = ap.parse_args()
    if not args.csv and not args.rows:
        ap.error("give run_benchmark's JSON rows or --csv")
    doc: dict[str, list[dict]] = {"rotation": [], "screening": []}
    if args.csv:
        doc = rows_from_csv(bare=args.no_bands)
        if args.out:
            Path(args.out).write_text(json.dumps(doc, indent=1))
    for path in args.rows:
        more = json.loads(Path(path).read_text())
        for k in ("rotation", "screening"):
            doc[k] += more.get(k, [])
    nums, fl = numbers(doc), flags(doc)
    report("fit clips (Xbot, Ely)", [n for n in nums if not held_out(n["clip"])], [f for f in fl if not held_out(f["clip"])])
    report("held-out clips (Mannequin)", [n for n in nums if held_out(n["clip"])], [f for f in fl if held_out(f["clip"])])
    report("all clips", nums, fl)
    missed = [n for n in nums if n["band"] is not None and n["error"] is not None and abs(n["error"]) > n["band"]]
    if missed:
        print("\noutside their band:")
        for n in missed:
            print(f"  {n['clip']:<28} {n['measure']:<28} error {n['error']:+6.1f}  band ±{n['band']:.1f}")


if __name__ == "__main__":
    main()

"""Start-up cost: commands whose work is small import no heavy library they do not use.

Each case runs in a fresh interpreter (``sys.modules`` of this test process says nothing)
and reports which heavy modules were loaded once the command finished. MediaPipe (with
matplotlib), OpenCV and Streamlit are for videos, drawing and the app; ``scipy.stats``
(which ``import scipy.signal`` also loads) costs about a second of CPU and no analysis
path uses it. The one drawing on these paths is the key frame of ``--report`` (OpenCV).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"

#: never on these paths
HEAVY = ("mediapipe", "cv2", "matplotlib", "streamlit", "scipy.stats")
#: reported too, for the help cases (no work: no scipy at all)
WATCHED = HEAVY + ("scipy",)

_MARK = "LOADED-MODULES "

#: run ``hipvision`` with the arguments given, then print the watched modules loaded
_CLI = f"""
import json, sys
from hipvision.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as e:  # argparse's --help
    code = e.code
print({_MARK!r} + json.dumps({{"code": code, "loaded": [m for m in {WATCHED!r} if m in sys.modules]}}))
"""

#: a batch worker (local engine) set up and given one clip with --reuse-pose semantics
_WORKER = f"""
import json, sys
from hipvision.batch.engines import _worker_init
from hipvision.batch.job import ClipJob, run_clip
from hipvision.config import DEFAULT_SETTINGS
_worker_init(False)
res = run_clip(ClipJob("k", sys.argv[1], sys.argv[1], "squat", sys.argv[2], DEFAULT_SETTINGS, pose_only=True))
code = 0 if res.status == "ok" else res.error
print({_MARK!r} + json.dumps({{"code": code, "loaded": [m for m in {WATCHED!r} if m in sys.modules]}}))
"""


def loaded_after(script: str, *args: str) -> list[str]:
    p = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout.rsplit(_MARK, 1)[1])
    assert doc["code"] == 0, (doc, p.stderr)
    return doc["loaded"]


@pytest.mark.parametrize("args", [["--help"], ["analyze", "--help"]])
def test_help_imports_no_heavy_library(args: list[str]) -> None:
    assert loaded_after(_CLI, *args) == []


@pytest.mark.parametrize(
    "sample, test, extra",
    [
        ("seated_rotation.pose.csv", "seated", []),
        ("prone_rotation.pose.csv", "prone", ["--json"]),
        ("demo_squat_front.pose.csv", "squat", ["--series", "{tmp}/series.csv"]),
        ("seated_rotation.pose.csv", "seated", ["--json", "--report", "{tmp}/r.html", "--series", "{tmp}/s.csv"]),
        ("demo_squat_front.pose.csv", "squat", ["--report", "{tmp}/r.html"]),
    ],
)
def test_pose_csv_analysis_imports_no_heavy_library(tmp_path: Path, sample: str, test: str, extra: list[str]) -> None:
    args = ["analyze", str(SAMPLES / sample), "--test", test, *(a.format(tmp=tmp_path) for a in extra)]
    drawn = {"cv2"} if "--report" in extra else set()  # the report's key frame
    assert [m for m in loaded_after(_CLI, *args) if m in HEAVY and m not in drawn] == []
    for a in extra:  # the outputs were written
        if "{tmp}" in a:
            assert Path(a.format(tmp=tmp_path)).stat().st_size > 0


def test_batch_worker_on_a_stored_pose_imports_no_heavy_library(tmp_path: Path) -> None:
    loaded = loaded_after(_WORKER, str(SAMPLES / "demo_squat_front.pose.csv"), str(tmp_path / "clip"))
    assert [m for m in loaded if m in HEAVY] == []
    assert (tmp_path / "clip" / "report.json").is_file()

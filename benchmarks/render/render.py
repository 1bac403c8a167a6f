"""Host side of the avatar renders: spec -> Blender -> PNG frames -> MP4 + ground truth.

    python benchmarks/render/render.py [NAME ...] [--force] [--list]

Renders go to a cache outside the repository, one folder per clip keyed by a hash of the
spec, the avatar file and the Blender script's source: ``$HIPVISION_CACHE/renders`` or
``~/.cache/hipvision/renders``. Each folder holds ``clip.mp4``, ``truth.json`` (see
``truth.py``), ``raw.json`` (3-D and projected joints per frame) and ``spec.json``; the
PNG frames are deleted after encoding except the first and one at the peak. Needs
Debian's ``blender`` (3.4) and ``xvfb-run``; Blender runs niced with 2 threads.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from specs import AVATARS, CLIPS, LOOKS, ClipSpec, build_frames, by_name, scene_dict  # noqa: E402
from truth import compute_truth  # noqa: E402

HERE = Path(__file__).resolve().parent
BLENDER_SCRIPT = HERE / "blender_pose.py"
#: entry point for looks other than ``default``: runs blender_pose.py and applies the look
LOOK_SCRIPT = HERE / "blender_looks.py"


def cache_root() -> Path:
    base = os.environ.get("HIPVISION_CACHE")
    return (Path(base) if base else Path.home() / ".cache" / "hipvision") / "renders"


def blender_spec(spec: ClipSpec) -> dict:
    frames, _ = build_frames(spec)
    out = {
        "avatar": str(AVATARS / spec.avatar),
        "width": spec.width,
        "height": spec.height,
        "fps": spec.fps,
        "scene": scene_dict(spec),
        "frames": frames,
    }
    if spec.look != "default":  # default-look specs (and so their cached renders) stay as they were
        if spec.look not in LOOKS:
            raise SystemExit(f"{spec.name}: unknown look {spec.look!r}; known: default, {', '.join(LOOKS)}")
        out["look"] = LOOKS[spec.look]
    return out


def entry_script(spec: ClipSpec) -> Path:
    return BLENDER_SCRIPT if spec.look == "default" else LOOK_SCRIPT


def spec_hash(spec: ClipSpec) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(blender_spec(spec), sort_keys=True).encode())
    h.update(BLENDER_SCRIPT.read_bytes())
    if spec.look != "default":
        h.update(LOOK_SCRIPT.read_bytes())
    avatar = AVATARS / spec.avatar
    h.update(f"{avatar.stat().st_size}".encode())
    return h.hexdigest()[:12]


def clip_dir(spec: ClipSpec) -> Path:
    return cache_root() / f"{spec.name}-{spec_hash(spec)}"


def encode_mp4(png_dir: Path, out: Path, fps: float, n: int) -> None:
    from PIL import Image

    from hipvision.videowriter import H264Writer

    first = np.asarray(Image.open(png_dir / "frame_0000.png").convert("RGB"))
    h, w = first.shape[:2]
    with H264Writer(out, w, h, fps, crf=18) as wr:
        for i in range(n):
            img = np.asarray(Image.open(png_dir / f"frame_{i:04d}.png").convert("RGB"))
            wr.write(img, i / fps)


def render(spec: ClipSpec, force: bool = False, threads: int = 2) -> Path:
    """Render ``spec`` if it is not cached; return its cache folder."""
    out = clip_dir(spec)
    if (out / "clip.mp4").exists() and (out / "truth.json").exists() and not force:
        # the truth is derived from raw.json: recompute it (cheap) so truth.py changes apply
        old = json.loads((out / "truth.json").read_text())
        _, course = build_frames(spec)
        truth = compute_truth(spec, json.loads((out / "raw.json").read_text()), course)
        truth["render_s"], truth["frames"] = old["render_s"], old["frames"]
        (out / "truth.json").write_text(json.dumps(truth, indent=1))
        return out
    if not (AVATARS / spec.avatar).exists():
        raise SystemExit(f"avatar not found: {AVATARS / spec.avatar} (set HIPVISION_AVATARS)")
    for tool in ("blender", "xvfb-run"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found: apt-get install -y blender xvfb python3-numpy")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{spec.name}-", dir=out.parent))
    bspec = blender_spec(spec)
    (tmp / "spec.json").write_text(json.dumps(bspec))
    cmd = [
        "nice", "-n", "10", "xvfb-run", "-a", "blender", "-b", "--factory-startup", "-t", str(threads),
        "-P", str(entry_script(spec)), "--", str(tmp / "spec.json"), str(tmp),
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not (tmp / "raw.json").exists():
        log = tmp / "blender.log"
        log.write_text(proc.stdout + proc.stderr)
        raise SystemExit(f"blender failed for {spec.name}; log: {log}")
    render_s = time.perf_counter() - t0
    n = len(bspec["frames"])
    encode_mp4(tmp, tmp / "clip.mp4", spec.fps, n)
    raw = json.loads((tmp / "raw.json").read_text())
    _, course = build_frames(spec)
    truth = compute_truth(spec, raw, course)
    truth["render_s"] = round(render_s, 1)
    truth["frames"] = n
    (tmp / "truth.json").write_text(json.dumps(truth, indent=1))
    keep = {"frame_0000.png", f"frame_{int(truth.get('peak_frame', 0)):04d}.png"}
    for p in tmp.glob("frame_*.png"):
        if p.name not in keep:
            p.unlink()
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    for old in out.parent.glob(f"{spec.name}-*"):  # renders of older versions of this spec
        if old != out and re.fullmatch(re.escape(spec.name) + r"-[0-9a-f]{12}", old.name):
            shutil.rmtree(old)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="render the avatar benchmark clips (cached)")
    ap.add_argument("names", nargs="*", help="clip names (default: all)")
    ap.add_argument("--force", action="store_true", help="render even if cached")
    ap.add_argument("--list", action="store_true", help="list the clips and their cache folders")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    specs = [by_name(n) for n in args.names] if args.names else list(CLIPS)
    for spec in specs:
        if args.list:
            print(f"{spec.name:<24} {spec.test:<17} {spec.look:<8} {clip_dir(spec)}")
            continue
        t0 = time.perf_counter()
        out = render(spec, force=args.force, threads=args.threads)
        print(f"{spec.name:<24} {time.perf_counter() - t0:6.1f} s  {out}", flush=True)


if __name__ == "__main__":
    main()

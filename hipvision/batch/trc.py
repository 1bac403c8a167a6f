"""OpenSim-friendly ``.trc`` marker file of a clip's world landmarks.

Markers are MediaPipe's 33 world landmarks (metres). MediaPipe's world frame has its
origin between the hips in every frame (no travel through the room), x to the image's
right, y down, z away from the camera; the file uses OpenSim's Y-up convention:
``X = x, Y = -y, Z = -z``. Missing values are empty cells. Marker names are the person's
sides (``left_knee`` ...). The data rate is the median frame rate of the clip.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..atomicfile import write_atomic
from ..landmarks import LANDMARK_NAMES
from ..sequence import PoseSequence


def write_trc(seq: PoseSequence, target: Path) -> Path:
    """Write ``seq``'s world landmarks as a TRC file (atomically)."""
    n = len(seq)
    rate = 1.0 / float(np.median(np.diff(seq.time_s))) if n > 1 else 30.0
    xyz = seq.world * np.array([1.0, -1.0, -1.0])
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{target.name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{rate:.3f}\t{rate:.3f}\t{n}\t{len(LANDMARK_NAMES)}\tm\t{rate:.3f}\t1\t{n}",
        "Frame#\tTime\t" + "\t".join(f"{name}\t\t" for name in LANDMARK_NAMES).rstrip("\t"),
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, len(LANDMARK_NAMES) + 1)),
        "",
    ]
    for k in range(n):
        vals = "\t".join("" if not np.isfinite(v) else f"{v:.5f}" for v in xyz[k].ravel())
        lines.append(f"{int(seq.frame[k]) + 1}\t{seq.time_s[k]:.5f}\t{vals}")
    return write_atomic(target, "\n".join(lines) + "\n")

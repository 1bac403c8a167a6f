"""Where the tests find what ../shared provides (the model and the real clips), and the
skip helpers for when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
MEDIA = SHARED / "media"
SHARED_MODEL = SHARED / "models" / "pose_landmarker_full.task"


def find_model() -> Path | None:
    """The pose model for tests: $HIPVISION_MODEL if it names a file, else the shared one."""
    env = os.environ.get("HIPVISION_MODEL")
    if env and Path(env).expanduser().is_file():
        return Path(env).expanduser()
    if SHARED_MODEL.is_file():
        return SHARED_MODEL
    return None

"""Shared test setup.

* ``tests/`` is put on sys.path for the synthetic-data helpers (tests/synthetic.py).
* The pose model for tests comes through ``HIPVISION_MODEL`` (as for users); when it is
  unset and ``../shared/models/pose_landmarker_full.task`` exists beside the checkout, it
  is pointed there. Tests that need the model or the real clips skip cleanly without them.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

_SHARED_MODEL = Path(__file__).resolve().parents[2] / "shared" / "models" / "pose_landmarker_full.task"
if not os.environ.get("HIPVISION_MODEL") and _SHARED_MODEL.is_file():
    os.environ["HIPVISION_MODEL"] = str(_SHARED_MODEL)

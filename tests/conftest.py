"""Shared test setup.

* ``tests/`` is put on sys.path for the synthetic-data helpers (tests/synthetic.py).
* The pose model for tests comes through ``HIPVISION_MODEL`` (as for users); when it is
  unset and ``../shared/models/pose_landmarker_full.task`` exists beside the checkout, it
  is pointed there. Tests that need the model or the real clips skip cleanly without them.
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

_SHARED_MODEL = Path(__file__).resolve().parents[2] / "shared" / "models" / "pose_landmarker_full.task"
if not os.environ.get("HIPVISION_MODEL") and _SHARED_MODEL.is_file():
    os.environ["HIPVISION_MODEL"] = str(_SHARED_MODEL)


@pytest.fixture(autouse=True)
def _private_data_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the user's history database: HIPVISION_DATA points to a temporary
    folder unless a test sets its own. A dashboard password in the environment is ignored."""
    monkeypatch.setenv("HIPVISION_DATA", str(tmp_path_factory.mktemp("hipvision-data")))
    monkeypatch.delenv("HIPVISION_DASHBOARD_PASSWORD", raising=False)  # the dashboard asks for none

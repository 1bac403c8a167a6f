"""Shared test setup.

* ``tests/`` is put on sys.path for the synthetic-data helpers (tests/synthetic.py).
* The pose model for tests comes through ``HIPVISION_MODEL`` (as for users); when it is
  unset and ``../shared/models/pose_landmarker_full.task`` exists beside the checkout, it
  is pointed there. Tests that need the model or the real clips skip cleanly without them.
* No test reaches the network: every test (and every subprocess it starts, which inherits
  the environment) has the model download pointed at a closed loopback port and an empty
  model cache, so a missing model is a fast, clear error, never a download.
"""

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from shared_paths import SHARED_MODEL  # noqa: E402

#: the discard port on loopback: nothing listens there, so a download fails at once
DEAD_MODEL_URL = "http://127.0.0.1:9/"

if not os.environ.get("HIPVISION_MODEL") and SHARED_MODEL.is_file():
    os.environ["HIPVISION_MODEL"] = str(SHARED_MODEL)


@pytest.fixture(autouse=True, scope="session")
def _no_network_for_the_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The model download goes to a dead local address, and the model cache is an empty
    folder, for the whole session (session scope, so module-scoped fixtures that run
    commands are covered too). Tests of the download set their own URL (a loopback HTTP
    server serving the shared model) with ``monkeypatch``."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HIPVISION_MODEL_URL", DEAD_MODEL_URL)
        mp.setenv("HIPVISION_CACHE", str(tmp_path_factory.mktemp("hipvision-cache")))
        mp.delenv("XDG_CACHE_HOME", raising=False)
        yield


@pytest.fixture(autouse=True)
def _private_data_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the user's history database: HIPVISION_DATA points to a temporary
    folder unless a test sets its own. A dashboard password in the environment is ignored."""
    monkeypatch.setenv("HIPVISION_DATA", str(tmp_path_factory.mktemp("hipvision-data")))
    monkeypatch.delenv("HIPVISION_DASHBOARD_PASSWORD", raising=False)  # the dashboard asks for none

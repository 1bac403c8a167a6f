"""The pose-backend factory: the one place that picks and creates a backend (so callers
never import a backend module, and nothing above ``pose`` is needed to make one)."""

from __future__ import annotations

from pathlib import Path

from ..config import Settings


def make_backend(model_path: str | Path, *, stream: bool, settings: Settings, inline_check: bool = True):
    """Create the pose backend (imports mediapipe on first use). ``inline_check=False``:
    the backend does not run the periodic multi-person check itself (the caller runs a
    :func:`make_people_counter` elsewhere, e.g. on the decode thread)."""
    from .mediapipe_backend import MediaPipePoseBackend

    return MediaPipePoseBackend(str(model_path), stream=stream, settings=settings.pose, inline_check=inline_check)


def make_people_counter(model_path: str | Path, settings: Settings):
    """A periodic people counter (see :class:`~hipvision.pose.mediapipe_backend.PeopleCounter`),
    or None when the multi-person check is disabled."""
    if settings.pose.multi_person_check_s <= 0:
        return None
    from .mediapipe_backend import PeopleCounter

    return PeopleCounter(str(model_path), settings.pose)

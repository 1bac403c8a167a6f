"""Counting the passes over a video in a test: each decode of a video file and each call of
the pose model (the real MediaPipe backend, wrapped), in this process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest


class CountingBackend:
    """The real pose backend, counting its calls."""

    def __init__(self, real: Any) -> None:
        self.real, self.calls = real, 0

    def __enter__(self) -> "CountingBackend":
        self.real.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self.real.__exit__(*exc)

    def detect(self, image, frame, time_s):
        self.calls += 1
        return self.real.detect(image, frame, time_s)


@dataclass
class Passes:
    #: one entry (the source's name) per iteration of a video file: a decode pass
    decodes: list[str] = field(default_factory=list)
    #: every pose backend made (one per model pass)
    backends: list[CountingBackend] = field(default_factory=list)

    @property
    def model_calls(self) -> int:
        return sum(b.calls for b in self.backends)

    def reset(self) -> None:
        self.decodes.clear()
        self.backends.clear()


def count_passes(monkeypatch: pytest.MonkeyPatch) -> Passes:
    """Count decodes (``VideoFileSource.__iter__``) and pose model calls from now on; both
    the extraction (``api.make_backend``) and the trackers (``pose.factory.make_backend``)."""
    from hipvision import api
    from hipvision.pose import factory
    from hipvision.sources import VideoFileSource

    passes = Passes()
    real_make = factory.make_backend
    real_iter = VideoFileSource.__iter__

    def counting_make(*a: Any, **kw: Any) -> CountingBackend:
        passes.backends.append(CountingBackend(real_make(*a, **kw)))
        return passes.backends[-1]

    def counting_iter(self):
        passes.decodes.append(self.name)
        return real_iter(self)

    monkeypatch.setattr(api, "make_backend", counting_make)
    monkeypatch.setattr(factory, "make_backend", counting_make)
    monkeypatch.setattr(VideoFileSource, "__iter__", counting_iter)
    return passes

"""The screening family: squat, single-leg squat, hinge and single-leg hinge (knee valgus as
FPPA, + = valgus; lateral hip shift, + = towards the person's left).

``analysis`` (the analyzers and their run), ``metrics`` (flat rows), ``recording`` (what to
record), ``live`` (the webcam rep counter), ``report`` (the HTML section), ``view`` (the
dashboard, Streamlit) and ``overlay`` (OpenCV drawing). Importing this package loads only
``analysis``, ``metrics`` and ``recording``; the other parts are imported when used.
"""

from __future__ import annotations

from typing import Any

from ...config import Settings
from .. import Family, Report, Series, get, register_family
from . import metrics, recording
from .schema import ScreeningReport
from .analysis import TESTS


def _html_section(report: Report, settings: Settings) -> str:
    from .report import _screening_numbers

    return _screening_numbers(report)


def _html_plots(report: Report, series: Series, settings: Settings) -> list[str]:
    from .report import _screening_plots

    return _screening_plots(report, series, settings)


def _key_frame_time(report: Report) -> float | None:
    from .report import key_frame_time

    return key_frame_time(report)


def _show(outcome: Any) -> None:
    from .view import _screening

    _screening(outcome.report, outcome)


def _live(test: str, settings: Settings) -> Any:
    from .live import LiveScreening

    return LiveScreening(test, settings.screening, settings.cleaning.min_visibility)


def _draw(run: Any, report: Any, image: Any, frame: int) -> Any:
    from .overlay import draw_screening

    return draw_screening(image, run, report, frame)


FAMILY = register_family(
    Family(
        name="screening",
        analyzers=tuple(get(t) for t in TESTS),
        titles={
            "squat": "Squat screening",
            "single-leg-squat": "Single-leg squat screening",
            "hinge": "Hinge screening",
            "single-leg-hinge": "Single-leg hinge screening",
        },
        metrics=metrics.METRICS,
        preferred_metrics=("fppa_max_deg", "fppa_mean_deg", "hip_shift_mean_pct", "valgus_reps"),
        flatten=metrics.flatten_screening,
        instructions=recording.INSTRUCTIONS,
        illustration_pose=recording.illustration_pose,
        fixes={
            "left_frame": "Step back or widen the view so the whole body stays in the picture for every rep.",
            "many_reps": "Record one set of up to 30 reps per clip.",
        },
        key_frame_time=_key_frame_time,
        key_frame_caption="the bottom of the worst rep",
        html_section=_html_section,
        html_plots=_html_plots,
        show=_show,
        live=_live,
        draw=_draw,
        schema=ScreeningReport,
    )
)

"""The hip-rotation family: the seated and prone tests (shin angle to the vertical per side,
+ = internal rotation = foot lateral; left/right are the person's).

``analysis`` (the analyzers and their run), ``metrics`` (flat rows), ``recording`` (what to
record), ``live`` (the webcam readout), ``report`` (the HTML section), ``view`` (the
dashboard, Streamlit) and ``overlay`` (OpenCV drawing). Importing this package loads only
``analysis``, ``metrics`` and ``recording``; the other parts are imported when used.
"""

from __future__ import annotations

from typing import Any

from ...config import Settings
from .. import Family, Report, Series, register_family
from . import metrics, recording
from .schema import RotationReport
from .analysis import PRONE, SEATED


def _html_section(report: Report, settings: Settings) -> str:
    from .report import _rotation_numbers

    return _rotation_numbers(report, settings)


def _html_plots(report: Report, series: Series, settings: Settings) -> list[str]:
    from .report import _rotation_plot

    return [_rotation_plot(report, series, settings)]


def _key_frame_time(report: Report) -> float | None:
    from .report import key_frame_time

    return key_frame_time(report)


def _show(outcome: Any) -> None:
    from .view import _rotation

    _rotation(outcome.report, outcome)


def _live(test: str, settings: Settings) -> Any:
    from .live import LiveRotation

    return LiveRotation(test, settings.rotation, settings.cleaning.min_visibility)


def _draw(run: Any, report: Any, image: Any, frame: int) -> Any:
    from .overlay import draw_rotation

    return draw_rotation(image, run, report, frame)


def _mirrored(settings: Settings) -> bool:
    return settings.rotation.mirrored


FAMILY = register_family(
    Family(
        name="rotation",
        analyzers=(SEATED, PRONE),
        titles={"seated": "Seated hip rotation", "prone": "Prone hip rotation"},
        metrics=metrics.METRICS,
        preferred_metrics=("ir_peak_deg", "er_peak_deg", "total_arc_deg"),
        flatten=metrics.flatten_rotation,
        instructions=recording.INSTRUCTIONS,
        illustration_pose=recording.illustration_pose,
        fixes={
            "one_side_only": "Film so both knees and ankles stay in the picture, with good light and no blanket or table edge over them.",
            "sides_assumed": "Place the camera as the test instructions show (in front for seated, at the feet for prone).",
            "no_neutral_start": "Start with both shins relaxed and hanging still for about a second, then rotate.",
            "no_movement": "Rotate each leg as far as it goes in both directions and hold each end position for about a second.",
            "shins_crossed": "Test external rotation one leg at a time, the other leg kept out of the way.",
            "one_direction_only": "Test both directions on each side: foot out (internal) and foot in (external).",
            "side_not_tested": "Rotate that leg too; hold each end position for about a second.",
            "tracking_doubtful": "Check the annotated video. For the prone test put stickers on the shins (--track markers) or mark them on one frame (--track assisted).",
        },
        key_frame_time=_key_frame_time,
        key_frame_caption="the largest held rotation",
        html_section=_html_section,
        html_plots=_html_plots,
        show=_show,
        live=_live,
        draw=_draw,
        trackable=True,
        mirrored=_mirrored,
        schema=RotationReport,
    )
)

"""Every default of hipvision, defined once.

Settings are frozen dataclasses; the CLI, the Streamlit app and batch mode read these and
override fields with :func:`dataclasses.replace`. Nothing here is mutated at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ModelVariant = Literal["lite", "full", "heavy"]
MODEL_VARIANTS: tuple[ModelVariant, ...] = ("lite", "full", "heavy")

#: Environment variable naming a model file to use (overrides models/ and the cache).
ENV_MODEL = "HIPVISION_MODEL"
#: Environment variable naming the folder where downloaded models are cached.
ENV_CACHE = "HIPVISION_CACHE"
#: Environment variable overriding the base URL models are downloaded from (mirrors, tests).
ENV_MODEL_URL = "HIPVISION_MODEL_URL"

#: Official MediaPipe model storage. Version pinned to /1/ (not /latest/) so results are
#: reproducible. ``{v}`` is the variant.
MODEL_URL_TEMPLATE = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{v}/float16/1/pose_landmarker_{v}.task"
)

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v"})
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"})
POSE_CSV_SUFFIXES = frozenset({".csv"})


@dataclass(frozen=True)
class ModelSettings:
    """Which pose model to use. ``path`` wins over everything; see :mod:`hipvision.models`."""

    variant: ModelVariant = "full"
    path: str | None = None
    allow_download: bool = True
    download_timeout_s: float = 30.0


@dataclass(frozen=True)
class PoseSettings:
    """Pose-estimation settings passed to the MediaPipe landmarker."""

    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    #: Every this many seconds of video, a second detector looks for more than one person
    #: (VIDEO-mode tracking follows one person only; tracking two halves the speed).
    #: 0 disables the check.
    multi_person_check_s: float = 2.0
    #: How many people the still-image and multi-person checks look for.
    max_people_checked: int = 2


@dataclass(frozen=True)
class SourceSettings:
    """How frames are read."""

    #: Frame rate assumed for a folder of images (they carry no timestamps).
    image_folder_fps: float = 30.0
    #: Stop after this many frames (None = all). Useful for webcams and quick looks.
    max_frames: int | None = None
    #: Stop a webcam after this many seconds (None = until interrupted).
    max_duration_s: float | None = None
    #: Frames decoded ahead of the pose model in a background thread (bounded memory).
    prefetch_frames: int = 8


@dataclass(frozen=True)
class CleaningSettings:
    """Landmark-track cleaning: confidence gate, short-gap fill, zero-phase low-pass."""

    #: Landmarks with visibility below this are treated as missing.
    min_visibility: float = 0.5
    #: Gaps up to this long (seconds) are filled by linear interpolation; longer stay NaN.
    max_gap_s: float = 0.25
    #: Butterworth low-pass cut-off (Hz). Human limb motion in these tests is < 3 Hz.
    cutoff_hz: float = 6.0
    filter_order: int = 2


@dataclass(frozen=True)
class RenderSettings:
    """Annotated-video drawing style (colours are RGB)."""

    left_color: tuple[int, int, int] = (255, 140, 0)  # person's left: orange
    right_color: tuple[int, int, int] = (0, 170, 255)  # person's right: blue
    center_color: tuple[int, int, int] = (235, 235, 235)
    min_visibility: float = 0.5
    crf: int = 23


@dataclass(frozen=True)
class Settings:
    """All settings of a run."""

    model: ModelSettings = field(default_factory=ModelSettings)
    pose: PoseSettings = field(default_factory=PoseSettings)
    source: SourceSettings = field(default_factory=SourceSettings)
    cleaning: CleaningSettings = field(default_factory=CleaningSettings)
    render: RenderSettings = field(default_factory=RenderSettings)


DEFAULT_SETTINGS = Settings()

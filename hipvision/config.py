"""Every default of hipvision, defined once.

Settings are frozen dataclasses; the CLI, the Streamlit app and batch mode read these and
override fields with :func:`dataclasses.replace`. Nothing here is mutated at run time.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ModelVariant = Literal["lite", "full", "heavy"]
MODEL_VARIANTS: tuple[ModelVariant, ...] = ("lite", "full", "heavy")

#: Environment variable naming a model file to use (overrides models/ and the cache).
ENV_MODEL = "HIPVISION_MODEL"
#: Environment variable naming the folder where downloaded models are cached.
ENV_CACHE = "HIPVISION_CACHE"
#: Environment variable overriding the base URL models are downloaded from (mirrors, tests).
ENV_MODEL_URL = "HIPVISION_MODEL_URL"
#: Environment variable naming hipvision's data folder (the history database lives there).
ENV_DATA = "HIPVISION_DATA"
#: Without ``$HIPVISION_DATA``: ``$XDG_DATA_HOME/hipvision``, else this under the home folder.
DEFAULT_DATA_SUBDIR = ".local/share"
DATA_APP_DIR = "hipvision"
#: File name of the history database inside the data folder.
HISTORY_FILENAME = "history.sqlite3"
#: Folder inside the data folder for the annotated videos the dashboard saves with sessions;
#: deleting a session deletes its video only when the file is inside this folder.
VIDEOS_DIRNAME = "videos"

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
    #: Every this many seconds of video, the pose detector alone counts the people in view
    #: (VIDEO-mode tracking follows one person only; tracking two halves the speed).
    #: 0 disables the check.
    multi_person_check_s: float = 2.0
    #: that count: detections overlapping by more than this intersection over union are one
    #: person (greedy non-maximum suppression; 0.3 as the landmarker's own detector stage)
    people_overlap_iou: float = 0.3
    #: and detections whose body centres lie closer than this many body radii are one person:
    #: one body found twice (an upright and an upside-down reading of a bent body) had its
    #: centres at most 0.38 radii apart (269 such pairs on the 45 renders, every frame, and the
    #: real clips every 0.5 s); two people side by side at least 0.74 (benchmarks/people_check.py)
    people_same_body: float = 0.55
    #: How many people a still image is searched for (the largest is kept).
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
    #: Frames decoded ahead of the pose model in a background thread (bounded memory:
    #: each is a full RGB frame, 2.6 MiB at 720p). 4 covers the multi-person check that
    #: runs on that thread (the pose detector, under one model frame) without the model waiting.
    prefetch_frames: int = 4
    #: Videos with more pixels a frame than this are decoded with FFmpeg's own threads; up to
    #: it (1080p) on the decode thread alone: 720p takes 4 ms a frame there, and the pose
    #: model on the other core ran 4-10 % faster end to end than with threaded decoding
    #: (benchmarks/extract_benchmark.py section 3, paired runs; 4K would be too slow alone).
    threaded_decode_above_px: int = 1920 * 1080

    def __post_init__(self) -> None:
        if self.max_frames is not None and self.max_frames < 1:
            raise ValueError(f"max_frames must be 1 or more, got {self.max_frames}")
        for name in ("image_folder_fps", "max_duration_s"):
            v = getattr(self, name)
            if v is not None and not v > 0:
                raise ValueError(f"{name} must be above 0, got {v}")


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
class PlausibilitySettings:
    """The whole-skeleton plausibility gate (hipvision.plausibility): frames whose skeleton
    no body can take are left out before any number is computed. "leg" = the clip's leg
    length in the image (90th percentile of thigh + shin, px). Set on the real clips of
    ../shared/media and the synthetic sweeps (docs/DESIGN.md): the good-form clips stay far
    inside every bound, the synthetic sweeps reject no frame."""

    enabled: bool = True
    #: world landmarks (metres, they do not foreshorten): thigh, shin, hip width and trunk
    #: between these shares of their median over the clip. Good-form real clips stay within
    #: 0.78-1.20 of it, but MediaPipe's world thigh shortens to 0.70 at the bottom of a deep
    #: squat seen from the side (hence the wider lower bound); the glitches seen (legs drawn
    #: on the arms, a body read side on for one frame, a cross-fade) reach 0.2-0.6
    min_world_length_ratio: float = 0.6
    max_world_length_ratio: float = 1.4
    #: ... widened to this many times the clip's own frame-to-frame scatter of that length
    #: when that is larger (noisy world landmarks, e.g. a small, far person: a wide bound)
    world_length_noise_k: float = 6.0
    #: ... except the hip width, judged against this percentile over the clip, not the
    #: median: the pose model draws the two hips together (collapse, never a stretch), and on
    #: a faceless body it can do so for most of a clip. Rendered Mannequin, standing: world
    #: hip width 0.02-0.13 m (other avatars and its own rep bottoms 0.21-0.24 m); the median
    #: (0.10-0.15 m) then sat between the two and rejected the correct bottoms as too wide
    #: (single-leg squat: hip, knee and ankle within 0-4 % of the leg of the rig's joints
    #: there) along with the collapsed standing frames: 72-74 % of the clip, refused
    world_hip_width_percentile: float = 90.0
    #: image (px): only too LONG counts (foreshortening only shortens a segment): beyond this
    #: factor of the length's ``image_length_percentile`` over the clip
    max_image_length_ratio: float = 1.5
    image_length_percentile: float = 90.0
    #: ... and longer than that percentile by at least this share of the leg (a thigh seen
    #: end-on in the seated test is a few pixels long: pixel noise alone can double it)
    min_stretch_leg: float = 0.1
    #: no body part moves faster than this, in leg lengths per second (a 0.9 m leg: 2.7 m/s,
    #: about twice the knee and hip speeds of a brisk squat)
    max_speed_leg_per_s: float = 3.0
    #: a hip, knee, ankle or shoulder further (in x or y) from the median of its own track
    #: over this window (s) than max_speed x window / 4 (the most a point moving at that
    #: speed can depart from its window's median, at a reversal; 0.375 leg) has jumped.
    #: Bursts of bad frames up to half the window long are found
    jump_window_s: float = 0.5
    #: one frame off the midpoint of its two neighbours (which agree) by more than
    #: max_speed x the time step, and by at least this share of the leg, is a spike (the
    #: floor keeps pixel jitter out: 5 px on a 225 px leg, the synthetic sweep's worst,
    #: reaches 0.1 about once per clip, 0.15 practically never)
    min_spike_leg: float = 0.15
    #: a leg on an arm: a knee or ankle within this share of the leg from a wrist or elbow
    #: (either side) ...
    arm_radius_leg: float = 0.15
    #: ... while further than this share of the leg from the median of its own track over
    #: ``arm_window_s`` (hands near the knees are normal: at the bottom of a deadlift, seated)
    arm_displacement_leg: float = 0.25
    arm_window_s: float = 2.0
    #: left/right swaps (screening, frontal views; the rotation tests swap back in
    #: hipvision.sides instead): hips (and knees in two-legged tests) in the reverse order by
    #: this share of their usual distance apart ...
    swap_min_separation: float = 0.25
    #: ... checked only when the hips are usually at least this share of the leg apart in the
    #: image (a frontal or rear view; from the side they overlap and their order is noise)
    swap_min_hip_width_leg: float = 0.12
    #: ``doubtful_pose`` warning: a rep's bottom (the frames its numbers come from) or a held
    #: peak with more than this share of rejected frames (0: any; their values were
    #: interpolated over, or are missing) ...
    doubtful_warn_share: float = 0.0
    #: ... or more than this share of the clip's frames with a person rejected
    doubtful_clip_warn_share: float = 0.1
    #: refuse to analyse (AnalysisError) when more than this share of the frames with a
    #: person were rejected: the numbers would rest on the few frames left
    refuse_share: float = 0.5


@dataclass(frozen=True)
class Band:
    """A norm range in degrees (``low``..``high``) with where it comes from."""

    low: float
    high: float
    source: str


@dataclass(frozen=True)
class RotationSettings:
    """Seated and prone hip-rotation tests (hipvision.analyzers.rotation)."""

    #: the video is mirrored (selfie camera): swap the person's left and right
    mirrored: bool = False
    #: frames whose knees (or hips) appear in the reverse left-right order, by this share of
    #: their usual distance apart, had their sides swapped by the pose model: swapped back
    #: (the knees never cross in these tests; see hipvision/sides.py)
    swap_min_separation: float = 0.25
    #: shin angles beyond this are not a hip rotation (a misplaced knee or ankle): dropped
    max_plausible_deg: float = 100.0
    #: a still period at least this long establishes each shin's neutral (vertical) direction
    neutral_window_s: float = 0.6
    #: "still" = the shin angle's standard deviation within the window is below this
    still_sd_deg: float = 1.5
    #: a neutral period beginning this soon after the first frame counts as "at the start"
    neutral_start_within_s: float = 1.0
    #: a neutral shin must lie within this of the image vertical (camera roll + posture)
    neutral_max_offset_deg: float = 20.0
    #: at a common neutral, left + right lateral offsets must cancel within this ...
    neutral_max_disagreement_deg: float = 6.0
    #: ... and the camera roll they imply must stay below this
    max_plausible_roll_deg: float = 12.0
    #: an excursion beyond this from neutral counts as a rotation attempt
    attempt_threshold_deg: float = 8.0
    #: the held end range is the highest level kept (moving median) for this long ...
    hold_s: float = 0.5
    #: ... and is reported as the median of the plateau around it: the frames within
    #: max(plateau_tolerance_deg, plateau_tolerance_frac * peak) of that level
    plateau_tolerance_deg: float = 2.0
    plateau_tolerance_frac: float = 0.1
    #: tests whose peak is withheld (warning ``peak_unseen``) when its plateau runs into
    #: frames without a shin (most of ``hold_s`` beside it left out by the pose check): the
    #: held end range was there, unseen (on the renders the ramps beside such a gap read
    #: 13-27 deg for a 40 deg hold)
    unseen_peak_tests: tuple[str, ...] = ("seated",)
    #: low-pass cut-off for the knee/ankle tracks; rotation moves are slow (< 1 Hz)
    cutoff_hz: float = 3.0
    #: tests whose shins are measured from the knee's neutral image position instead of the
    #: knee landmark of each frame (the thigh is held still; the landmark slides down the
    #: shin in IR and read IR 1.4-4.7 deg low on the rendered clips; hipvision/shin_axis.py)
    knee_anchor_tests: tuple[str, ...] = ("seated",)
    #: ... the anchor is the median knee over the frames within this of the neutral direction
    knee_anchor_neutral_deg: float = 3.0
    #: ... and each frame's knee is this share of the way from its landmark to the anchor
    #: (1 = the anchor alone). Chosen on the Xbot and Mannequin seated renders (both looks;
    #: best of 0-1 in steps: 0.6), Ely held out: seated IR/ER MAE 1.4 deg, worst 2.7 there
    knee_anchor_weight: float = 0.6
    #: ... and frames whose shin is shorter in the image than this share of its neutral
    #: length are left out (swung back or forward, not rotated; chosen on the four
    #: default-look seated renders, checked on the dressed ones)
    shin_min_length_ratio: float = 0.85
    #: left and right within this many degrees count as equal (Ellison 1990)
    equal_within_deg: float = 10.0
    #: the old constant measurement error (schema 1.1); reports now carry a per-number band
    #: (hipvision.bands, BandSettings) and asymmetry.*.measurement_error_deg is its alias
    measurement_error_deg: float = 3.0
    #: norm bands per test and direction
    norms: tuple[tuple[str, str, Band], ...] = (
        ("seated", "ir", Band(30.0, 45.0, "seated IR 30-45 deg; 35 often called sufficient; Kouyoumdjian 2012 mean 37.9")),
        ("seated", "er", Band(50.0, 90.0, "ER 50-90 deg (clinical texts)")),
        ("prone", "ir", Band(35.0, 50.0, "prone IR about 45 deg; Kouyoumdjian 2012 mean 35.2")),
        ("prone", "er", Band(50.0, 90.0, "ER 50-90 deg (clinical texts); Kouyoumdjian 2012 prone mean 41.8")),
        ("seated", "arc", Band(75.0, 100.0, "total rotational arc 75-100 deg")),
        ("prone", "arc", Band(75.0, 100.0, "total rotational arc 75-100 deg")),
    )
    #: pelvis (hip midpoint) movement beyond this share of the hip width is compensation
    max_pelvis_shift_frac: float = 0.25
    #: knee movement beyond this share of the shin length means the thigh moved
    max_knee_shift_frac: float = 0.15
    #: the same for the tests whose knee is anchored (``knee_anchor_tests``: seated), counting
    #: only movement across the shin: the pose model's knee slides along the shin as it turns,
    #: and on the seated renders with the thighs held still it still moved 16-34 % of the
    #: shin across it (benchmarks/render, 7 clips, 3 avatars, 2 looks; along and across
    #: together: 20-58 %), so below 35 % a moved thigh cannot be told from the model's knee
    max_knee_shift_frac_anchored: float = 0.35
    #: prone test: warn when the knee is further than this from 90 deg flexion (world landmarks)
    knee_flexion_tolerance_deg: float = 20.0
    #: warn when the camera looks at the person more than this far off axis (world landmarks)
    max_camera_yaw_deg: float = 10.0
    #: warn when the camera is rolled more than this (corrected, but a hint to level it)
    max_camera_roll_deg: float = 6.0

    def band(self, test: str, key: str) -> Band | None:
        for t, k, b in self.norms:
            if t == test and k == key:
                return b
        return None


@dataclass(frozen=True)
class ScreeningSettings:
    """Squat / single-leg squat / hinge screening (hipvision.analyzers.screening).

    FPPA thresholds: the upper end of the normative ranges. Landing norms 7-13 deg in women
    and 3-8 deg in men (Herrington & Munro 2010); single-leg squat FPPA in healthy women
    8.4 +- 5.1 deg vs 16.8 +- 5.4 deg with patellofemoral pain (Herrington 2014). A change
    within one person must exceed about 8 deg to be real (Munro 2012). There is no validated
    cut-off for lateral hip shift: its flag is descriptive.
    """

    #: "female", "male" or "unspecified": picks the FPPA threshold
    sex: str = "unspecified"
    fppa_threshold_female_deg: float = 13.0
    fppa_threshold_male_deg: float = 8.0
    fppa_threshold_unspecified_deg: float = 10.0
    #: overrides the per-sex threshold when set
    fppa_threshold_deg: float | None = None
    #: within-person change that counts as real (Munro 2012); used for left-right notes
    fppa_real_change_deg: float = 8.0
    #: lateral hip shift flag, % of the distance between the hip landmarks (descriptive)
    hip_shift_threshold_pct: float = 15.0
    #: a rep must go down at least this share of the standing leg (squat) or trunk (hinge)
    min_rep_depth: float = 0.08
    #: reps closer than this are merged (s)
    min_rep_separation_s: float = 0.5
    #: two bottoms are two reps when the person comes back up between them by at least this
    #: share of the shallower one's depth (and by ``min_rep_depth``), even without standing
    #: up fully; less is one rep (wobbles while pausing at the bottom, a hitch on the way up)
    rep_split_rise: float = 0.4
    #: a "rep" deeper than half its depth for less than this (s) is a tracking jump (a cut
    #: or cross-fade in an edited video), listed as incomplete; a 1 s squat stays ~0.35 s
    min_rep_half_width_s: float = 0.25
    #: a rep starts/ends where depth is within this share of its range from the baseline
    rep_return_fraction: float = 0.05
    #: a rep is complete when it starts and ends within this share of its depth from
    #: standing and its bottom lies inside the clip; reps the clip cuts off (it starts or
    #: ends mid-rep) are listed but not counted, summarised or flagged
    rep_complete_tolerance: float = 0.25
    #: the "bottom" of a rep: frames at or beyond this share of its peak depth
    bottom_fraction: float = 0.9
    #: FPPA and hip shift at the bottom come from the frames at or beyond this share of the
    #: rep's peak depth: a line fitted to value against depth there (outliers dropped), read
    #: at the peak. More frames than ``bottom_fraction`` (noise), no bias from the frames on
    #: the way down (the line follows the trend)
    bottom_fit_fraction: float = 0.75
    #: low-pass cut-off (Hz) for the screening tracks; squat and hinge reps last >= 1 s
    cutoff_hz: float = 4.0
    #: hinges: depth from the trunk's inclination in the world landmarks when they exist (a
    #: frontal camera barely sees the shoulders drop); False = from the image only
    hinge_depth_from_world: bool = True
    #: remove the sideways shift a body turned from the camera adds (the pelvis moving back)
    #: using the world landmarks' hip line. Off by default: right on synthetic clips with a
    #: known turn, but on the real good-form front squat MediaPipe's world hip line read a
    #: 4-5 deg turn and the correction added a steady 6-8 % shift (docs/DESIGN.md)
    hip_shift_turn_correction: bool = False
    #: view check from the body's turn away from the camera (MediaPipe world landmarks: the
    #: hip and shoulder lines' angle in the ground plane): up to this it is frontal (or rear) ...
    frontal_max_yaw_deg: float = 20.0
    #: ... from this on a side view; in between oblique (valgus and hip shift withheld)
    side_min_yaw_deg: float = 50.0
    #: a frontal view with the body turned more than this (deg) gets a caution: at deep knee
    #: flexion the thighs point at the camera and 2-D FPPA moves ~2.5 deg per degree of turn
    turned_warn_deg: float = 8.0
    #: without world landmarks: shoulder width / trunk length at or above this is frontal ...
    frontal_min_width_ratio: float = 0.65
    #: ... at or below this a side view
    side_max_width_ratio: float = 0.3
    #: FPPA needs a thigh that still points down the image: frames where its downward extent
    #: is less than this share of its standing length are left out (deep squats, where the
    #: thigh points at the camera or sideways and the 2-D angle loses its meaning)
    min_thigh_ratio: float = 0.5
    #: peak valgus: FPPA is followed through the whole rep (descent and ascent), over the
    #: frames deeper than this share of the rep's depth (standing frames say nothing about a
    #: loaded knee) where the thigh is measurable (``min_thigh_ratio``); the highest value of
    #: its running median over ``peak_median_s`` is the rep's peak valgus, and the valgus flag
    #: is raised on it. A collapse on the way up, the common pattern, is seen there.
    peak_window_fraction: float = 0.5
    peak_median_s: float = 0.2
    #: fewest measurable frames for a peak
    peak_min_frames: int = 3
    #: a gap in detection longer than this (s) means the person left the frame
    max_missing_s: float = 0.5
    #: FPPA as a level camera square in front at knee height sees it, from each leg rebuilt
    #: in 3-D out of the image (foreshortening against the standing segment lengths), instead
    #: of the 2-D angle as the phone sees it. Off: right on exact joints (rendered rig: 1.9 ->
    #: 0.9 deg square on, 4.0 -> 2.1 deg from chest height) but no better on the pose model's
    #: landmarks (3.4 vs 3.7 deg), and it swings where they are poor (docs/DESIGN.md)
    fppa_square_view: bool = False
    #: the phone's lens as a 35 mm-equivalent focal length (mm): main cameras are 23-28 mm;
    #: it sets the perspective of the rebuilt legs (10 % off moves FPPA by < 0.3 deg)
    camera_focal_35mm: float = 26.0
    #: a body turned from the camera moves a bent knee's FPPA by up to ~2 deg per degree, and
    #: neither the pose model's world landmarks nor the image measure the turn well enough to
    #: correct for it: FPPA is withheld when the turn (geometry.body_turn_deg over the frontal
    #: reps) exceeds this (deg; on the rendered and real test clips square views read 1.3-4.6,
    #: turns of 10 deg 6.4-17.6: docs/DESIGN.md) ...
    fppa_max_turn_deg: float = 5.5
    #: ... and would move FPPA by more than this (deg) at the rep's bottom
    fppa_turn_tolerance_deg: float = 3.0
    #: single-leg tests read that turn on a two-legged standing start instead (in single-leg
    #: stance the world hip and shoulder lines read square rendered bodies turned 7-12 deg;
    #: hipvision.stance_turn): frames before the first rep with the free ankle at most this
    #: many stance-leg lengths above the stance ankle in the image (rendered: both feet down
    #: -0.02 to 0.02, lifted 0.14-0.19) ...
    two_leg_start_max_rise: float = 0.08
    #: ... at least this long (s); with less, a single-leg FPPA is withheld (turn unknown) ...
    two_leg_start_min_s: float = 0.5
    #: ... and a turn read there counts beyond this (deg), not ``fppa_max_turn_deg``: standing
    #: starts separate worse than squat reps (rendered, 1 s before the first rep: square
    #: Xbot 0.5-0.7 but Mannequin 4.6, Ely 9.5-13.2, a chest-high camera 10.3; bodies turned
    #: 10 deg 4.2-20, a single-leg Xbot at +10 deg 4.7, which passed 5.5 and read 13.8 deg off)
    two_leg_start_max_turn_deg: float = 3.0
    #: single-leg tests: the stance knee's FPPA is withheld where the free leg hides it
    #: (hipvision.stance_leg): the pose model's stance knee closer to the free thigh or shin
    #: in the image than this share of the stance leg's standing length (rendered single-leg
    #: squats, three avatars: bottoms at 0.02-0.16 were misread by 8-26 deg, at 0.20-0.28
    #: by up to 5 deg; benchmarks/render/README.md) ...
    stance_knee_min_gap: float = 0.18
    #: ... in more than this share of a rep's bottom frames
    stance_knee_hidden_share: float = 0.5
    #: single-leg tests: a rep's hip shift and stance-knee FPPA are withheld where the pose
    #: model's stance and free ankles lie in the reversed left-right order (its legs' labels
    #: swapped; hipvision.swapped_legs) in more than this share of the rep's frames deeper
    #: than ``peak_window_fraction`` of it (rendered single-leg squats: 50 % in the Xbot rep
    #: it misread, 0 % in the 5 others measured)
    swapped_legs_max_share: float = 0.25
    #: ... counting also the frames where the two ankles, in their standing order, lie closer
    #: together across the body than this share of their standing distance apart (both labels
    #: on one leg; rendered: Xbot 10 deg off, 28 deg rep, 2-9 px of 34 px and a hip shift of
    #: 36 % for a true 0; every other rendered rep's deeper half kept 0.59 of it or more)
    swapped_legs_min_separation: float = 0.25

    def fppa_threshold(self) -> float:
        if self.fppa_threshold_deg is not None:
            return self.fppa_threshold_deg
        return {
            "female": self.fppa_threshold_female_deg,
            "male": self.fppa_threshold_male_deg,
        }.get(self.sex, self.fppa_threshold_unspecified_deg)


@dataclass(frozen=True)
class RenderSettings:
    """Annotated-video drawing style (colours are RGB)."""

    left_color: tuple[int, int, int] = (255, 140, 0)  # person's left: orange
    right_color: tuple[int, int, int] = (0, 170, 255)  # person's right: blue
    center_color: tuple[int, int, int] = (235, 235, 235)
    min_visibility: float = 0.5
    crf: int = 23
    #: x264 preset of annotated videos: ``ultrafast`` costs about a third of ``veryfast``'s
    #: CPU for files about three times larger at the same ``crf`` (figures in
    #: benchmarks/extract_benchmark.py); a review video, not an archive
    video_preset: str = "ultrafast"
    #: annotated video written in the analysis pass: the last frames, up to this many MiB of
    #: JPEG-compressed frames, wait for the analysis and get its overlay (see
    #: :class:`hipvision.pipeline.AnnotatedVideoSink`); 0 = skeleton only, no end card
    video_buffer_mib: float = 64.0
    #: seconds at the end of an analysed annotated video that show the report's numbers
    end_card_s: float = 2.0
    #: blur faces (nose, eyes, ears, mouth landmarks) in saved videos and report key frames
    blur_faces: bool = False
    #: the blurred ellipse's half-width as a multiple of the face landmarks' spread
    #: (ear to ear, else eye to eye); its height is ``face_blur_aspect`` times that
    face_blur_scale: float = 1.4
    face_blur_aspect: float = 1.35
    #: without a usable spread (one face point seen): half-width = this share of the
    #: shoulder width, else of the image's shorter side
    face_blur_shoulder_frac: float = 0.45
    face_blur_image_frac: float = 0.06
    #: pixel blocks across the ellipse's width (fewer = coarser); then a Gaussian blur
    face_blur_blocks: int = 6
    #: frames without a pose keep the last face region for this long (s), so a missed
    #: detection does not reveal the face
    face_blur_hold_s: float = 1.0


@dataclass(frozen=True)
class HistorySettings:
    """The local history database (hipvision.history)."""

    #: database file; None = ``history.sqlite3`` in the data folder (see ``default_history_path``)
    path: str | None = None
    #: wait this long for another writer (the app and the CLI at once) before failing
    busy_timeout_s: float = 10.0


@dataclass(frozen=True)
class ReportSettings:
    """The printable HTML report (hipvision.report_html)."""

    #: the key frame is scaled down to at most this size (px) before embedding
    key_frame_max_width: int = 720
    key_frame_max_height: int = 540
    #: plot size in the page (SVG user units ~ CSS px)
    plot_width: int = 680
    plot_height: int = 240


@dataclass(frozen=True)
class BatchSettings:
    """Batch mode (hipvision.batch): many clips, parallel, resumable."""

    #: worker processes of the local engine and of a local Dask cluster (None = all cores)
    workers: int | None = None
    #: a Dask worker runs one clip at a time (one landmarker uses about one core)
    dask_threads_per_worker: int = 1
    #: video files a folder scan picks up (besides pose CSVs, see POSE_CSV_SUFFIXES)
    video_suffixes: frozenset[str] = VIDEO_SUFFIXES
    #: manifest column naming the clip (relative to the manifest's folder) and the test
    manifest_path_column: str = "path"
    manifest_test_column: str = "test"
    #: optional manifest columns for rotation-test videos: the tracking mode (as --track),
    #: the assisted-mode marks ("left_knee=X,Y;left_ankle=X,Y;right_knee=X,Y;right_ankle=X,Y"),
    #: and the frame they were placed on
    manifest_track_column: str = "track"
    manifest_marks_column: str = "marks"
    manifest_mark_frame_column: str = "mark_frame"
    #: output names inside OUT_DIR
    state_file: str = "batch.sqlite3"
    clips_folder: str = "clips"
    summary_csv: str = "summary.csv"
    summary_parquet: str = "summary.parquet"
    #: the readable part of a clip's output folder name is cut to this many characters
    #: (a hash of the full relative path follows, so names never collide)
    folder_name_chars: int = 60


@dataclass(frozen=True)
class MarkerColor:
    """A sticker colour as OpenCV HSV ranges (H 0..180, S and V 0..255). Red-like hues
    wrap around 0/180, so a colour may have several hue ranges."""

    name: str
    hue_ranges: tuple[tuple[int, int], ...]
    min_saturation: int = 110
    min_value: int = 70


#: sticker colours the marker tracker knows (``--marker-color``); fluorescent/saturated
MARKER_COLORS: dict[str, MarkerColor] = {
    "green": MarkerColor("green", ((38, 85),), min_saturation=80),
    "pink": MarkerColor("pink", ((145, 175),)),
    "orange": MarkerColor("orange", ((5, 22),), min_value=110),
    "blue": MarkerColor("blue", ((95, 125),)),
}

TrackMode = Literal["markers", "assisted", "model", "auto"]
TRACK_MODES: tuple[str, ...] = ("markers", "assisted", "model", "auto")


@dataclass(frozen=True)
class TrackingSettings:
    """Knee/ankle tracking without (or checking) the pose model (hipvision.tracking)."""

    # -- marker mode
    marker_color: str = "green"
    #: a sticker blob must be at least this big (radius, px) ... (smaller = glare/noise)
    min_marker_radius_px: float = 2.5
    #: ... and at most this share of the image width (radius)
    max_marker_radius_frac: float = 0.06
    #: 4 pi area / perimeter^2 of the blob's outline; a disc seen face-on is 1
    min_circularity: float = 0.6
    #: blob area / area of its enclosing circle: a disc 1, a disc seen 60 deg off-axis 0.5;
    #: a mostly covered disc falls below (a half-covered one is caught by the area check)
    min_fill: float = 0.5
    #: a tracked sticker's area must stay within this factor of its running median
    max_area_change: float = 1.5
    #: the two stickers of a shin must stay within this share of their median distance
    max_shin_length_change: float = 0.25
    #: shins must be within this of the image vertical on the frame where tracking starts
    init_max_tilt_deg: float = 30.0
    #: a sticker may move at most this share of the shin length between frames ...
    max_step_frac: float = 0.3
    #: ... (the search radius grows by this factor per missed frame, up to 2x)
    step_growth_per_miss: float = 0.25
    #: a missing sticker may have kept its last velocity for at most this many frames ...
    lost_predict_frames: int = 10
    #: ... and this share of the shin length (a sticker hidden mid-turn turns on)
    max_lost_path_frac: float = 0.8
    #: a sticker found again must be this many times nearer its own prediction than the
    #: other leg's same sticker (also missing) is to it; else it is left out as ambiguous
    identity_margin: float = 2.0
    #: ... and the shin it makes with its leg's other sticker may have turned at most this
    #: much per frame since that leg was last seen (a hip rotates well under 300 deg/s)
    max_turn_deg_per_frame: float = 15.0
    #: all four stickers missing this many frames in a row: look for them afresh
    reinit_after_missed_frames: int = 30
    # -- assisted mode (each marked shin followed as a rigid strip, ECC alignment)
    #: half width of the strip followed along the marked shin line, share of the marked
    #: knee-ankle distance (a calf is ~0.25-0.3 of the shin long: the strip holds its outline)
    strip_half_width_frac: float = 0.25
    #: the strip runs this share of the marked distance beyond both marks
    strip_margin_frac: float = 0.1
    #: knee and ankle marks must be at least this far apart (px)
    min_mark_distance_px: float = 20.0
    #: the strip at the marked frame must show at least this much contrast (SD, grey levels
    #: 0..255; a plain surface with camera noise ~2): else "no texture"
    min_strip_contrast: float = 4.0
    #: per frame the shin is first searched by turning it about the knee this far either side
    #: of the turn predicted from the last frame, in steps of ...
    search_deg: float = 12.0
    search_step_deg: float = 2.0
    #: ECC correlation with the previous frame's strip below this = lost (appearance changed)
    min_frame_cc: float = 0.8
    #: the strip is re-aligned to the last keyframe (removes frame-to-frame drift) when that
    #: correlates at least this well and moves the ends by < max_key_shift_px; otherwise the
    #: current strip becomes the new keyframe
    min_key_cc: float = 0.9
    max_key_shift_px: float = 3.0
    #: forward-backward: aligning the new strip back onto the previous frame must return the
    #: ends within this many px, else the shin is lost
    max_fb_error_px: float = 2.0
    #: two shins whose strips overlap by more than this share are not measured (NaN), and a
    #: lost shin is never found again where the other one is
    max_overlap_frac: float = 0.25
    #: a shin lost while crossing the other is taken to be hidden where it was last seen for
    #: this many frames (masked from the other's alignment, its place not taken): after that,
    #: frames count as lost, not crossed
    crossing_memory_frames: int = 90
    #: the other shin is hidden from a shin's alignment by its strip widened by this share of
    #: its length on every side (its foot sticks out)
    mask_grow_frac: float = 0.1
    #: a lost shin is searched for again, turned about its last knee position up to this far,
    #: and accepted when its marked or last good look correlates at least ...
    reacquire_search_deg: float = 45.0
    reacquire_min_cc: float = 0.93
    #: ... and reported again once it has been followed (all checks passed) this many frames
    reacquire_confirm_frames: int = 2
    # -- model mode plausibility gate
    gate_min_visibility: float = 0.5
    #: shin (and thigh) length within this share of its median (thigh: of the median shin)
    gate_max_length_change: float = 0.25
    #: a knee/ankle further than this share of the shin from its moving median = a jump
    gate_max_jump_frac: float = 0.15
    gate_jump_window: int = 9
    #: a median shin shorter than this share of the image height = a collapsed skeleton
    gate_min_shin_frac: float = 0.05
    #: neutral start: the median shin in the first second within this of the image vertical
    gate_max_start_tilt_deg: float = 25.0
    #: prone: the pose model's legs are refused (auto falls through to stickers, or asks for
    #: marks) when a side's knee/ankle fail any frame check above in more than this share of
    #: the frames they were found in: the frames they pass are wrong too. Measured (issue 15,
    #: benchmarks/render, full model): on 12 rendered prone clips (6 views and avatars, with
    #: and without stickers) the legs failed in 41-100 % of the frames, and the frames they
    #: passed were 2-26 deg off the true shin angle (median; 90th percentile 7-52 deg); the
    #: run issue 15 reported, accepted with 7-11 % failed, gave peaks up to 16.5 deg wrong.
    #: Correct legs (generated clips, 1-8 px noise) fail in 0 %.
    gate_max_failed_share_prone: float = 0.03
    #: seated: no such limit. The model's legs on 4 rendered seated clips failed in 18-39 % of
    #: the frames (shin length, jumps, swapped labels, which the analyzer undoes) while the
    #: frames they passed were 0.5-3.9 deg (median) off the true shin angle.
    gate_max_failed_share_seated: float = 1.0
    #: a mode is usable when each measured side has knee+ankle in at least this share of frames
    min_usable_fraction: float = 0.6


@dataclass(frozen=True)
class BandSettings:
    """Error bands (hipvision.bands): 95 % half-widths, ``sqrt(base**2 + sum(term**2))``.

    Provenance: ``benchmarks/render`` end to end on the cached renders (2026-12, mediapipe
    full model), calibrated by ``benchmarks/render/band_coverage.py`` so that >= 95 % of the
    rendered numbers lie inside their own band; the fit clips and the held-out clips are
    listed there and in docs/REPORT_SCHEMA.md. Figures are rounded up."""

    #: rotation peaks, base per (test, tracker), deg. seated/model: the 9 swap-free seated
    #: peaks were 2.3 deg MAE, worst 5.6 (benchmarks/render/README.md); prone/markers: MAE
    #: 0.3-0.6, worst 1.7 without the identity swap (ibid.); assisted: MAE 0.4-1.2, worst
    #: 4.2 (prone-ely-feet ER, band_coverage.py); prone/model: held frames 2-26 deg off the
    #: true shin (README, issue 15 table). The landmark-confidence term applies to the pose
    #: model only (markers' and assisted confidences are other scales)
    rotation_bases: tuple[tuple[str, str, float], ...] = (
        ("seated", "model", 4.0),
        ("seated", "markers", 2.0),
        ("seated", "assisted", 4.5),
        ("prone", "model", 10.0),
        ("prone", "markers", 2.0),
        ("prone", "assisted", 4.5),
    )
    #: the pose model reads larger shin angles worse (seated IR read 1.4-4.6 deg low, more at
    #: larger angles: issue 15): deg per deg of the peak
    rotation_per_deg_of_value: float = 0.06
    #: camera roll is corrected from the neutral shins; what is left grows with it (camera
    #: column of the benchmark <= 1 deg at rolls of 4-5 deg): deg per deg of roll
    rotation_roll_per_deg: float = 0.2
    #: the vertical reference's confidence (rotation.vertical_reference): neutral shins that
    #: disagree by 3-6 deg (medium) or the image vertical (low) add up to that disagreement
    vertical_confidence_deg: tuple[tuple[str, float], ...] = (("high", 0.0), ("medium", 3.0), ("low", 6.0))
    #: landmark confidence (visibility) at the read frames below ``confidence_ok`` adds
    #: ``confidence_deg_per_unit`` x the shortfall (0.5 visibility -> 0.45 x 20 = 9 deg)
    confidence_ok: float = 0.95
    confidence_deg_per_unit: float = 40.0
    #: share of doubtful frames (pose_check.doubtful_pct): deg per % of the clip
    doubtful_deg_per_pct: float = 0.25
    #: rotation: share of the held peak's frames rejected for its leg (%)
    hold_doubtful_deg_per_pct: float = 0.2
    #: left/right swaps the analyser undid (sides_swapped, % of frames): short swap bursts
    #: cost 11-20 deg at 38 % swaps on the tilted Xbot (README): deg per %
    swapped_deg_per_pct: float = 0.5
    #: prone/seated model legs that failed the tracking gate's frame checks (% of frames)
    failed_deg_per_pct: float = 0.1
    #: screening FPPA, base per test, deg: square on 3.4 deg MAE, worst 7.2-11.2 (README camera
    #: sweep); single-leg squat model error up to 12.7 deg (README); hinge MAE 2.1, worst 4.2
    fppa_bases: tuple[tuple[str, float], ...] = (
        ("squat", 7.0),
        ("single-leg-squat", 9.0),
        ("hinge", 5.0),
        ("single-leg-hinge", 9.0),
    )
    #: the body's turn: its reading is at least this (square views read 0.5-3.9 deg: README
    #: camera sweep), times the knee's FPPA change per degree of turn at the read frames,
    #: times ``fppa_turn_factor``; unknown change per degree -> ``fppa_turn_unknown_deg``
    turn_floor_deg: float = 3.0
    fppa_turn_factor: float = 1.0
    fppa_turn_unknown_deg: float = 3.0
    #: FPPA read above the bottom (thigh foreshortened deeper down): the thigh is already
    #: short in the image there, so its direction is less certain
    fppa_foreshortened_deg: float = 3.0
    #: a rep whose bottom rests on rejected frames (doubtful_pose)
    rep_doubtful_deg: float = 5.0
    #: hip shift, base per test, % of the hip width: the square-on rendered squats (Xbot at
    #: knee and chest height) read 3-10 % off (band_coverage.py); single-leg 5-10 % (Ely)
    shift_bases: tuple[tuple[str, float], ...] = (
        ("squat", 10.0),
        ("single-leg-squat", 12.0),
        ("hinge", 10.0),
        ("single-leg-hinge", 12.0),
    )
    #: a turned body's pelvis moving back reads as a sideways shift: 19-22 % where a rep's
    #: yaw read 16-18 deg on the turned Xbot squats (band_coverage.py) -> % per deg of the
    #: turn beyond ``turn_floor_deg`` (the larger of the clip's turn and the rep's yaw) ...
    shift_pct_per_turn_deg: float = 2.0
    #: ... and when neither could be read (no world landmarks): the view check's 20 deg
    shift_turn_unknown_pct: float = 34.0
    shift_confidence_pct_per_unit: float = 20.0
    shift_doubtful_pct_per_pct: float = 0.2
    rep_doubtful_shift_pct: float = 5.0
    #: single-leg: the stance knee's FPPA withheld in the rep (free leg hiding it, or a turn):
    #: the hip shift read 33 % for a true 0 where the free leg hid the stance knee
    #: (sls-xbot-front rep 3, band_coverage.py)
    shift_stance_withheld_pct: float = 30.0

    def rotation_base(self, test: str, tracker: str) -> float:
        for t, k, v in self.rotation_bases:
            if t == test and k == tracker:
                return v
        return max(v for *_, v in self.rotation_bases)

    def fppa_base(self, test: str) -> float:
        return dict(self.fppa_bases).get(test, max(v for _, v in self.fppa_bases))

    def shift_base(self, test: str) -> float:
        return dict(self.shift_bases).get(test, max(v for _, v in self.shift_bases))


@dataclass(frozen=True)
class Settings:
    """All settings of a run."""

    model: ModelSettings = field(default_factory=ModelSettings)
    pose: PoseSettings = field(default_factory=PoseSettings)
    source: SourceSettings = field(default_factory=SourceSettings)
    cleaning: CleaningSettings = field(default_factory=CleaningSettings)
    plausibility: PlausibilitySettings = field(default_factory=PlausibilitySettings)
    render: RenderSettings = field(default_factory=RenderSettings)
    rotation: RotationSettings = field(default_factory=RotationSettings)
    screening: ScreeningSettings = field(default_factory=ScreeningSettings)
    history: HistorySettings = field(default_factory=HistorySettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    batch: BatchSettings = field(default_factory=BatchSettings)
    tracking: TrackingSettings = field(default_factory=TrackingSettings)
    bands: BandSettings = field(default_factory=BandSettings)


DEFAULT_SETTINGS = Settings()


@dataclass(frozen=True)
class DashboardSettings:
    """The Streamlit dashboard (``app.py``)."""

    #: largest upload accepted (MB as Streamlit counts them: 1 MB = 2**20 bytes);
    #: ``HIPVISION_MAX_UPLOAD_MB`` overrides it. app.py sets Streamlit's own
    #: ``server.maxUploadSize`` from it (:meth:`streamlit_upload_limit_mb`).
    max_upload_mb: float = 1024.0
    #: video containers the upload box accepts
    video_types: tuple[str, ...] = tuple(sorted(s.lstrip(".") for s in VIDEO_SUFFIXES))
    #: each browser session's uploads and annotated videos go to a temporary folder named
    #: with this prefix and holding :attr:`workdir_marker`; only such folders are swept
    workdir_prefix: str = "hipvision-app-"
    #: the marker file of a session folder (its modification time = the folder's last use)
    workdir_marker: str = ".hipvision-app-session"
    #: session folders unused for longer than this (hours) are deleted when the app starts
    stale_workdir_hours: float = 24.0
    #: a running dashboard sweeps again at most this often (hours)
    sweep_interval_hours: float = 1.0

    def upload_limit_mb(self) -> float:
        v = os.environ.get(ENV_MAX_UPLOAD_MB)
        try:
            return float(v) if v else self.max_upload_mb
        except ValueError:
            return self.max_upload_mb

    def streamlit_upload_limit_mb(self) -> int:
        """Streamlit's ``server.maxUploadSize`` (whole MB, at least 1) for :meth:`upload_limit_mb`:
        the browser and the server refuse larger files before the app sees them."""
        return max(1, math.ceil(self.upload_limit_mb()))

    def password(self) -> str:
        """The dashboard's password from ``HIPVISION_DASHBOARD_PASSWORD`` ('' = none). Set, it
        is asked for on any address; unset, the dashboard runs on loopback only
        (:mod:`hipvision.dashboard.access`)."""
        return os.environ.get(ENV_DASHBOARD_PASSWORD, "")


ENV_MAX_UPLOAD_MB = "HIPVISION_MAX_UPLOAD_MB"
#: Environment variable holding the dashboard's password (needed off loopback).
ENV_DASHBOARD_PASSWORD = "HIPVISION_DASHBOARD_PASSWORD"
DASHBOARD = DashboardSettings()


def default_data_dir(environ: dict[str, str] | None = None) -> Path:
    """hipvision's data folder: ``$HIPVISION_DATA``, else ``$XDG_DATA_HOME/hipvision``, else
    ``~/.local/share/hipvision``."""
    env = os.environ if environ is None else environ
    if env.get(ENV_DATA):
        return Path(env[ENV_DATA]).expanduser()
    if env.get("XDG_DATA_HOME"):
        return Path(env["XDG_DATA_HOME"]).expanduser() / DATA_APP_DIR
    return Path.home() / DEFAULT_DATA_SUBDIR / DATA_APP_DIR


def default_history_path(environ: dict[str, str] | None = None) -> Path:
    """The history database used when no path is given (see :func:`default_data_dir`)."""
    return default_data_dir(environ) / HISTORY_FILENAME


def default_videos_dir(environ: dict[str, str] | None = None) -> Path:
    """Where the dashboard keeps the annotated videos of saved sessions (``videos`` in
    :func:`default_data_dir`); the only folder whose files a history deletion removes."""
    return default_data_dir(environ) / VIDEOS_DIRNAME


@dataclass(frozen=True)
class LiveScreeningSettings:
    """The causal rep counter of the live camera (hipvision.analyzers.screening.live)."""

    #: standing references come from frames at full height within this many seconds
    standing_window_s: float = 5.0
    #: "full height": within this share of the standing leg (or trunk, hinges)
    standing_tolerance: float = 0.03
    #: standing frames needed before reps are counted
    min_standing_frames: int = 5
    #: a rep starts when this share of the standing length has gone ...
    enter_depth: float = 0.10
    #: ... and ends when the depth is back below this (or, without standing up fully, when
    #: the person goes down again: ScreeningSettings.rep_split_rise)
    exit_depth: float = 0.04
    #: rises, bottoms and a rep's depth are judged on a running median of this many frames
    #: (a one- or two-frame spike of the tracking is not a rep)
    median_frames: int = 5
    #: FPPA and hip shift: the frames within this share of the rep's deepest
    bottom_fraction: float = 0.9
    #: a stream whose clock jumps back or ahead by more than this (s) is a new recording
    restart_gap_s: float = 2.0


@dataclass(frozen=True)
class SuggestSettings:
    """The rough guess of which test a clip shows (hipvision.suggest), used only to suggest
    the right test when the chosen one does not fit. Tuned never to suggest a wrong test on
    the synthetic sweep (front, side and tilted cameras): when unsure it says nothing."""

    min_frames: int = 5
    #: prone: share of frames where the ankles are above the knees in the picture
    prone_shins_up_share: float = 0.6
    #: seated: thigh/shin length ratio in the picture below this ...
    seated_thigh_ratio: float = 0.6
    #: ... in at least this share of frames
    seated_share: float = 0.8
    #: single-leg: one ankle above the other by this share of the shin ...
    single_leg_lift: float = 0.25
    #: ... in at least this share of frames
    single_leg_share: float = 0.6
    #: squat: the hips come down at least this share of the leg length
    squat_min_depth: float = 0.10
    #: hinge: the shoulders come down at least this share of the trunk length
    hinge_min_depth: float = 0.15
    #: clearly standing (an upright body, checked before telling a rotation-test user that a
    #: clip shows a standing test): the person found in at least this share of the frames ...
    standing_min_detected: float = 0.5
    #: ... and in the median frame, in shin lengths straight down the picture: the shoulders
    #: above the hips by at least this much (seated ~1, lying on the side ~0) ...
    standing_min_trunk: float = 0.6
    #: ... the hips above the knees (seated or lying ~0 or below) ...
    standing_min_thigh: float = 0.5
    #: ... and the knees above the ankles (the shins hang down)
    standing_min_shin: float = 0.6


LIVE_SCREENING = LiveScreeningSettings()
SUGGEST = SuggestSettings()


@dataclass(frozen=True)
class TempFileSettings:
    """Temporary files of atomic outputs (hipvision.atomicfile): ``.NAME.hv-HOST-PID-XXXX.part``
    beside the output, renamed to NAME when complete. A killed run leaves its own behind;
    the next output written into that folder removes them (see :func:`~hipvision.atomicfile.sweep_stale`)."""

    #: marks hipvision's temporary files (with the writer's host and process id)
    tag: str = "hv"
    #: a temporary file written on another computer (whose process cannot be checked), or
    #: one named by an older hipvision (no process id), counts as left behind once it has
    #: not been modified for this many hours
    stale_hours: float = 24.0


TEMP_FILES = TempFileSettings()

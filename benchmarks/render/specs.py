"""Scene specs for the rendered-avatar benchmark, as data.

A clip is a :class:`ClipSpec`: which avatar, which test, the camera, resolution, frame
rate, stickers, and the time course of the joint angles. :func:`build_frames` turns it into
one pose dict per frame (what ``blender_pose.py`` reads) plus the commanded values per
frame and the rep times (what ``truth.py`` reads).

Conventions (all the person's left/right): hip rotation + = internal rotation (IR, foot
moves lateral), - = external (ER). Knee ``valgus`` = the knee's pointing direction turned
medially by that many degrees (the resulting FPPA is measured from the 3-D joints, not
assumed). Pelvis ``shift`` in metres, + = towards the person's left.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AVATARS = Path(os.environ.get("HIPVISION_AVATARS", Path(__file__).resolve().parents[3] / "shared" / "avatars"))

ROTATION_TESTS = ("seated", "prone")

#: render looks other than ``default`` (the avatar's own shading, grey background, the
#: studio light): applied inside Blender by ``blender_looks.py`` (colours RGB 0-1)
LOOKS: dict[str, dict[str, Any]] = {
    "dressed": {
        # dark trousers, a light long-sleeved top, light shoes, skin-coloured head/hands
        "parts": {"trousers": [0.06, 0.07, 0.12], "top": [0.85, 0.82, 0.74], "shoes": [0.78, 0.78, 0.8],
                  "skin": [0.78, 0.57, 0.45]},
        "background": [0.80, 0.76, 0.66],  # a warm light wall instead of the grey
        "floor": [0.42, 0.3, 0.2],
        "exposure": -0.4,  # dimmer
        "light_rotate_z": 70.0,  # the studio light from the side
        "shadow_direction": [0.6, -0.3, 0.75],  # cast shadows from the upper side
        "shadow_intensity": 0.5,
    },
}
#: how far the resting shin swings front-to-back while the other leg is in ER (deg)
TUCK_DEG = 35.0


@dataclass(frozen=True)
class Hold:
    """One rotation attempt of both legs at once (degrees, + = IR), held at the end."""

    left: float
    right: float
    ramp_s: float = 0.6
    hold_s: float = 1.2
    rest_s: float = 0.8


@dataclass(frozen=True)
class Rep:
    """One squat / hinge repetition: values at the bottom; the motion eases in and out."""

    drop: float = 0.0  # pelvis down (m)
    back: float = 0.0  # pelvis back (m)
    lean: float = 0.0  # trunk forward (deg)
    pelvis_tilt: float = 0.0  # pelvis forward (deg)
    valgus_left: float = 0.0  # knee direction turned medially (deg)
    valgus_right: float = 0.0
    shift: float = 0.0  # pelvis sideways (m), + = the person's left
    down_s: float = 1.0
    up_s: float = 1.0
    rest_s: float = 0.5


@dataclass(frozen=True)
class ClipSpec:
    name: str
    test: str  # seated | prone | squat | single-leg-squat | hinge
    avatar: str  # file name in AVATARS
    camera: dict[str, float]  # distance, height, yaw, pitch, roll (deg), lens_mm, target_height
    holds: tuple[Hold, ...] = ()
    reps: tuple[Rep, ...] = ()
    fps: float = 10.0
    width: int = 540
    height: int = 960
    lead_s: float = 1.2
    stickers: bool = False
    lift: str | None = None  # single-leg tests: the lifted leg
    base: dict[str, Any] = field(default_factory=dict)  # standing posture added to every frame
    scene: dict[str, Any] = field(default_factory=dict)  # extra scene settings
    note: str = ""
    look: str = "default"  # clothing / background / light: a key of LOOKS
    # single-leg tests: seconds standing on both feet before the leg lifts (0 = lifted from
    # the first frame). The lift itself takes one frame: blender_pose.py has no in-between
    # pose, and changing it would change every cached clip's hash.
    stand_s: float = 0.0


    @property
    def kind(self) -> str:
        return self.test if self.test in ROTATION_TESTS else "stand"


def _ease(x: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(max(x, 0.0), 1.0))


def _rotation_course(spec: ClipSpec) -> tuple[list[float], list[dict[str, float]]]:
    total = spec.lead_s + sum(2 * h.ramp_s + h.hold_s + h.rest_s for h in spec.holds)
    n = int(round(total * spec.fps))
    times = [i / spec.fps for i in range(n)]
    out = []
    for t in times:
        val = {"left": 0.0, "right": 0.0}
        tuck = {"left": 0.0, "right": 0.0}
        start = spec.lead_s
        for h in spec.holds:
            ph = t - start
            if 0 <= ph < 2 * h.ramp_s + h.hold_s:
                p = _ease(ph / h.ramp_s) if ph < h.ramp_s + h.hold_s else 1 - _ease((ph - h.ramp_s - h.hold_s) / h.ramp_s)
                val = {"left": h.left * p, "right": h.right * p}
                # while one foot swings medially (ER), the resting shin swings out of its way
                # front-to-back (seated: foot tucked back under the seat; prone: knee bent
                # further, foot towards the buttock): its angle in the frontal plane stays 0
                if h.left == 0 and h.right < 0:
                    tuck["left"] = TUCK_DEG * p
                if h.right == 0 and h.left < 0:
                    tuck["right"] = TUCK_DEG * p
            start += 2 * h.ramp_s + h.hold_s + h.rest_s
        out.append({"rot": val, "tuck": tuck})
    return times, out


def _rep_course(spec: ClipSpec) -> tuple[list[float], list[dict[str, Any]], list[dict[str, float]]]:
    total = spec.lead_s + sum(r.down_s + r.up_s + r.rest_s for r in spec.reps)
    n = int(round(total * spec.fps))
    times = [i / spec.fps for i in range(n)]
    frames, rep_times = [], []
    start = spec.lead_s
    for r in spec.reps:
        rep_times.append({"start_s": start, "bottom_s": start + r.down_s, "end_s": start + r.down_s + r.up_s})
        start += r.down_s + r.up_s + r.rest_s
    for t in times:
        fr: dict[str, Any] = dict(spec.base)
        fr.setdefault("valgus", {"left": 0.0, "right": 0.0})
        fr["progress"] = 0.0
        fr["rep"] = None
        for k, (r, rt) in enumerate(zip(spec.reps, rep_times)):
            if rt["start_s"] <= t < rt["end_s"]:
                p = _ease((t - rt["start_s"]) / r.down_s) if t < rt["bottom_s"] else 1 - _ease((t - rt["bottom_s"]) / r.up_s)
                for key in ("drop", "back", "lean", "pelvis_tilt", "shift"):
                    fr[key] = fr.get(key, 0.0) + p * getattr(r, key)
                fr["valgus"] = {"left": p * r.valgus_left, "right": p * r.valgus_right}
                fr["progress"] = p
                fr["rep"] = k
        if spec.lift and t >= spec.stand_s:
            fr["lift"] = spec.lift
        frames.append(fr)
    return times, frames, rep_times


def build_frames(spec: ClipSpec) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per-frame pose dicts for Blender, and the commanded time course for the truth."""
    if spec.kind in ROTATION_TESTS:
        times, course_frames = _rotation_course(spec)
        frames = course_frames
        rot = [f["rot"] for f in course_frames]
        course = {
            "time_s": times,
            "rotation_deg": rot,
            "peaks": {
                side: {
                    "ir": max([getattr(h, side) for h in spec.holds if getattr(h, side) > 0], default=None),
                    "er": max([-getattr(h, side) for h in spec.holds if getattr(h, side) < 0], default=None),
                }
                for side in ("left", "right")
            },
        }
        return frames, course
    times, frames, rep_times = _rep_course(spec)
    course = {"time_s": times, "progress": [f["progress"] for f in frames], "rep": [f["rep"] for f in frames], "reps": rep_times}
    return [{k: v for k, v in f.items() if k not in ("progress", "rep")} for f in frames], course


def scene_dict(spec: ClipSpec) -> dict[str, Any]:
    sc: dict[str, Any] = {"kind": spec.kind, "camera": dict(spec.camera), **spec.scene}
    if spec.stickers:
        # two green discs per shin, on the skin the camera sees: just below the knee and
        # just above the ankle (fractions along knee -> ankle)
        sc["stickers"] = [
            {"side": side, "frac": frac, "radius": 0.02, "rgb": [0.0, 1.0, 0.0]}
            for side in ("left", "right")
            for frac in (0.22, 0.75)
        ]
    return sc


# --------------------------------------------------------------------------- the set
# IR with both legs at once (the feet move apart); ER one leg at a time (both at once
# would cross the shins through each other)
_SEATED = (Hold(30.0, 40.0), Hold(-40.0, 0.0), Hold(0.0, -25.0))
_PRONE = (Hold(35.0, 25.0), Hold(-30.0, 0.0), Hold(0.0, -40.0))
_SQUAT = (
    Rep(drop=0.24, back=0.10, lean=25),  # knees over the toes
    Rep(drop=0.24, back=0.10, lean=25, valgus_left=20, valgus_right=20),  # both knees cave in
    Rep(drop=0.24, back=0.10, lean=25, valgus_right=22),  # right knee only
    Rep(drop=0.24, back=0.10, lean=25, shift=0.07),  # pelvis shifts to the left
)
_SLS = (
    Rep(drop=0.18, back=0.06, lean=20),
    Rep(drop=0.18, back=0.06, lean=20, valgus_left=15),
    Rep(drop=0.18, back=0.06, lean=20, valgus_left=28),
)
_HINGE = (
    Rep(drop=0.05, back=0.15, lean=70, pelvis_tilt=45),
    Rep(drop=0.05, back=0.15, lean=70, pelvis_tilt=45, shift=0.07),
    Rep(drop=0.05, back=0.15, lean=70, pelvis_tilt=45),
)

CLIPS: tuple[ClipSpec, ...] = (
    ClipSpec("seated-xbot-front", "seated", "Xbot.glb", {"distance": 1.8, "height": 0.55}, holds=_SEATED,
             note="camera square in front at knee height"),
    ClipSpec("seated-xbot-tilted", "seated", "Xbot.glb", {"distance": 1.8, "height": 0.8, "yaw": 8, "roll": 5}, holds=_SEATED,
             note="camera higher, 8 deg to the side, rolled 5 deg"),
    ClipSpec("seated-ely-front", "seated", "Ely.glb", {"distance": 1.8, "height": 0.55}, holds=_SEATED,
             note="second avatar: a low-poly body without a head or texture"),
    ClipSpec("seated-mannequin-low", "seated", "Mannequin.glb", {"distance": 2.0, "height": 0.4, "yaw": -6, "roll": -4},
             holds=(Hold(20.0, 45.0), Hold(-35.0, 0.0), Hold(0.0, -30.0)), note="third avatar, camera low, yawed and rolled"),
    ClipSpec("prone-xbot-feet", "prone", "Xbot.glb", {"distance": 1.4, "height": 1.0}, holds=_PRONE, stickers=True,
             note="camera at the feet end, a little above the feet; green stickers"),
    ClipSpec("prone-ely-feet", "prone", "Ely.glb", {"distance": 1.5, "height": 1.2, "roll": 3}, holds=_PRONE, stickers=True,
             note="second avatar, camera higher and rolled 3 deg; green stickers"),
    ClipSpec("prone-xbot-feet-30fps", "prone", "Xbot.glb", {"distance": 1.4, "height": 1.0}, holds=_PRONE, stickers=True,
             fps=30.0, note="as prone-xbot-feet at 30 fps: assisted tracking needs small steps between frames"),
    ClipSpec("prone-mannequin-feet", "prone", "Mannequin.glb", {"distance": 1.6, "height": 1.0}, holds=_PRONE, stickers=True,
             note="third avatar (issue 15: where the pose model's legs pass the gate, are they right?)"),
    ClipSpec("prone-xbot-far", "prone", "Xbot.glb", {"distance": 2.2, "height": 1.1, "yaw": 5}, holds=_PRONE, stickers=True,
             note="camera further back (more of the body in view) and 5 deg to the side"),
    ClipSpec("prone-ely-low", "prone", "Ely.glb", {"distance": 1.8, "height": 0.9, "roll": -3}, holds=_PRONE, stickers=True,
             note="camera lower and further back, rolled -3 deg"),
    ClipSpec("squat-xbot-front", "squat", "Xbot.glb", {"distance": 2.2, "height": 0.9}, reps=_SQUAT,
             note="reps: neutral, both knees in, right knee in, hip shift left"),
    ClipSpec("squat-mannequin-yaw", "squat", "Mannequin.glb", {"distance": 2.2, "height": 1.0, "yaw": 10, "roll": 3}, reps=_SQUAT,
             note="camera 10 deg to the side, rolled 3 deg"),
    *(  # camera sweep for the FPPA (issue 15): the body turned against the camera
        ClipSpec(f"squat-{av.lower()}-yaw{yaw:+d}", "squat", f"{av}.glb", {"distance": 2.2, "height": 0.9, "yaw": yaw},
                 reps=_SQUAT, note=f"camera {abs(yaw)} deg to the {'right' if yaw > 0 else 'left'} of square, knee height")
        for av in ("Xbot", "Mannequin")
        for yaw in (-20, -10, 10, 20)
    ),
    ClipSpec("squat-mannequin-front", "squat", "Mannequin.glb", {"distance": 2.2, "height": 0.9}, reps=_SQUAT,
             note="second avatar square in front at knee height"),
    ClipSpec("squat-xbot-chest", "squat", "Xbot.glb", {"distance": 2.2, "height": 1.3, "roll": 5}, reps=_SQUAT,
             note="square on, camera at chest height (looking down at the hips), rolled 5 deg"),
    ClipSpec("squat-mannequin-chest", "squat", "Mannequin.glb", {"distance": 2.2, "height": 1.3, "yaw": -15, "roll": -5},
             reps=_SQUAT, note="camera at chest height, 15 deg to the other side, rolled -5 deg"),
    ClipSpec("sls-ely-front", "single-leg-squat", "Ely.glb", {"distance": 2.2, "height": 0.9}, reps=_SLS, lift="right",
             base={"shift": 0.07}, scene={"stance_half_width": 0.1},
             note="left leg works, right foot lifted; valgus 0 / 15 / 28 deg knee turn"),
    ClipSpec("hinge-xbot-front", "hinge", "Xbot.glb", {"distance": 2.2, "height": 0.9}, reps=_HINGE,
             scene={"arms": "hang"}, note="hip hinge (RDL); rep 2 with a pelvis shift to the left"),
    *(  # issue 15 item 4: the single-leg squat's stance knee on the other two avatars
        ClipSpec(f"sls-{av.lower()}-front", "single-leg-squat", f"{av}.glb", {"distance": 2.2, "height": 0.9}, reps=_SLS,
                 lift="right", base={"shift": 0.07}, scene={"stance_half_width": 0.1},
                 note=f"as sls-ely-front on {av}: left leg works, right foot lifted; valgus 0 / 15 / 28 deg knee turn")
        for av in ("Xbot", "Mannequin")
    ),
    *(  # issue 15 item 4 (sls3): as sls-*-front, but standing on both feet for 1 s before the
        # right foot lifts (lead 2.2 s: 1 s two-legged, 1.2 s on one leg), so the body's turn
        # can be read on a two-legged stance; one with the camera 10 deg to the side
        ClipSpec(f"sls-{av.lower()}-stand{'' if yaw == 0 else f'-yaw{yaw:+d}'}", "single-leg-squat", f"{av}.glb",
                 {"distance": 2.2, "height": 0.9, **({"yaw": yaw} if yaw else {})}, reps=_SLS, lift="right",
                 base={"shift": 0.07}, scene={"stance_half_width": 0.1}, lead_s=2.2, stand_s=1.0,
                 note=f"as sls-{av.lower()}-front, 1 s on both feet first"
                      + (f"; camera {abs(yaw)} deg to the {'right' if yaw > 0 else 'left'} of square" if yaw else ""))
        for av, yaw in (("Ely", 0), ("Xbot", 0), ("Xbot", 10), ("Xbot", -10))
    ),
    # issue 15 item 5: the seated test on all three avatars in a second look (dark trousers,
    # light top, warm background, side light with shadows)
    ClipSpec("seated-xbot-dressed", "seated", "Xbot.glb", {"distance": 1.8, "height": 0.55}, holds=_SEATED,
             look="dressed", note="as seated-xbot-front, dressed look"),
    ClipSpec("seated-ely-dressed", "seated", "Ely.glb", {"distance": 1.9, "height": 0.7, "yaw": 5},
             holds=(Hold(35.0, 25.0), Hold(-30.0, 0.0), Hold(0.0, -40.0)), look="dressed",
             note="dressed look, camera a little higher and 5 deg to the side"),
    ClipSpec("seated-mannequin-dressed", "seated", "Mannequin.glb", {"distance": 1.8, "height": 0.55},
             holds=(Hold(42.0, 30.0), Hold(-25.0, 0.0), Hold(0.0, -35.0)), look="dressed",
             note="dressed look, camera square in front at knee height"),
    # validity sweep (issue 15 item 8, docs/VALIDITY.md): camera height knee -> chest on all
    # three avatars, roll +-5 deg, hinges on a second avatar; one axis at a time, not the product
    ClipSpec("squat-ely-front", "squat", "Ely.glb", {"distance": 2.2, "height": 0.9}, reps=_SQUAT,
             note="third avatar square in front at 0.9 m"),
    ClipSpec("squat-xbot-knee", "squat", "Xbot.glb", {"distance": 2.2, "height": 0.5}, reps=_SQUAT,
             note="square on, camera at knee height (0.5 m, looking up at the hips)"),
    ClipSpec("squat-xbot-roll-5", "squat", "Xbot.glb", {"distance": 2.2, "height": 0.9, "roll": -5}, reps=_SQUAT,
             note="square on at 0.9 m, camera rolled -5 deg"),
    ClipSpec("hinge-mannequin-front", "hinge", "Mannequin.glb", {"distance": 2.2, "height": 0.9}, reps=_HINGE,
             scene={"arms": "hang"}, note="hip hinge on the second avatar; rep 2 with a pelvis shift to the left"),
    ClipSpec("squat-mannequin-roll+5", "squat", "Mannequin.glb", {"distance": 2.2, "height": 0.9, "roll": 5}, reps=_SQUAT,
             note="square on at 0.9 m, camera rolled +5 deg"),
    ClipSpec("squat-ely-chest", "squat", "Ely.glb", {"distance": 2.2, "height": 1.3}, reps=_SQUAT,
             note="square on, camera at chest height (1.3 m), level roll"),
    ClipSpec("squat-mannequin-knee", "squat", "Mannequin.glb", {"distance": 2.2, "height": 0.5}, reps=_SQUAT,
             note="square on, camera at knee height (0.5 m)"),
    ClipSpec("squat-ely-knee", "squat", "Ely.glb", {"distance": 2.2, "height": 0.5}, reps=_SQUAT,
             note="square on, camera at knee height (0.5 m)"),
    # the second look (clothing, background, light) on the square-on squats of all three avatars
    *(
        ClipSpec(f"squat-{av.lower()}-front-dressed", "squat", f"{av}.glb", {"distance": 2.2, "height": 0.9}, reps=_SQUAT,
                 look="dressed", note="as the square-on squat at 0.9 m, dressed look")
        for av in ("Xbot", "Mannequin", "Ely")
    ),
)


def by_name(name: str) -> ClipSpec:
    for c in CLIPS:
        if c.name == name:
            return c
    raise KeyError(f"no clip named {name!r}; known: {', '.join(c.name for c in CLIPS)}")

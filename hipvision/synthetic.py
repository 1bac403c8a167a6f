"""Synthetic pose sequences with known answers: a 3-D skeleton performing a test, seen
through a perturbed pinhole camera. Used by the tests, the accuracy benchmarks and the
bundled samples; no video and no pose model involved.

World frame (metres): **X = the seated person's left**, Y = up, Z = the direction the seated
person faces. The prone person lies along Z, head towards -Z, feet towards the camera.

Shin rotation angle ``theta`` (degrees) is the true angle of the shin to the vertical in
the plane perpendicular to the thigh, **positive when the foot moves laterally (internal
rotation of the hip), negative medially (external rotation)**, for either side and test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from .landmarks import LANDMARK_INDEX, N_LANDMARKS, SIDES, Side
from .sequence import PoseSequence

TestName = Literal["seated", "prone"]


@dataclass(frozen=True)
class Camera:
    """A pinhole camera at ``position`` looking at ``target``, then turned by ``yaw_deg``
    (about the world vertical), ``pitch_deg`` (about its own x axis, positive = looking
    further down) and ``roll_deg`` (about its viewing axis). Image: x right, y down, px."""

    position: tuple[float, float, float]
    target: tuple[float, float, float]
    width: int = 1280
    height: int = 720
    hfov_deg: float = 65.0
    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0

    @property
    def focal_px(self) -> float:
        return 0.5 * self.width / np.tan(np.radians(self.hfov_deg) / 2)

    def basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(right, up, forward) unit vectors of the camera in world coordinates."""
        f = np.asarray(self.target, float) - np.asarray(self.position, float)
        f /= np.linalg.norm(f)
        world_up = np.array([0.0, 1.0, 0.0])
        r = np.cross(f, world_up)
        r /= np.linalg.norm(r)
        u = np.cross(r, f)

        def turn(v: np.ndarray, axis: np.ndarray, deg: float) -> np.ndarray:
            a = np.radians(deg)
            axis = axis / np.linalg.norm(axis)
            return v * np.cos(a) + np.cross(axis, v) * np.sin(a) + axis * (axis @ v) * (1 - np.cos(a))

        f, r = turn(f, world_up, self.yaw_deg), turn(r, world_up, self.yaw_deg)
        u = np.cross(r, f)
        f, u = turn(f, r, -self.pitch_deg), turn(u, r, -self.pitch_deg)
        r, u = turn(r, f, self.roll_deg), turn(u, f, self.roll_deg)
        return r, u, f

    def project(self, points: np.ndarray) -> np.ndarray:
        """Pixel coordinates (..., 2) of world points (..., 3)."""
        r, u, f = self.basis()
        d = np.asarray(points, float) - np.asarray(self.position, float)
        depth = d @ f
        fx = self.focal_px
        x = self.width / 2 + fx * (d @ r) / depth
        y = self.height / 2 - fx * (d @ u) / depth
        return np.stack([x, y], axis=-1)


@dataclass(frozen=True)
class Move:
    """One rotation attempt: ``side`` ('left', 'right' or 'both') goes to ``theta_deg``
    over ``ramp_s``, holds ``hold_s``, returns over ``ramp_s``, then rests ``rest_s``."""

    side: str
    theta_deg: float
    ramp_s: float = 1.0
    hold_s: float = 2.0
    rest_s: float = 1.0


@dataclass(frozen=True)
class Body:
    """Segment lengths (metres) of the synthetic person."""

    hip_half_width: float = 0.09
    knee_half_width: float = 0.10
    thigh: float = 0.45
    shin: float = 0.42
    seat_height: float = 0.80
    table_height: float = 0.75
    trunk: float = 0.50
    foot: float = 0.20


@dataclass
class Truth:
    """Ground truth of a synthetic rotation clip."""

    time_s: np.ndarray
    theta: dict[str, np.ndarray]  # side -> (N,) true shin angle, degrees
    peaks: dict[str, dict[str, float | None]] = field(default_factory=dict)  # side -> {"ir": .., "er": ..}


def rotation_protocol(
    moves: list[Move], fps: float = 30.0, lead_s: float = 1.5
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Time base and true theta per side for a sequence of moves after a neutral lead."""
    total = lead_s + sum(2 * m.ramp_s + m.hold_s + m.rest_s for m in moves)
    t = np.arange(0.0, total, 1.0 / fps)
    theta = {"left": np.zeros_like(t), "right": np.zeros_like(t)}
    start = lead_s
    for m in moves:
        ph = t - start
        prof = np.zeros_like(t)
        up = (ph >= 0) & (ph < m.ramp_s)
        prof[up] = 0.5 - 0.5 * np.cos(np.pi * ph[up] / m.ramp_s)
        prof[(ph >= m.ramp_s) & (ph < m.ramp_s + m.hold_s)] = 1.0
        dn = (ph >= m.ramp_s + m.hold_s) & (ph < 2 * m.ramp_s + m.hold_s)
        prof[dn] = 0.5 + 0.5 * np.cos(np.pi * (ph[dn] - m.ramp_s - m.hold_s) / m.ramp_s)
        for side in SIDES if m.side == "both" else (m.side,):
            theta[side] = theta[side] + m.theta_deg * prof
        start += 2 * m.ramp_s + m.hold_s + m.rest_s
    return t, theta


def _peaks(moves: list[Move]) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {"left": {"ir": None, "er": None}, "right": {"ir": None, "er": None}}
    for m in moves:
        for side in SIDES if m.side == "both" else (m.side,):
            key = "ir" if m.theta_deg > 0 else "er"
            cur = out[side][key]
            val = abs(m.theta_deg)
            out[side][key] = val if cur is None else max(cur, val)
    return out


def skeleton_3d(test: TestName, theta: dict[str, np.ndarray], body: Body = Body()) -> np.ndarray:
    """(N, 33, 3) world positions of all landmarks for the shin angles ``theta``."""
    n = len(theta["left"])
    P = np.zeros((n, N_LANDMARKS, 3))

    def put(name: str, xyz: np.ndarray) -> None:
        P[:, LANDMARK_INDEX[name]] = xyz

    for side, lat in (("left", 1.0), ("right", -1.0)):
        th = np.radians(theta[side])
        if test == "seated":
            # person's left = +X; thighs horizontal towards +Z; shin hangs down
            hip = np.array([lat * body.hip_half_width, body.seat_height, 0.0])
            knee = np.array([lat * body.knee_half_width, body.seat_height, body.thigh])
            shin_dir = np.stack([lat * np.sin(th), -np.cos(th), np.zeros(n)], axis=1)
            toe_dir = np.array([0.0, 0.0, 1.0])
            shoulder = hip + np.array([lat * 0.08, body.trunk, -0.02])
        else:
            # prone: head towards -Z, back up; the person's left = -X; shin points up
            lat = -lat
            hip = np.array([lat * body.hip_half_width, body.table_height + 0.10, -body.thigh])
            knee = np.array([lat * body.knee_half_width, body.table_height + 0.05, 0.0])
            shin_dir = np.stack([lat * np.sin(th), np.cos(th), np.zeros(n)], axis=1)
            toe_dir = np.array([0.0, -1.0, 0.0])  # soles face up, toes point down
            shoulder = hip + np.array([lat * 0.08, 0.05, -body.trunk])
        ankle = knee + body.shin * shin_dir
        put(f"{side}_hip", np.broadcast_to(hip, (n, 3)))
        put(f"{side}_knee", np.broadcast_to(knee, (n, 3)))
        put(f"{side}_ankle", ankle)
        put(f"{side}_heel", ankle - 0.05 * toe_dir + 0.03 * shin_dir)
        put(f"{side}_foot_index", ankle + body.foot * toe_dir * 0.8)
        put(f"{side}_shoulder", np.broadcast_to(shoulder, (n, 3)))
        elbow = shoulder + (np.array([0, -0.28, 0.05]) if test == "seated" else np.array([0.05 * lat, -0.05, 0.25]))
        wrist = elbow + (np.array([0, -0.05, 0.25]) if test == "seated" else np.array([0.0, -0.02, 0.25]))
        put(f"{side}_elbow", np.broadcast_to(elbow, (n, 3)))
        put(f"{side}_wrist", np.broadcast_to(wrist, (n, 3)))
        for part, d in (("pinky", 0.08), ("index", 0.09), ("thumb", 0.06)):
            put(f"{side}_{part}", np.broadcast_to(wrist + np.array([0, 0, d]) * (1 if test == "seated" else -1), (n, 3)))
        head = shoulder * np.array([0, 1, 1]) + (np.array([0, 0.25, 0.05]) if test == "seated" else np.array([0, 0.05, -0.25]))
        put(f"{side}_ear", np.broadcast_to(head + np.array([lat * 0.07, 0, 0]), (n, 3)))
        for part, dx in (("eye_inner", 0.015), ("eye", 0.03), ("eye_outer", 0.045)):
            put(f"{side}_{part}", np.broadcast_to(head + np.array([lat * dx, 0.03, 0.08 if test == "seated" else -0.08]), (n, 3)))
        put(f"mouth_{side}", np.broadcast_to(head + np.array([lat * 0.025, -0.05, 0.08 if test == "seated" else -0.08]), (n, 3)))
    nose = (P[:, LANDMARK_INDEX["left_eye"]] + P[:, LANDMARK_INDEX["right_eye"]]) / 2
    P[:, LANDMARK_INDEX["nose"]] = nose + (np.array([0, -0.03, 0.03]) if test == "seated" else np.array([0, -0.03, -0.03]))
    return P


def default_camera(test: TestName, body: Body = Body(), **perturb: float) -> Camera:
    """The camera each test asks for: seated, in front at knee height; prone, at the foot
    end at table height, looking along the body. ``perturb``: yaw_deg, pitch_deg, roll_deg."""
    if test == "seated":  # portrait phone in front, at knee height
        knee_h = body.seat_height - 0.15
        return Camera((0.0, knee_h, body.thigh + 2.2), (0.0, knee_h, 0.0), 720, 1280, 40.0, **perturb)
    # landscape phone at the foot end, at table height, looking along the body
    h = body.table_height + 0.2
    return Camera((0.0, h, 1.8), (0.0, h, 0.0), 1280, 720, 60.0, **perturb)


def rotation_clip(
    test: TestName,
    moves: list[Move],
    *,
    camera: Camera | None = None,
    fps: float = 30.0,
    noise_px: float = 0.0,
    low_visibility_fraction: float = 0.0,
    drop_fraction: float = 0.0,
    body: Body = Body(),
    seed: int = 0,
    lead_s: float = 1.5,
) -> tuple[PoseSequence, Truth]:
    """A synthetic rotation-test clip and its ground truth.

    ``noise_px``: Gaussian landmark noise (sd, px). ``low_visibility_fraction``: share of
    frames where one random lower-limb landmark gets visibility 0.2 and a wrong position.
    ``drop_fraction``: share of frames with no detection at all (omitted, as in a pose CSV).
    """
    rng = np.random.default_rng(seed)
    cam = camera or default_camera(test, body)
    t, theta = rotation_protocol(moves, fps, lead_s)
    P = skeleton_3d(test, theta, body)
    legs = ("knee", "ankle")
    seq = _observe(P, t, cam, rng, noise_px, low_visibility_fraction, drop_fraction, f"synthetic {test}", legs)
    return seq, Truth(time_s=t, theta=theta, peaks=_peaks(moves))


# =========================================================================== screening

ScreenTest = Literal["squat", "single-leg-squat", "hinge", "single-leg-hinge"]


@dataclass(frozen=True)
class Rep:
    """One repetition of a squat or hinge.

    ``depth``: 0..1 of the movement's full range (knee flexion ~100 deg in a squat, trunk
    lean ~75 deg in a hinge). ``valgus_left_m`` / ``valgus_right_m``: medial displacement
    of that knee at the bottom (metres; negative = lateral, varus). ``hip_shift_m``:
    sideways pelvis displacement at the bottom, + towards the person's left. ``stand_up``:
    the share of the way back to standing the person rises after this rep, resting there
    for ``rest_s`` before the next rep goes down from that depth (1 = stands up fully; the
    last rep always does)."""

    depth: float = 1.0
    valgus_left_m: float = 0.0
    valgus_right_m: float = 0.0
    hip_shift_m: float = 0.0
    down_s: float = 1.2
    pause_s: float = 0.3
    up_s: float = 1.0
    rest_s: float = 0.8
    stand_up: float = 1.0
    #: the knees cave in only on the way up (the common collapse): the valgus displacement
    #: rises and falls during the first 70 % of the ascent (largest at 35 %, about 73 % of the
    #: rep's depth) and is 0 at the bottom
    valgus_on_the_way_up: bool = False


@dataclass
class ScreenTruth:
    """Ground truth of a synthetic screening clip (FPPA as an ideal frontal camera sees it)."""

    time_s: np.ndarray
    rep_times: list[tuple[float, float, float]]  # (start, bottom, end) per rep
    fppa: list[dict[str, float]]  # per rep: side -> FPPA at the bottom (deg, + valgus)
    hip_shift_pct: list[float]  # per rep: % of hip width, + towards the person's left
    working_side: Side | None
    #: per rep: side -> (highest FPPA, its time) over the frames deeper than half the rep's
    #: depth, on the way down and up (the analyzer's "peak"; deg, + valgus; s)
    fppa_peak: list[dict[str, tuple[float, float]]] = field(default_factory=list)


def _rep_profile(reps: list[Rep], fps: float, lead_s: float, tail_s: float):
    total = lead_s + sum(r.down_s + r.pause_s + r.up_s + r.rest_s for r in reps) + tail_s
    t = np.arange(0.0, total, 1.0 / fps)
    prof = np.zeros_like(t)
    idx = np.full(t.shape, -1)
    times = []
    up_u = np.full(t.shape, np.nan)  # progress through the way up (0..1), NaN elsewhere
    start = lead_s
    carry = 0.0  # where this rep goes down from (share of its depth): 0 = standing
    for i, r in enumerate(reps):
        ph = t - start
        dn = (ph >= 0) & (ph < r.down_s)
        prof[dn] = carry + (1.0 - carry) * (0.5 - 0.5 * np.cos(np.pi * ph[dn] / r.down_s))
        hold = (ph >= r.down_s) & (ph < r.down_s + r.pause_s)
        prof[hold] = 1.0
        low = 1.0 - r.stand_up if i < len(reps) - 1 else 0.0  # where the way up stops
        up = (ph >= r.down_s + r.pause_s) & (ph < r.down_s + r.pause_s + r.up_s)
        prof[up] = low + (1.0 - low) * (0.5 + 0.5 * np.cos(np.pi * (ph[up] - r.down_s - r.pause_s) / r.up_s))
        up_u[up] = (ph[up] - r.down_s - r.pause_s) / r.up_s
        moving = r.down_s + r.pause_s + r.up_s
        if low > 0:  # not standing up fully: wait there for the next rep
            prof[(ph >= moving) & (ph < moving + r.rest_s)] = low
        idx[(ph >= 0) & (ph < moving + (r.rest_s if low > 0 else 0.0))] = i
        end = start + moving
        times.append((start, start + r.down_s + r.pause_s / 2, end))
        start = end + r.rest_s
        carry = min(low * r.depth / reps[i + 1].depth, 0.99) if low > 0 and reps[i + 1].depth > 0 else 0.0
    return t, prof, idx, times, up_u


def _valgus_profile(reps: list[Rep], prof: np.ndarray, idx: np.ndarray, up_u: np.ndarray, side: Side) -> np.ndarray:
    """(N,) medial knee displacement (m): with the depth profile, or only on the way up."""
    out = np.zeros_like(prof)
    bump = np.where(np.isfinite(up_u) & (up_u < 0.7), np.sin(np.pi * np.nan_to_num(up_u) / 0.7), 0.0)
    for i, r in enumerate(reps):
        m = idx == i
        v = r.valgus_left_m if side == "left" else r.valgus_right_m
        out[m] = v * (bump[m] if r.valgus_on_the_way_up else prof[m])
    return out


def screening_skeleton(
    test: ScreenTest, reps: list[Rep], fps: float = 30.0, lead_s: float = 1.5, tail_s: float = 1.0,
    working_side: Side = "left", stand_s: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, ScreenTruth]:
    """(t, (N, 33, 3) world landmarks, truth). World: X = person's left, Y up, Z = facing.
    Single-leg tests: the free foot stays down beside the stance foot for the first
    ``stand_s`` seconds (a two-legged standing start; keep it shorter than ``lead_s``)."""
    t, prof, idx, times, up_u = _rep_profile(reps, fps, lead_s, tail_s)
    n = t.size
    depth = np.where(idx >= 0, prof * np.array([reps[i].depth if i >= 0 else 0 for i in idx]), 0.0)
    hinge = "hinge" in test
    single = test.startswith("single")
    val = {s: _valgus_profile(reps, prof, idx, up_u, s) for s in SIDES}
    shift = np.where(idx >= 0, prof * np.array([reps[i].hip_shift_m if i >= 0 else 0 for i in idx]), 0.0)
    Ls, Lt, T = 0.43, 0.44, 0.52
    if hinge:
        knee_flex = np.radians(20.0) * depth
        lean = np.radians(75.0) * depth
    else:
        knee_flex = np.radians(100.0) * depth
        lean = np.radians(40.0) * depth
    alpha = 0.45 * knee_flex  # shin forward tilt
    P = np.zeros((n, N_LANDMARKS, 3))

    def put(name: str, xyz: np.ndarray) -> None:
        P[:, LANDMARK_INDEX[name]] = xyz

    lifted = (t >= stand_s)[:, None]  # single-leg tests: the free foot is off the floor
    knees, hips_yz = {}, []
    for side, lat in (("left", 1.0), ("right", -1.0)):
        ankle = np.tile([lat * 0.13, 0.08, 0.0], (n, 1))
        if single and side != working_side:
            # the free leg: foot lifted in front (squat) or behind (hinge)
            lift = np.clip(0.15 + 0.15 * depth, 0, 0.35)
            ankle = ankle + lifted * np.stack([np.zeros(n), lift + 0.1, (-0.35 if hinge else 0.25) * (0.5 + depth)], axis=1)
        shin = np.stack([np.zeros(n), np.cos(alpha), np.sin(alpha)], axis=1)
        knee = ankle + Ls * shin
        knee[:, 0] -= lat * val[side]  # medial displacement = valgus
        knees[side] = (ankle, knee)
        beta = knee_flex - alpha  # thigh tilt back from vertical
        hips_yz.append(knee + Lt * np.stack([np.zeros(n), np.cos(beta), -np.sin(beta)], axis=1))
    work = (working_side,) if single else SIDES
    hip_ref = np.mean([hips_yz[0 if s == "left" else 1] for s in work], axis=0)
    for side, lat in (("left", 1.0), ("right", -1.0)):
        ankle, knee = knees[side]
        if single and side != working_side:
            free_knee = np.stack([np.full(n, lat * 0.12), hip_ref[:, 1] - 0.3, hip_ref[:, 2] + (-0.25 if hinge else 0.3)], axis=1)
            free_ankle = free_knee + np.stack([np.zeros(n), -np.full(n, 0.35), np.full(n, -0.2 if not hinge else -0.1)], axis=1)
            knee, ankle = np.where(lifted, free_knee, knee), np.where(lifted, free_ankle, ankle)
        hip = np.stack([lat * 0.10 + shift, hip_ref[:, 1], hip_ref[:, 2]], axis=1)
        put(f"{side}_ankle", ankle)
        put(f"{side}_knee", knee)
        put(f"{side}_hip", hip)
        put(f"{side}_heel", ankle + np.array([0, -0.05, -0.06]))
        put(f"{side}_foot_index", ankle + np.array([lat * 0.02, -0.07, 0.17]))
        trunk = np.stack([np.zeros(n), np.cos(lean), np.sin(lean)], axis=1)
        shoulder = hip + T * trunk + np.array([lat * 0.08, 0, 0])
        put(f"{side}_shoulder", shoulder)
        arm = np.stack([np.zeros(n), -np.ones(n) * 0.7, np.ones(n) * 0.7], axis=1) * 0.28
        put(f"{side}_elbow", shoulder + arm)
        put(f"{side}_wrist", shoulder + 2 * arm)
        for part, d in (("pinky", 0.08), ("index", 0.09), ("thumb", 0.06)):
            put(f"{side}_{part}", shoulder + 2 * arm + np.array([0, 0, d]))
        head = (shoulder - np.array([lat * 0.08, 0, 0])) + 0.25 * trunk
        put(f"{side}_ear", head + np.array([lat * 0.07, 0, 0]))
        for part, dx in (("eye_inner", 0.015), ("eye", 0.03), ("eye_outer", 0.045)):
            put(f"{side}_{part}", head + np.array([lat * dx, 0.03, 0.08]))
        put(f"mouth_{side}", head + np.array([lat * 0.025, -0.05, 0.08]))
    P[:, LANDMARK_INDEX["nose"]] = (P[:, LANDMARK_INDEX["left_eye"]] + P[:, LANDMARK_INDEX["right_eye"]]) / 2 + np.array([0, -0.03, 0.03])

    # FPPA truth as an ideal camera sees it: straight in front, level, at knee height
    # (2-D FPPA is defined by that view; a real phone differs in height, roll and yaw)
    from .geometry import fppa

    ideal = frontal_camera(height=0.5)
    fppas, shifts = [], []
    for i, (a, b, c) in enumerate(times):
        k = int(np.argmin(np.abs(t - b)))
        d = {}
        img = ideal.project(P[k])
        for side, lat in (("left", 1.0), ("right", -1.0)):
            if single and side != working_side:
                continue
            h, kn, an = (img[LANDMARK_INDEX[f"{side}_{p}"]] for p in ("hip", "knee", "ankle"))
            d[side] = float(fppa(h, kn, an, np.array([lat, 0.0])))
        fppas.append(d)
        lh, rh = P[k, LANDMARK_INDEX["left_hip"], 0], P[k, LANDMARK_INDEX["right_hip"], 0]
        if single:
            base = P[k, LANDMARK_INDEX[f"{working_side}_ankle"], 0]
            base0 = P[0, LANDMARK_INDEX[f"{working_side}_ankle"], 0]
            mid0 = (P[0, LANDMARK_INDEX["left_hip"], 0] + P[0, LANDMARK_INDEX["right_hip"], 0]) / 2
            shifts.append(100 * (((lh + rh) / 2 - base) - (mid0 - base0)) / (lh - rh))
        else:
            la, ra = P[k, LANDMARK_INDEX["left_ankle"], 0], P[k, LANDMARK_INDEX["right_ankle"], 0]
            shifts.append(100 * ((lh + rh) / 2 - (la + ra) / 2) / (lh - rh))
    peaks = []
    for i, (a, b, c) in enumerate(times):
        frames = np.flatnonzero((t >= a) & (t <= c) & (depth >= 0.5 * reps[i].depth))
        d2: dict[str, tuple[float, float]] = {}
        for side, lat in (("left", 1.0), ("right", -1.0)):
            if single and side != working_side:
                continue
            vals = []
            for k in frames:
                img = ideal.project(P[k])
                h, kn, an = (img[LANDMARK_INDEX[f"{side}_{p}"]] for p in ("hip", "knee", "ankle"))
                vals.append(float(fppa(h, kn, an, np.array([lat, 0.0]))))
            if vals:
                j = int(np.argmax(vals))
                d2[side] = (vals[j], float(t[frames[j]]))
        peaks.append(d2)
    truth = ScreenTruth(t, times, fppas, shifts, working_side if single else None, peaks)
    return t, P, truth


def frontal_camera(**perturb: float) -> Camera:
    """A phone on a tripod 3.2 m in front, between knee and hip height, portrait.

    ``height`` (m, default 0.7); ``azimuth_deg``: the phone stands that far round the
    person (+ = towards the person's left), still aimed at them, so it sees the body
    turned by that angle ("a few degrees off frontal"); ``yaw_deg``/``pitch_deg``/``roll_deg``
    turn the phone itself (see :class:`Camera`)."""
    h = perturb.pop("height", 0.7)
    az = np.radians(perturb.pop("azimuth_deg", 0.0))
    return Camera((3.2 * np.sin(az), h, 3.2 * np.cos(az)), (0.0, h, 0.0), 720, 1280, 45.0, **perturb)


def side_camera(**perturb: float) -> Camera:
    """A phone 3 m to the person's right, looking at their side."""
    h = perturb.pop("height", 0.7)
    return Camera((-3.2, h, 0.0), (0.0, h, 0.0), 720, 1280, 45.0, **perturb)


def screening_clip(
    test: ScreenTest,
    reps: list[Rep],
    *,
    camera: Camera | None = None,
    fps: float = 30.0,
    noise_px: float = 0.0,
    low_visibility_fraction: float = 0.0,
    drop_fraction: float = 0.0,
    working_side: Side = "left",
    seed: int = 0,
    lead_s: float = 1.5,
    world_noise_m: float = 0.0,
    stand_s: float | None = None,
) -> tuple[PoseSequence, ScreenTruth]:
    """A synthetic squat/hinge clip seen by ``camera`` (default: frontal) and its truth.
    ``world_noise_m``: Gaussian noise (sd, metres) on the world landmarks, twice that along
    the camera axis (a pose model's depth is its least certain coordinate). ``stand_s``:
    single-leg tests start on both feet for that long (:func:`screening_skeleton`; default
    0.6 ``lead_s``, as the app asks: its turn check needs a two-legged start; 0 = none)."""
    rng = np.random.default_rng(seed)
    cam = camera or frontal_camera()
    stand_s = 0.6 * lead_s if stand_s is None else stand_s
    t, P, truth = screening_skeleton(test, reps, fps, lead_s, working_side=working_side, stand_s=stand_s)
    seq = _observe(P, t, cam, rng, noise_px, low_visibility_fraction, drop_fraction, f"synthetic {test}",
                   world_noise_m=world_noise_m)
    return seq, truth


def _observe(
    P: np.ndarray, t: np.ndarray, cam: Camera, rng: np.random.Generator, noise_px: float,
    low_vis: float, drop: float, source: str, unsure_parts: tuple[str, ...] = ("hip", "knee", "ankle"),
    world_noise_m: float = 0.0,
) -> PoseSequence:
    """What a pose model would report of the 3-D landmarks ``P`` seen by ``cam``: pixel
    noise, unsure frames (one leg landmark at visibility 0.2 and a wrong position), dropped
    frames (omitted, as in a pose CSV), world landmarks in the camera's axes like MediaPipe's
    (metres from the hip midpoint; x right, y down, z away from the camera)."""
    n = len(t)
    xy = cam.project(P)
    if noise_px > 0:
        xy = xy + rng.normal(0.0, noise_px, xy.shape)
    vis = np.full((n, N_LANDMARKS), 0.98)
    if low_vis > 0:
        legs = [LANDMARK_INDEX[f"{s}_{p}"] for s in SIDES for p in unsure_parts]
        for k in np.flatnonzero(rng.random(n) < low_vis):
            j = rng.choice(legs)
            vis[k, j] = 0.2
            xy[k, j] += rng.normal(0, 40, 2)
    keep = rng.random(n) >= drop
    keep[0] = keep[-1] = True
    rel = P - (P[:, [LANDMARK_INDEX["left_hip"]]] + P[:, [LANDMARK_INDEX["right_hip"]]]) / 2
    r, u, f = cam.basis()
    world = np.stack([rel @ r, -(rel @ u), rel @ f], axis=-1)
    if world_noise_m > 0:
        world = world + rng.normal(0.0, 1.0, world.shape) * (world_noise_m * np.array([1.0, 1.0, 2.0]))
    m = int(keep.sum())
    return PoseSequence(
        frame=np.arange(n, dtype=np.int64)[keep], time_s=t[keep], xy=xy[keep],
        z=np.zeros((m, N_LANDMARKS)), visibility=vis[keep], presence=np.full((m, N_LANDMARKS), 0.99),
        world=world[keep], image_size=(cam.width, cam.height),
        num_people=np.where(np.arange(n)[keep] % 60 == 0, 1, -1), source=source,
    )


def time_window(seq: PoseSequence, start_s: float | None = None, end_s: float | None = None) -> PoseSequence:
    """The frames of ``seq`` from ``start_s`` to ``end_s`` (inclusive; None = the clip's own
    start / end), times and frame numbers unchanged: a clip that starts or ends mid-rep."""
    t = seq.time_s
    keep = (t >= (-np.inf if start_s is None else start_s)) & (t <= (np.inf if end_s is None else end_s))
    return PoseSequence(
        frame=seq.frame[keep], time_s=t[keep], xy=seq.xy[keep], z=seq.z[keep], visibility=seq.visibility[keep],
        presence=seq.presence[keep], world=seq.world[keep], image_size=seq.image_size,
        num_people=seq.num_people[keep], source=seq.source,
    )

"""Pose a rigged Mixamo-style glTF avatar frame by frame and render it (runs INSIDE Blender).

    blender -b --factory-startup -P blender_pose.py -- SPEC.json OUTDIR

SPEC.json (written by ``render.py`` from ``specs.py``): avatar path, scene kind
(``seated`` | ``prone`` | ``stand``), resolution, camera, stickers, and one pose dict per
frame. Writes ``OUTDIR/frame_0000.png ...`` and ``OUTDIR/raw.json``: per frame the world
(metres, Blender Z up, the person faces -Y, the person's left is +X) and image (pixels,
x right, y down) positions of each hip, knee and ankle joint (the rig's bone heads), the
shoulders, and the sticker centres. Derived ground truth (angles, shift) is computed on the
host from these positions (``truth.py``).

Posing: every bone gets a rotation *in the world (body) frame* relative to its rest
orientation; it is converted into the armature's space (the imported armature carries a
+90 deg X rotation and a 0.01 scale) and set through ``pose_bone.matrix``, parents first.
Bones without their own rotation inherit their parent's world rotation (rigid). Legs are
placed from target points: thigh along hip->knee, shin along knee->ankle, with the knee's
hinge axis (the normal of the hip-knee-ankle plane) fixing the twist.
"""

from __future__ import annotations

import json
import math
import sys
import time

import numpy

numpy.bool = bool  # Debian Blender 3.4's glTF importer uses the alias removed in numpy 1.24

import bpy  # noqa: E402
from bpy_extras.object_utils import world_to_camera_view  # noqa: E402
from mathutils import Matrix, Vector  # noqa: E402

P = "mixamorig:"
SIDES = ("left", "right")
SIDE_PREFIX = {"left": "Left", "right": "Right"}
SIDE_SIGN = {"left": 1.0, "right": -1.0}  # the person's left is +X


def rot_x(deg: float) -> Matrix:
    return Matrix.Rotation(math.radians(deg), 3, "X")


def rot_y(deg: float) -> Matrix:
    return Matrix.Rotation(math.radians(deg), 3, "Y")


def rot_z(deg: float) -> Matrix:
    return Matrix.Rotation(math.radians(deg), 3, "Z")


def frame_rot(d: Vector, n: Vector) -> Matrix:
    """Orthonormal frame with columns (d, d x n, n), n made perpendicular to d."""
    d = d.normalized()
    n = (n - n.dot(d) * d).normalized()
    f = d.cross(n)
    return Matrix((d, f, n)).transposed()


class Rig:
    """Forward kinematics in Python: each bone's world rotation (``delta``, from rest) and
    head position are tracked here, and Blender's ``matrix_basis`` is computed from them
    once per frame (no depsgraph update per bone: that made posing 2-3 s a frame)."""

    def __init__(self, arm: bpy.types.Object) -> None:
        self.arm = arm
        self.M = arm.matrix_world.copy()
        self.Minv = self.M.inverted()
        self.R = self.M.to_3x3().normalized()
        self.Rinv = self.R.inverted()
        self.pb = arm.pose.bones
        self.rest_head = {b.name: self.M @ b.head_local for b in arm.data.bones}
        self.rest_tail = {b.name: self.M @ b.tail_local for b in arm.data.bones}
        self.order = sorted(self.pb, key=lambda b: len(b.parent_recursive))
        self.delta: dict[str, Matrix] = {}
        self.heads: dict[str, Vector] = {}

    def rest_dir(self, name: str) -> Vector:
        return (self.rest_tail[P + name] - self.rest_head[P + name]).normalized()

    def length(self, name: str) -> float:
        return (self.rest_tail[P + name] - self.rest_head[P + name]).length

    def _head(self, full: str) -> Vector:
        if full in self.heads:
            return self.heads[full]
        parent = self.pb[full].parent
        if parent is None:
            return self.rest_head[full].copy()
        pd = self.delta.get(parent.name)
        if pd is None:
            raise RuntimeError(f"{full}: parent {parent.name} not posed yet")
        return self._head(parent.name) + pd @ (self.rest_head[full] - self.rest_head[parent.name])

    def head(self, name: str) -> Vector:
        """Posed head of a bone in world coordinates (its parent must be posed)."""
        return self._head(P + name)

    def reset(self) -> None:
        self.delta, self.heads = {}, {}

    def set(self, name: str, delta_world: Matrix, head_world: Vector | None = None) -> None:
        """Rotate bone ``name`` by ``delta_world`` (world frame, from its rest orientation);
        move its head to ``head_world`` (root bone only)."""
        full = P + name
        self.heads[full] = head_world.copy() if head_world is not None else self._head(full)
        self.delta[full] = delta_world.copy()

    def inherit(self, names: list[str]) -> None:
        """Give bones (in order) their parent's world delta: rigid with the parent."""
        for name in names:
            parent = self.pb[P + name].parent
            self.set(name, self.delta.get(parent.name, Matrix.Identity(3)))

    def aim(self, name: str, direction: Vector, hinge: Vector, rest_hinge: Vector = Vector((1, 0, 0))) -> None:
        """Point bone ``name`` along ``direction`` with its hinge axis along ``hinge``."""
        delta = frame_rot(direction, hinge) @ frame_rot(self.rest_dir(name), rest_hinge).inverted()
        self.set(name, delta)

    def aim_min(self, name: str, direction: Vector) -> None:
        """Point bone ``name`` along ``direction`` with the smallest rotation from rest."""
        delta = self.rest_dir(name).rotation_difference(direction.normalized()).to_matrix()
        self.set(name, delta)

    def apply(self) -> float:
        """Write the pose into Blender (bones not posed inherit their parent's rotation);
        returns the largest distance (m) between the heads computed here and Blender's."""
        pose: dict[str, Matrix] = {}
        for pb in self.order:
            if pb.name not in self.delta:
                parent = pb.parent
                self.heads[pb.name] = self._head(pb.name)
                self.delta[pb.name] = self.delta[parent.name].copy() if parent else Matrix.Identity(3)
            rest = pb.bone.matrix_local
            m = (self.Rinv @ self.delta[pb.name] @ self.R @ rest.to_3x3()).to_4x4()
            m.translation = self.Minv @ self.heads[pb.name]
            pose[pb.name] = m
            if pb.parent is None:
                pb.matrix_basis = rest.inverted() @ m
            else:
                par = pb.parent
                pb.matrix_basis = (pose[par.name] @ par.bone.matrix_local.inverted() @ rest).inverted() @ m
        bpy.context.view_layer.update()
        return max((self.M @ pb.head - self.heads[pb.name]).length for pb in self.order)


# ----------------------------------------------------------------------- posing
def _arms(rig: Rig, mode: str, body: Matrix) -> None:
    for side in SIDES:
        s = SIDE_SIGN[side]
        pre = SIDE_PREFIX[side]
        rig.inherit([f"{pre}Shoulder"])
        if mode == "forward":  # arms held forward at shoulder height
            upper, fore = Vector((0.12 * s, -1, -0.05)), Vector((0.0, -1, 0.0))
        elif mode == "down":  # hanging down beside the body (body frame)
            upper, fore = body @ Vector((0.25 * s, 0.05, -1)), body @ Vector((0.15 * s, -0.25, -1))
        else:  # "hang": straight down in the world (a hinge: arms hang under the shoulders)
            upper, fore = Vector((0.08 * s, 0, -1)), Vector((0.05 * s, -0.05, -1))
        rig.aim_min(f"{pre}Arm", upper)
        rig.aim_min(f"{pre}ForeArm", fore)
        rig.inherit([f"{pre}Hand"])


def _spine(rig: Rig, delta: Matrix) -> None:
    for name in ("Spine", "Spine1", "Spine2", "Neck", "Head"):
        rig.set(name, delta)


def _leg_from_dirs(rig: Rig, side: str, thigh: Vector, shin: Vector, foot: Matrix | None) -> None:
    pre = SIDE_PREFIX[side]
    hinge = thigh.cross(shin)
    if hinge.length < 1e-3:
        hinge = Vector((1, 0, 0))
    rig.aim(f"{pre}UpLeg", thigh, hinge.normalized())
    rig.aim(f"{pre}Leg", shin, hinge.normalized())
    rig.set(f"{pre}Foot", foot if foot is not None else rig.delta[P + f"{pre}Leg"])
    rig.inherit([f"{pre}ToeBase"])


def _leg_ik(rig: Rig, side: str, ankle: Vector, knee_dir: Vector, foot: Matrix) -> None:
    """Two-bone IK: the hip (posed) and ``ankle`` fixed, the knee bends towards ``knee_dir``."""
    pre = SIDE_PREFIX[side]
    H = rig.head(f"{pre}UpLeg")
    l1, l2 = rig.length(f"{pre}UpLeg"), rig.length(f"{pre}Leg")
    u = ankle - H
    D = min(u.length, 0.9999 * (l1 + l2))
    u.normalize()
    a = (l1 * l1 - l2 * l2 + D * D) / (2 * D)
    h = math.sqrt(max(l1 * l1 - a * a, 0.0))
    v = (knee_dir - knee_dir.dot(u) * u).normalized()
    K = H + a * u + h * v
    A = H + D * u
    hinge = v.cross(u).normalized()
    rig.aim(f"{pre}UpLeg", K - H, hinge)
    rig.aim(f"{pre}Leg", A - K, hinge)
    rig.set(f"{pre}Foot", foot)
    rig.inherit([f"{pre}ToeBase"])


def pose_seated(rig: Rig, fr: dict, sc: dict) -> None:
    """Sitting upright on a stool, thighs horizontal forward, shins hanging; ``fr['rot']``
    per side: hip rotation in degrees, + = internal (foot lateral); ``fr['tuck']`` per side:
    the shin swung back under the seat (deg), out of the way of the other foot."""
    hip_z = sc["hip_height"]
    root = rig.rest_head[P + "Hips"]
    hip_joint_z = (rig.rest_head[P + "LeftUpLeg"].z + rig.rest_head[P + "RightUpLeg"].z) / 2
    rig.set("Hips", Matrix.Identity(3), Vector((root.x, root.y, hip_z + root.z - hip_joint_z)))
    _spine(rig, rot_x(float(fr.get("trunk_lean", 0.0))))
    _arms(rig, "down", Matrix.Identity(3))
    for side in SIDES:
        phi = float(fr["rot"][side])
        # left IR moves the foot to +X: rotation about +Y by -phi (left), +phi (right)
        r = rot_y(-SIDE_SIGN[side] * phi)
        tuck = rot_x(float(fr.get("tuck", {}).get(side, 0.0)))  # + = foot back under the seat
        _leg_from_dirs(rig, side, Vector((0, -1, 0)), r @ tuck @ Vector((0, 0, -1)), None)


def pose_prone(rig: Rig, fr: dict, sc: dict) -> None:
    """Lying face down (head at -Y, feet at +Y), knees bent 90 deg so the shins point up;
    ``fr['rot']`` per side: hip rotation, + = internal (foot lateral); ``fr['tuck']`` per
    side: the knee bent further, the foot towards the buttock (deg), out of the way of the
    other foot."""
    body = rot_x(90.0)
    root = rig.rest_head[P + "Hips"]
    rig.set("Hips", body, Vector((root.x, 0.0, sc["hip_height"])))
    _spine(rig, body)
    _arms(rig, "down", body)
    for side in SIDES:
        phi = float(fr["rot"][side])
        # left IR moves the foot to +X: rotation of +Z about +Y by +phi gives +X
        r = rot_y(SIDE_SIGN[side] * phi)
        tuck = rot_x(float(fr.get("tuck", {}).get(side, 0.0)))  # + = foot towards the buttock
        _leg_from_dirs(rig, side, Vector((0, 1, -0.02)), r @ tuck @ Vector((0, 0, 1)), None)


def pose_stand(rig: Rig, fr: dict, sc: dict) -> None:
    """Standing, squatting or hinging with the feet planted. Frame keys: ``drop`` (pelvis
    down, m), ``shift`` (pelvis sideways, m, + = the person's left), ``back`` (pelvis back,
    m), ``lean`` (trunk forward, deg), ``pelvis_tilt`` (deg forward), ``valgus`` per side
    (knee direction turned medially, deg; negative = lateral), ``lift`` (side of a lifted
    foot or null), ``lift_flex`` (hip flexion of the lifted leg, deg)."""
    root = rig.rest_head[P + "Hips"]
    stance = sc["stance_half_width"]
    toe_out = sc.get("toe_out", 8.0)
    lift = fr.get("lift")
    rig.set(
        "Hips",
        rot_x(float(fr.get("pelvis_tilt", 0.0))),
        Vector((root.x + fr.get("shift", 0.0), root.y + fr.get("back", 0.0), root.z - fr.get("drop", 0.0))),
    )
    _spine(rig, rot_x(float(fr.get("lean", 0.0))))
    _arms(rig, sc.get("arms", "forward"), Matrix.Identity(3))
    for side in SIDES:
        s = SIDE_SIGN[side]
        pre = SIDE_PREFIX[side]
        if side == lift:
            flex = float(fr.get("lift_flex", 40.0))
            thigh = rot_x(-flex) @ Vector((0, 0, -1))  # forward (-Y) and down
            shin = rot_x(80.0 - flex) @ Vector((0, 0, -1))  # knee bent 80 deg
            _leg_from_dirs(rig, side, thigh, shin, None)
            continue
        rest_ankle = rig.rest_head[P + f"{pre}Foot"]
        ankle = Vector((s * stance, rest_ankle.y, rest_ankle.z))
        turn = toe_out * s  # toes out: the left foot turns counter-clockwise seen from above
        knee_dir = rot_z(turn - s * float(fr.get("valgus", {}).get(side, 0.0))) @ Vector((0, -1, 0))
        _leg_ik(rig, side, ankle, knee_dir, rot_z(turn))


POSERS = {"seated": pose_seated, "prone": pose_prone, "stand": pose_stand}


# ------------------------------------------------------------------------ scene
def material(name: str, rgb: tuple[float, float, float]) -> bpy.types.Material:
    m = bpy.data.materials.new(name)
    m.diffuse_color = (*rgb, 1.0)
    return m


def add_box(name: str, lo: tuple, hi: tuple, rgb: tuple) -> None:
    c = [(a + b) / 2 for a, b in zip(lo, hi)]
    bpy.ops.mesh.primitive_cube_add(size=1.0, location=c)
    o = bpy.context.active_object
    o.name = name
    o.scale = [b - a for a, b in zip(lo, hi)]
    o.data.materials.append(material(name, rgb))


def setup_camera(sc: dict, cam_spec: dict, target: Vector, facing: Vector) -> bpy.types.Object:
    """Camera at ``distance`` from ``target`` along ``facing`` (horizontal unit vector from
    the target to the camera), turned by ``yaw`` about the vertical through the target, at
    ``height``; it looks at the target, then tilts by ``pitch`` (+ = up) and rolls by
    ``roll`` (+ = clockwise as the image shows it, i.e. the picture rotates clockwise)."""
    cam_data = bpy.data.cameras.new("cam")
    cam_data.lens = cam_spec.get("lens_mm", 26.0)
    cam_data.sensor_width = 36.0
    cam = bpy.data.objects.new("cam", cam_data)
    bpy.context.scene.collection.objects.link(cam)
    d = rot_z(cam_spec.get("yaw", 0.0)) @ facing
    loc = Vector((target.x + d.x * cam_spec["distance"], target.y + d.y * cam_spec["distance"], cam_spec["height"]))
    cam.location = loc
    look = (target - loc).normalized()
    q = look.to_track_quat("-Z", "Y")
    m = q.to_matrix()
    m = m @ rot_x(cam_spec.get("pitch", 0.0)) @ Matrix.Rotation(math.radians(cam_spec.get("roll", 0.0)), 3, "Z")
    cam.rotation_euler = m.to_euler()
    bpy.context.scene.camera = cam
    return cam


def make_sticker(i: int, radius: float, rgb: tuple) -> bpy.types.Object:
    bpy.ops.mesh.primitive_cylinder_add(vertices=24, radius=radius, depth=0.002, location=(50 + i, 50, 50))
    o = bpy.context.active_object
    o.name = f"sticker{i}"
    o.data.materials.append(material(f"sticker{i}", rgb))
    return o


def place_stickers(rig: Rig, stickers: list[bpy.types.Object], spec: list[dict], cam: bpy.types.Object) -> tuple[list[list[float]], list[bool]]:
    """Put each sticker on the skin of its own shin, on the side facing the camera: where a
    ray from just outside the leg (0.15 m from the point ``frac`` along knee->ankle,
    towards the camera) meets it. Also returns per sticker whether something else (the
    other leg) hides it from the camera."""
    dg = bpy.context.evaluated_depsgraph_get()
    scene = bpy.context.scene
    cam_pos = cam.matrix_world.translation
    out, hidden = [], []
    for o, st in zip(stickers, spec):
        pre = SIDE_PREFIX[st["side"]]
        K, A = rig.head(f"{pre}Leg"), rig.head(f"{pre}Foot")
        p = K + st["frac"] * (A - K)
        to_cam = (cam_pos - p).normalized()
        hit, loc, normal, *_ = scene.ray_cast(dg, p + 0.15 * to_cam, -to_cam)
        if not hit:
            out.append([math.nan] * 3)
            hidden.append(True)
            continue
        o.location = loc + 0.0015 * normal
        o.rotation_euler = normal.to_track_quat("Z", "Y").to_euler()
        out.append(list(loc))
        d = (loc - cam_pos).length
        first, floc, *_ = scene.ray_cast(dg, cam_pos, (loc - cam_pos).normalized())
        hidden.append(bool(first and (floc - cam_pos).length < d - 0.01))
    bpy.context.view_layer.update()
    return out, hidden


def main() -> None:
    argv = sys.argv[sys.argv.index("--") + 1:]
    spec = json.loads(open(argv[0]).read())
    outdir = argv[1]
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.import_scene.gltf(filepath=spec["avatar"])
    arm = next(o for o in bpy.data.objects if o.type == "ARMATURE")
    for o in bpy.data.objects:
        if o.animation_data:
            o.animation_data_clear()
    rig = Rig(arm)
    sc = spec["scene"]
    kind = sc["kind"]
    W, H = spec["width"], spec["height"]

    scene = bpy.context.scene
    scene.render.engine = "BLENDER_WORKBENCH"
    scene.render.resolution_x, scene.render.resolution_y = W, H
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.display.render_aa = "FXAA"
    shading = scene.display.shading
    shading.light = "STUDIO"
    shading.color_type = "TEXTURE"
    shading.show_cavity = False
    if scene.world is None:
        scene.world = bpy.data.worlds.new("world")
    scene.world.color = tuple(sc.get("background", (0.55, 0.58, 0.62)))

    # props: floor, stool or table
    add_box("floor", (-3, -4, -0.02), (3, 4, 0.0), (0.35, 0.33, 0.3))
    legs = {s: rig.length(f"{SIDE_PREFIX[s]}Leg") for s in SIDES}
    if kind == "seated":
        sc.setdefault("hip_height", max(legs.values()) + 0.16)
        top = sc["hip_height"] - 0.09
        add_box("stool", (-0.3, -0.34, 0.0), (0.3, 0.3, top), (0.45, 0.32, 0.22))
        target = Vector((0, -0.5, sc["camera"].get("target_height", sc["hip_height"] - 0.2)))
        facing = Vector((0, -1, 0))
    elif kind == "prone":
        table = sc.get("table_height", 0.7)
        sc.setdefault("hip_height", table + 0.11)
        knee_y = rig.length("LeftUpLeg")
        add_box("table", (-0.45, -1.6, 0.0), (0.45, knee_y + 0.08, table), (0.45, 0.32, 0.22))
        target = Vector((0, knee_y, sc["camera"].get("target_height", table + 0.25)))
        facing = Vector((0, 1, 0))
    else:
        sc.setdefault("stance_half_width", 0.13)
        target = Vector((0, 0, sc["camera"].get("target_height", 0.9)))
        facing = Vector((0, -1, 0))
    cam = setup_camera(sc, sc["camera"], target, facing)
    stickers = [make_sticker(i, st.get("radius", 0.015), tuple(st.get("rgb", (0.0, 1.0, 0.0)))) for i, st in enumerate(sc.get("stickers", []))]

    def project(p: Vector) -> list[float]:
        v = world_to_camera_view(scene, cam, p)
        return [v.x * W, (1.0 - v.y) * H, v.z]

    frames_out = []
    t0 = time.time()
    poser = POSERS[kind]
    t1, t_pose, fk_err = time.time(), 0.0, 0.0
    for i, fr in enumerate(spec["frames"]):
        rig.reset()
        poser(rig, fr, sc)
        for k, o in enumerate(stickers):  # out of the way of this frame's ray casts
            o.location = (50 + k, 50, 50)
        fk_err = max(fk_err, rig.apply())
        joints = {}
        for side in SIDES:
            pre = SIDE_PREFIX[side]
            for key, bone in (("hip", "UpLeg"), ("knee", "Leg"), ("ankle", "Foot"), ("shoulder", "Arm"), ("toe", "ToeBase")):
                joints[f"{side}_{key}"] = list(rig.head(f"{pre}{bone}"))
        stick, hidden = place_stickers(rig, stickers, sc.get("stickers", []), cam) if stickers else ([], [])
        frames_out.append({
            "world": joints,
            "image": {k: project(Vector(v)) for k, v in joints.items()},
            "stickers_world": stick,
            "stickers_image": [project(Vector(p)) if not math.isnan(p[0]) else None for p in stick],
            "stickers_hidden": hidden,
        })
        t_pose += time.time() - t1
        scene.render.filepath = f"{outdir}/frame_{i:04d}.png"
        bpy.ops.render.render(write_still=True)
        t1 = time.time()
    raw = {
        "frames": frames_out,
        "camera": {"location": list(cam.matrix_world.translation), "matrix_world": [list(r) for r in cam.matrix_world]},
        "width": W, "height": H, "render_s": time.time() - t0, "pose_s": t_pose, "fk_check_m": fk_err,
    }
    with open(f"{outdir}/raw.json", "w") as fh:
        json.dump(raw, fh)


if __name__ == "__main__":
    main()

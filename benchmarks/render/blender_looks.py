"""Render looks (clothing colours, background, light) for the avatar clips (runs INSIDE Blender).

    blender -b --factory-startup -P blender_looks.py -- SPEC.json OUTDIR

The entry point for every clip whose look is not ``default``: it runs ``blender_pose.py``
unchanged (so the cached default-look renders keep their hash) and applies
``SPEC['look']`` (a dict from ``specs.LOOKS``) once the scene is built, just before the
first frame is rendered. A look may set:

* ``parts``: colour (RGB, 0-1) per body part; each face of the avatar's meshes gets the part
  of the bone that weighs most on its vertices: ``trousers`` (hips, thighs, shins),
  ``shoes`` (feet, toes), ``top`` (spine, shoulders, arms), ``skin`` (the rest: neck,
  head, hands). The scene is then shaded by material colour instead of texture.
* ``background`` (world colour), ``floor`` (floor colour), ``exposure`` (stops, < 0 darker),
  ``light_rotate_z`` (deg: the studio light turned about the vertical, in world space),
  ``shadow_direction`` (a 3-vector towards the light: cast shadows on) and
  ``shadow_intensity``.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import blender_pose  # noqa: E402  (sets numpy.bool before importing bpy)
import bpy  # noqa: E402

#: bone name fragment -> part, first match wins (mixamo names: LeftUpLeg, LeftLeg, LeftForeArm ...)
PART_OF_BONE = (("Foot", "shoes"), ("Toe", "shoes"), ("Leg", "trousers"), ("Hips", "trousers"),
                ("Spine", "top"), ("Shoulder", "top"), ("Arm", "top"))


def part_of(bone: str) -> str:
    for frag, part in PART_OF_BONE:
        if frag in bone:
            return part
    return "skin"


def dress(obj: bpy.types.Object, parts: dict[str, list[float]]) -> None:
    """Give each face of ``obj`` the material of its dominant bone's part."""
    names = {g.index: g.name for g in obj.vertex_groups}
    vpart = []
    for v in obj.data.vertices:
        best = max(v.groups, key=lambda g: g.weight, default=None)
        vpart.append(part_of(names.get(best.group, "")) if best is not None else "skin")
    order = list(parts)
    obj.data.materials.clear()
    for p in order:
        m = bpy.data.materials.get(f"look_{p}") or bpy.data.materials.new(f"look_{p}")
        m.diffuse_color = (*parts[p], 1.0)
        obj.data.materials.append(m)
    for poly in obj.data.polygons:
        part = Counter(vpart[i] for i in poly.vertices).most_common(1)[0][0]
        poly.material_index = order.index(part) if part in order else order.index("skin")


def apply_look(look: dict) -> None:
    scene = bpy.context.scene
    shading = scene.display.shading
    if "parts" in look:
        for o in bpy.data.objects:
            if o.type == "MESH" and o.vertex_groups:
                dress(o, look["parts"])
        shading.color_type = "MATERIAL"
    if "background" in look:
        scene.world.color = tuple(look["background"])
    if "floor" in look and "floor" in bpy.data.materials:
        bpy.data.materials["floor"].diffuse_color = (*look["floor"], 1.0)
    if "exposure" in look:
        scene.view_settings.exposure = float(look["exposure"])
    if "light_rotate_z" in look:
        shading.use_world_space_lighting = True
        shading.studiolight_rotate_z = math.radians(float(look["light_rotate_z"]))
    if "shadow_direction" in look:
        shading.show_shadows = True
        scene.display.light_direction = tuple(look["shadow_direction"])
        scene.display.shadow_shift = 0.1
        shading.shadow_intensity = float(look.get("shadow_intensity", 0.5))


def main() -> None:
    argv = sys.argv[sys.argv.index("--") + 1:]
    look = json.loads(Path(argv[0]).read_text()).get("look") or {}
    setup_camera = blender_pose.setup_camera

    def setup_camera_with_look(*args, **kwargs):  # called once, after the props are built
        cam = setup_camera(*args, **kwargs)
        apply_look(look)
        return cam

    blender_pose.setup_camera = setup_camera_with_look
    blender_pose.main()


if __name__ == "__main__":
    main()

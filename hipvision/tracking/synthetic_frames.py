"""Synthetic video frames with known answers for the shin trackers (numpy + cv2 only,
deterministic for a given ``seed``).

Two shins of the synthetic person of :mod:`hipvision.synthetic` (prone seen from the foot
end, or seated seen from the front) are drawn on a textured background, each with two
coloured disc stickers on the shin line, following the same rotation time course and truth
as :func:`hipvision.synthetic.rotation_clip`. Options add blur, sensor noise, a partial
occlusion of one sticker, and distractors that a marker detector must reject (small green
specks = glare, a pale green patch, a green stripe).

Example (a bundled sample video)::

    from hipvision.synthetic import Move
    from hipvision.tracking.synthetic_frames import write_rotation_video
    truth = write_rotation_video("prone_markers.mp4", "prone",
                                 [Move("both", 35), Move("both", -40)])
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..config import MARKER_COLORS
from ..landmarks import LANDMARK_INDEX, SIDES
from ..synthetic import Body, Camera, Move, Truth, _peaks, default_camera, rotation_protocol, skeleton_3d
from .result import POINTS

#: RGB of each sticker colour as drawn (a saturated print of the colour)
STICKER_RGB: dict[str, tuple[int, int, int]] = {
    "green": (40, 235, 60),
    "pink": (255, 40, 190),
    "orange": (255, 120, 10),
    "blue": (20, 90, 255),
}


@dataclass(frozen=True)
class Occlusion:
    """Cover ``fraction`` (0..1, from the side) of sticker ``point`` from ``from_s`` to ``to_s``."""

    point: str = "right_ankle"
    from_s: float = 2.0
    to_s: float = 2.6
    fraction: float = 0.5


@dataclass
class SyntheticVideo:
    """A generated clip: iterate :meth:`frames` for (index, time_s, RGB image)."""

    width: int
    height: int
    fps: float
    truth: Truth
    #: true sticker centres (N, 2) px per point name; for ``markers=False`` the points a
    #: user would mark (same place on the shin line)
    points: dict[str, np.ndarray]
    #: (N,) bool per side: the leg is drawn (False = extended on the table, out of view)
    shown: dict[str, np.ndarray]
    _render: "_Renderer"

    def __len__(self) -> int:
        return len(self.truth.time_s)

    def frames(self) -> Iterator[tuple[int, float, np.ndarray]]:
        for k, t in enumerate(self.truth.time_s):
            yield k, float(t), self._render.frame(k)


class _Renderer:
    def __init__(self, knee: dict[str, np.ndarray], ankle: dict[str, np.ndarray], size: tuple[int, int], *,
                 ppm: float, body: Body, sticker_rgb: tuple[int, int, int] | None, sticker_d_m: float,
                 sticker_at: tuple[float, float], blur_px: float, noise_sd: float,
                 occlusion: Occlusion | None, distractors: bool, time_s: np.ndarray, seed: int,
                 shown: dict[str, np.ndarray]) -> None:
        import cv2

        self.cv2 = cv2
        self.knee, self.ankle, self.size, self.shown = knee, ankle, size, shown
        self.blur_px, self.noise_sd, self.occlusion, self.time_s, self.seed = blur_px, noise_sd, occlusion, time_s, seed
        rng = np.random.default_rng(seed)
        w, h = size
        # background: low-saturation blotches (a table, a wall) with fine grain
        coarse = rng.uniform(0, 1, (h // 16 + 2, w // 16 + 2, 3)).astype(np.float32)
        blot = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
        base = np.array([150, 140, 128], np.float32)
        bg = base + 60 * (blot - 0.5) + rng.normal(0, 6, (h, w, 3)).astype(np.float32)
        gray = bg.mean(axis=2, keepdims=True)
        self.bg = np.clip(gray + 0.35 * (bg - gray), 0, 255).astype(np.uint8)
        if distractors:
            g = STICKER_RGB["green"]
            for _ in range(6):  # specks of glare/reflection: too small
                c = (int(rng.uniform(0.05, 0.95) * w), int(rng.uniform(0.05, 0.95) * h))
                cv2.circle(self.bg, c, 1, g, -1, cv2.LINE_AA)
            # a pale green patch (low saturation) and a green stripe (not round)
            cv2.circle(self.bg, (int(0.12 * w), int(0.2 * h)), max(4, w // 60), (140, 175, 140), -1, cv2.LINE_AA)
            cv2.rectangle(self.bg, (int(0.8 * w), int(0.85 * h)), (int(0.97 * w), int(0.85 * h) + max(3, w // 200)), g, -1)
        # leg texture in leg coordinates (texels): u across, v along the shin from the knee
        self.tex_scale = 2.0  # supersampling of the texture vs the image
        self.ppt = ppm * self.tex_scale  # texels per metre
        L, W = body.shin, 0.13
        self.L_t = L * self.ppt
        tw, th = int(W * self.ppt), int((L + 0.25) * self.ppt)
        self.v0 = 0.1 * self.ppt  # texture row of the knee
        tex_blot = cv2.resize(rng.uniform(0, 1, (th // 12 + 2, tw // 12 + 2, 3)).astype(np.float32), (tw, th), interpolation=cv2.INTER_CUBIC)
        skin = np.array([205, 160, 135], np.float32)
        tex = skin + 70 * (tex_blot - 0.5) + rng.normal(0, 10, (th, tw, 3)).astype(np.float32)
        tex = np.clip(tex, 0, 255).astype(np.uint8)
        # knee crease, ankle, heel (sock): structure an optical-flow tracker can hold on to
        for dv in (-0.03, 0.0, 0.025):
            y = int(self.v0 + dv * self.ppt)
            cv2.line(tex, (int(0.2 * tw), y), (int(0.8 * tw), y + int(0.01 * self.ppt)), (120, 80, 70), max(1, int(0.006 * self.ppt)), cv2.LINE_AA)
        sock_v = int(self.v0 + 0.9 * L * self.ppt)
        tex[sock_v:] = np.clip(tex[sock_v:].astype(np.int16) - 90, 0, 255).astype(np.uint8)
        self.mask_tex = np.zeros((th, tw), np.uint8)
        # silhouette: calf wider near the knee, narrower at the ankle
        pts = []
        for v in np.linspace(-0.08, L + 0.15, 40):
            half = W / 2 * (1.0 - 0.35 * np.clip(v / L, 0, 1))
            pts.append((tw / 2 + half * self.ppt, self.v0 + v * self.ppt))
        pts += [(tw - x, y) for x, y in reversed(pts)]
        cv2.fillPoly(self.mask_tex, [np.round(np.array(pts) * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
        if sticker_rgb is not None:
            r = sticker_d_m / 2 * self.ppt
            for f in sticker_at:
                c = (tw / 2, self.v0 + f * L * self.ppt)
                cv2.circle(tex, (int(round(c[0] * 16)), int(round(c[1] * 16))), int(round(r * 16)), sticker_rgb, -1, cv2.LINE_AA, shift=4)
        self.tex, self.tw = tex, tw

    def affine(self, k: int, side: str) -> np.ndarray:
        """2x3 map from texture (texels) to image px for frame ``k``."""
        K, A = self.knee[side][k], self.ankle[side][k]
        d = A - K
        scale = np.hypot(*d) / self.L_t
        d = d / np.hypot(*d)
        perp = np.array([d[1], -d[0]]) if side == "left" else np.array([-d[1], d[0]])
        # texture u axis is mirrored on the right leg (looks like a pair of legs)
        src = np.float32([[self.tw / 2, self.v0], [self.tw / 2, self.v0 + self.L_t], [self.tw / 2 + 10, self.v0]])
        dst = np.float32([K, A, K + perp * 10 * scale])
        return self.cv2.getAffineTransform(src, dst)

    def frame(self, k: int) -> np.ndarray:
        cv2 = self.cv2
        w, h = self.size
        img = self.bg.copy()
        for side in SIDES:
            if not self.shown[side][k]:
                continue
            M = self.affine(k, side)
            # warp only into the leg's bounding box
            th, tw = self.mask_tex.shape
            corners = np.array([[0, 0, 1], [tw, 0, 1], [0, th, 1], [tw, th, 1]], np.float64) @ M.T
            x0, y0 = np.maximum(np.floor(corners.min(axis=0)).astype(int) - 1, 0)
            x1, y1 = np.minimum(np.ceil(corners.max(axis=0)).astype(int) + 1, (w, h))
            if x1 <= x0 or y1 <= y0:
                continue
            Mr = M.copy()
            Mr[:, 2] -= (x0, y0)
            size = (int(x1 - x0), int(y1 - y0))
            leg = cv2.warpAffine(self.tex, Mr, size, flags=cv2.INTER_LINEAR).astype(np.float32)
            a = cv2.warpAffine(self.mask_tex, Mr, size, flags=cv2.INTER_LINEAR).astype(np.float32)[..., None] / 255.0
            roi = img[y0:y1, x0:x1].astype(np.float32)
            img[y0:y1, x0:x1] = (roi * (1 - a) + leg * a + 0.5).astype(np.uint8)
        occ = self.occlusion
        if occ is not None and occ.from_s <= self.time_s[k] < occ.to_s:
            side, part = occ.point.split("_")
            f = 0.12 if part == "knee" else 0.88
            c = self.knee[side][k] + f * (self.ankle[side][k] - self.knee[side][k])
            r = 0.05 * np.hypot(*(self.ankle[side][k] - self.knee[side][k]))  # generous sticker radius
            x_edge = c[0] + r * (1 - 2 * occ.fraction)
            # a hand/towel coming in from the image right
            cv2.rectangle(img, (int(round(x_edge)), int(c[1] - 3 * r)), (int(c[0] + 6 * r), int(c[1] + 3 * r)), (95, 70, 60), -1)
        if self.blur_px > 0:
            img = cv2.GaussianBlur(img, (0, 0), self.blur_px)
        if self.noise_sd > 0:
            if not hasattr(self, "_noise"):  # a few fixed noise fields, shifted per frame
                rng = np.random.default_rng(self.seed + 1)
                self._noise = [np.round(rng.standard_normal(img.shape, dtype=np.float32) * self.noise_sd).astype(np.int16) for _ in range(4)]
            field = np.roll(self._noise[k % 4], (7 * k) % img.shape[0], axis=0)
            img = np.clip(img.astype(np.int16) + field, 0, 255).astype(np.uint8)
        return img


def rotation_video(
    test: str,
    moves: list[Move],
    *,
    width: int = 640,
    fps: float = 30.0,
    color: str | None = "green",
    sticker_diameter_mm: float = 30.0,
    blur_px: float = 0.0,
    noise_sd: float = 0.0,
    occlusion: Occlusion | None = None,
    distractors: bool = False,
    extend_idle_leg: bool = True,
    camera: Camera | None = None,
    body: Body = Body(),
    seed: int = 0,
    lead_s: float = 1.5,
) -> SyntheticVideo:
    """A rotation-test clip (``test`` 'prone' or 'seated') with stickers (``color``, or
    ``None`` for bare shins: assisted mode) at 12 % and 88 % of each shin from the knee.

    ``width``: frame width (px); the test's default camera (:func:`hipvision.synthetic.
    default_camera`) is scaled to it. ``blur_px``: Gaussian blur sigma. ``noise_sd``: sensor
    noise (grey levels). ``extend_idle_leg``: during a one-sided move the other leg lies
    extended on the table, out of view (as in the clinic; bent, the two shins would cross
    in external rotation). The truth is :class:`hipvision.synthetic.Truth` (true shin angle per
    side and frame, + = IR; peaks)."""
    if color is not None and color not in STICKER_RGB:
        raise ValueError(f"unknown sticker colour {color!r} (known: {', '.join(MARKER_COLORS)})")
    base = camera or default_camera(test, body)  # type: ignore[arg-type]
    height = int(round(width * base.height / base.width / 2)) * 2
    cam = Camera(base.position, base.target, width, height, base.hfov_deg, base.yaw_deg, base.pitch_deg, base.roll_deg)
    t, theta = rotation_protocol(moves, fps, lead_s)
    P = skeleton_3d(test, theta, body)  # type: ignore[arg-type]
    knee = {s: cam.project(P[:, LANDMARK_INDEX[f"{s}_knee"]]) for s in SIDES}
    ankle = {s: cam.project(P[:, LANDMARK_INDEX[f"{s}_ankle"]]) for s in SIDES}
    shown = {s: np.ones(len(t), bool) for s in SIDES}
    if extend_idle_leg:
        start = lead_s
        for m in moves:
            if m.side in SIDES:
                other = "right" if m.side == "left" else "left"
                shown[other] &= ~((t >= start - 0.2) & (t < start + 2 * m.ramp_s + m.hold_s + 0.2))
            start += 2 * m.ramp_s + m.hold_s + m.rest_s
    ppm = float(np.hypot(*(ankle["left"][0] - knee["left"][0])) / body.shin)
    at = (0.12, 0.88)
    rend = _Renderer(
        knee, ankle, (width, height), ppm=ppm, body=body,
        sticker_rgb=STICKER_RGB[color] if color else None, sticker_d_m=sticker_diameter_mm / 1000,
        sticker_at=at, blur_px=blur_px, noise_sd=noise_sd, occlusion=occlusion,
        distractors=distractors, time_s=t, seed=seed, shown=shown,
    )
    points = {}
    for name in POINTS:
        side, part = name.split("_")
        f = at[0] if part == "knee" else at[1]
        points[name] = knee[side] + f * (ankle[side] - knee[side])
    return SyntheticVideo(width, height, fps, Truth(time_s=t, theta=theta, peaks=_peaks(moves)), points, shown, rend)


def write_rotation_video(path: str | Path, test: str, moves: list[Move], **kwargs) -> SyntheticVideo:
    """Write :func:`rotation_video` as a browser-playable H.264 MP4 at ``path`` (atomic);
    returns the clip description with its truth."""
    from ..videowriter import H264Writer

    clip = rotation_video(test, moves, **kwargs)
    with H264Writer(path, clip.width, clip.height, clip.fps, crf=18) as out:
        for _, t, img in clip.frames():
            out.write(img, t)
    return clip

"""Harder camera frames than the standard corpus (devices/scanner/corpus.py): a code shown
on a phone screen (pixel grid and moiré, dark surround, glare), a steep tilt, a long motion
streak, defocus, a faded thermal receipt, heavy JPEG compression, a crumpled slip, a thumb
over part of the code, night noise and a tiny code. Same frame size, payloads and seeding
as the standard corpus: `generate(per_condition, seed)`."""
from __future__ import annotations

import math
import random
import zlib
from typing import Iterator

import cv2
import numpy as np

from . import corpus
from .corpus import HEIGHT, WIDTH, Builder, Frame

SCREEN_SUPERSAMPLE = 4  # the screen is drawn at 4x and sampled by the warp without a prefilter: moiré


def screen_patch(data: bytes, module_px: int, rng: random.Random) -> tuple[np.ndarray, int]:
    """A phone's lit screen showing the code inside a dark bezel, drawn at SCREEN_SUPERSAMPLE
    times the camera's scale, with the screen's pixel grid (dark gaps between pixels at a
    pitch a little under a camera pixel). Returns the patch and the code's offset in it."""
    k = SCREEN_SUPERSAMPLE
    code = corpus.code_patch(data, module_px * k, paper=rng.uniform(215, 250), ink=rng.uniform(8, 30))
    pitch = rng.uniform(0.55, 0.9) * k  # screen pixels per camera pixel, in supersampled pixels
    fill = rng.uniform(0.6, 0.8)  # lit share of each screen pixel
    axis = np.arange(code.shape[0], dtype=np.float32)
    lit = ((axis % pitch) < fill * pitch).astype(np.float32)
    grid = np.outer(lit, lit) * (1 - 0.45) + 0.45
    code = code * grid
    bezel = int(code.shape[0] * 0.12)
    phone = np.full((code.shape[0] + 2 * bezel, code.shape[1] + 2 * bezel), rng.uniform(8, 20), np.float32)
    phone[bezel:-bezel, bezel:-bezel] = code
    return phone, bezel


def perspective_quad(rng: random.Random, cx: float, cy: float, size: float, degrees: float,
                     focal: float = 560.0) -> np.ndarray:
    """The corners (tl, tr, br, bl) of a square of `size` px seen face-on, turned in its
    plane at random and tilted away from the camera by `degrees` about an axis in its
    plane, through a pinhole of `focal` px (a 640 px webcam of about 60°), centred at (cx, cy)."""
    spin, axis = rng.uniform(-math.pi, math.pi), rng.uniform(0, math.pi)
    half = size / 2
    square = np.array([[-half, -half], [half, -half], [half, half], [-half, half]], np.float64)
    square = square @ _rotation(spin).T
    along = square @ _rotation(axis)  # coordinates along and across the tilt axis
    t = math.radians(degrees)
    across, depth = along[:, 1] * math.cos(t), along[:, 1] * math.sin(t)
    plane = np.stack([along[:, 0], across], axis=1) @ _rotation(axis).T
    distance = focal  # at this distance a face-on square would measure `size` px
    projected = plane * (focal / (distance + depth))[:, None]
    return (projected + [cx, cy]).astype(np.float32)


def _rotation(angle: float) -> np.ndarray:
    return np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])


FOLD_PX = 240  # spacing of the crumple's random displacements: folds across a slip, not a wad


def crumple(img: np.ndarray, np_rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """A crumpled slip: every point moves by a smooth random displacement (`amplitude` px
    typical, varying over FOLD_PX), and the folds shade the paper."""
    cells = (math.ceil(HEIGHT / FOLD_PX) + 1, math.ceil(WIDTH / FOLD_PX) + 1)
    fields = [cv2.resize(np_rng.normal(0, 1, cells).astype(np.float32), (WIDTH, HEIGHT),
                         interpolation=cv2.INTER_CUBIC) * amplitude for _ in range(2)]
    xs, ys = np.meshgrid(np.arange(WIDTH, dtype=np.float32), np.arange(HEIGHT, dtype=np.float32))
    moved = cv2.remap(img.astype(np.float32), xs + fields[0], ys + fields[1], cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_REFLECT)
    slope = cv2.Sobel(fields[0] + fields[1], cv2.CV_32F, 1, 1, ksize=5)
    shade = 1 + 0.12 * slope / (np.abs(slope).max() + 1e-6)
    return moved * shade


def thumb(patch: np.ndarray, rng: random.Random, module_px: int, share: float) -> np.ndarray:
    """A thumb over `share` of the symbol (quiet zone excluded), reaching in from a random
    side between the finder patterns, as a hand holds a slip by its edge."""
    side, quiet = patch.shape[0], 4 * module_px
    symbol = side - 2 * quiet
    across = math.sqrt(2 * share * symbol * symbol / (1.4 * math.pi))  # half an ellipse inside
    reach = 1.4 * across
    clear = 8 * module_px  # a finder pattern and its separator
    margin = 1.3 * across  # the thumb's soft edge included
    low, high = clear + margin, symbol - clear - margin
    along = quiet + (rng.uniform(low, high) if low < high else symbol / 2)
    edge = rng.randrange(4)
    centre = [(along, quiet), (side - quiet, along), (along, side - quiet), (quiet, along)][edge]
    axes = (across, reach) if edge in (0, 2) else (reach, across)
    mask = np.zeros(patch.shape, np.float32)
    cv2.ellipse(mask, (int(centre[0]), int(centre[1])), (int(axes[0]), int(axes[1])), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, across * 0.08))
    skin = rng.uniform(110, 170) + 25 * (mask - 0.5)
    return patch * (1 - mask) + skin * mask


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)


def _scene(rng: random.Random, np_rng: np.random.Generator, patch: np.ndarray, quad: np.ndarray,
           offset: int, module_px: float, dim: float = 1.0) -> tuple[np.ndarray, bool]:
    scene = corpus.background(rng, np_rng) * dim
    scene = corpus.place(scene, patch, quad)
    code_side = patch.shape[0] - 2 * offset
    return scene, corpus.symbol_outside(quad, patch.shape[0], offset, code_side, module_px)


FIT_PX = 340  # the largest side a code is drawn at: turned any way, it stays in the frame


def _paper(rng, np_rng, data, *, module_px=(3, 5), tilt=0.2, paper=(190, 245), contrast=None,
           thumb_share=0.0, jitter=60.0):
    mpx = rng.randint(*module_px)
    light = rng.uniform(*paper)
    ink = light - contrast if contrast else rng.uniform(15, 60)
    patch = corpus.code_patch(data, mpx, paper=light, ink=ink)
    if thumb_share:
        patch = thumb(patch, rng, mpx, thumb_share)
    cx, cy = WIDTH / 2 + rng.uniform(-jitter, jitter), HEIGHT / 2 + rng.uniform(-jitter * 0.6, jitter * 0.6)
    quad = corpus.tilted_quad(rng, cx, cy, min(patch.shape[0], FIT_PX), tilt)
    return _scene(rng, np_rng, patch, quad, 0, mpx)


def phone_screen(rng, np_rng, payloads):
    mpx = rng.randint(3, 5)
    patch, offset = screen_patch(payloads[0], mpx, rng)
    size = min(patch.shape[0] / SCREEN_SUPERSAMPLE, 440)
    cx, cy = WIDTH / 2 + rng.uniform(-50, 50), HEIGHT / 2 + rng.uniform(-30, 30)
    quad = corpus.tilted_quad(rng, cx, cy, size, 0.3)
    scene, clipped = _scene(rng, np_rng, patch, quad, offset, mpx * SCREEN_SUPERSAMPLE, dim=rng.uniform(0.15, 0.3))
    scene = corpus.glare(scene, rng, cx, cy, size * 0.3, rng.uniform(0.3, 0.6))
    return corpus.finish(scene, np_rng), clipped


def steep_tilt(rng, np_rng, payloads):
    mpx = rng.randint(4, 6)
    patch = corpus.code_patch(payloads[0], mpx, paper=rng.uniform(190, 245), ink=rng.uniform(15, 50))
    cx, cy = WIDTH / 2 + rng.uniform(-40, 40), HEIGHT / 2 + rng.uniform(-30, 30)
    quad = perspective_quad(rng, cx, cy, min(patch.shape[0], 320), rng.uniform(52, 58))
    scene, clipped = _scene(rng, np_rng, patch, quad, 0, mpx)
    return corpus.finish(scene, np_rng), clipped


def motion_streak(rng, np_rng, payloads):
    scene, clipped = _paper(rng, np_rng, payloads[0], module_px=(5, 7), jitter=40)
    return corpus.finish(corpus.motion_blur(scene, rng, 15), np_rng), clipped


def defocus(rng, np_rng, payloads):
    scene, clipped = _paper(rng, np_rng, payloads[0], module_px=(4, 6), jitter=40)
    return corpus.finish(cv2.GaussianBlur(scene, (0, 0), rng.uniform(2.0, 2.6)), np_rng), clipped


def faded_receipt(rng, np_rng, payloads):
    scene, clipped = _paper(rng, np_rng, payloads[0], paper=(195, 225), contrast=rng.uniform(40, 50))
    return corpus.finish(scene, np_rng), clipped


def jpeg_q12(rng, np_rng, payloads):
    scene, clipped = _paper(rng, np_rng, payloads[0])
    return jpeg(corpus.finish(scene, np_rng), 12), clipped


def crumpled(rng, np_rng, payloads):
    scene, clipped = _paper(rng, np_rng, payloads[0], module_px=(4, 5), tilt=0.1, jitter=40)
    return corpus.finish(crumple(scene, np_rng, rng.uniform(10, 15)), np_rng), clipped


def thumb_over(rng, np_rng, payloads):
    scene, clipped = _paper(rng, np_rng, payloads[0], thumb_share=rng.uniform(0.05, 0.10))
    return corpus.finish(scene, np_rng), clipped


NIGHT_LIGHT, NIGHT_NOISE = 0.2, 14.0


def night_noise(rng, np_rng, payloads):
    """Sensor noise is added after the lens, so it stays sharp and uncorrelated."""
    scene, clipped = _paper(rng, np_rng, payloads[0], module_px=(4, 6))
    lensed = cv2.GaussianBlur(scene.astype(np.float32), (0, 0), 0.6)
    return corpus.finish(corpus.low_light(lensed, np_rng, NIGHT_LIGHT, NIGHT_NOISE), np_rng, lens=False), clipped


def night_still(count: int, frames: int = 4, seed: int = 469023, light: float = NIGHT_LIGHT
                ) -> Iterator[tuple[tuple[bytes, ...], list[np.ndarray]]]:
    """`count` night scenes held still in front of the camera, each as `frames` consecutive
    frames: the same picture at `light`, fresh sensor noise in each (the live camera's view)."""
    rng = random.Random(f"{seed}:night_still")
    np_rng = np.random.default_rng([seed, zlib.crc32(b"night_still")])
    for i in range(count):
        data = corpus.payload(rng, i)
        scene, _ = _paper(rng, np_rng, data, module_px=(4, 6))
        lensed = cv2.GaussianBlur(scene.astype(np.float32), (0, 0), 0.6)
        shots = [corpus.finish(corpus.low_light(lensed, np_rng, light, NIGHT_NOISE), np_rng, lens=False)
                 for _ in range(frames)]
        yield (data,), shots


TINY_MODULE_PX = 1.6


def tiny(rng, np_rng, payloads):
    sharp = corpus.code_patch(payloads[0], 5, paper=rng.uniform(195, 245), ink=rng.uniform(15, 50))
    side = int(round(sharp.shape[0] * TINY_MODULE_PX / 5))
    patch = cv2.resize(sharp, (side, side), interpolation=cv2.INTER_AREA)
    cx, cy = WIDTH / 2 + rng.uniform(-150, 150), HEIGHT / 2 + rng.uniform(-90, 90)
    quad = corpus.tilted_quad(rng, cx, cy, side, 0.1)
    scene, clipped = _scene(rng, np_rng, patch, quad, 0, TINY_MODULE_PX)
    return corpus.finish(scene, np_rng), clipped


CONDITIONS: dict[str, tuple[int, Builder]] = {
    "phone_screen": (1, phone_screen),
    "steep_tilt": (1, steep_tilt),
    "motion_streak": (1, motion_streak),
    "defocus": (1, defocus),
    "faded_receipt": (1, faded_receipt),
    "jpeg_q12": (1, jpeg_q12),
    "crumpled": (1, crumpled),
    "thumb_over": (1, thumb_over),
    "night_noise": (1, night_noise),
    "tiny": (1, tiny),
}


def generate(per_condition: int = 20, seed: int = 469023, conditions: list[str] | None = None) -> Iterator[Frame]:
    return corpus.generate(per_condition, seed, conditions, table=CONDITIONS)

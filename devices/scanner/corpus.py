"""Synthetic camera frames of QR codes as a kiosk camera sees them: a phone held at an
angle, curled paper, glare, motion blur, low light, dark-mode (inverted) codes, small and
far codes, two codes at once, and combinations. 640x480 grayscale, reproducible from a
seed. Shared by the benchmark, the tests and the demo's recorded camera."""
from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass
from typing import Callable, Iterator

import cv2
import numpy as np
import qrcode
from qrcode.constants import ERROR_CORRECT_M

WIDTH, HEIGHT = 640, 480


@dataclass(frozen=True)
class Frame:
    condition: str
    image: np.ndarray  # uint8, HEIGHT x WIDTH
    payloads: tuple[bytes, ...]
    # Part of a symbol (not just its quiet zone) lies outside the frame: a code held
    # partly out of view. Such frames stay in the corpus; a finder pattern cut off by the
    # frame edge leaves nothing to decode, so reports count them separately.
    clipped: bool = False


def payload(rng: random.Random, index: int) -> bytes:
    """Appointment tokens, receipt URLs, Chinese text and long payloads, in turn."""
    kind = index % 4
    token = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(12))
    if kind == 0:
        return f"CMAPT1:{token}".encode()
    if kind == 1:
        return f"https://zwfw.chengmai.gov.cn/v/{token}?t={rng.randrange(10**9)}".encode()
    if kind == 2:
        place = rng.choice(["澄迈县政务服务中心", "金江镇便民服务中心", "老城镇便民服务中心"])
        return f"收件凭证|{place}|办件编号 469023-{rng.randrange(10**8):08d}|{token}".encode()
    words = ["一窗受理", "按责转办", "限时办结", "统一督办", "评价反馈", "最多跑一次"]
    body = "；".join(rng.choice(words) for _ in range(14))
    return f"CMDOC1:{token}:{body}:{'x' * rng.randrange(20, 60)}".encode()


def qr_modules(data: bytes) -> np.ndarray:
    """The code as a 0/255 image, one pixel per module, with a 4-module quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return np.where(np.array(code.get_matrix(), dtype=bool), 0, 255).astype(np.uint8)


# -- scene pieces ------------------------------------------------------------------------

def background(rng: random.Random, np_rng: np.random.Generator) -> np.ndarray:
    """A counter or sleeve: smooth shading, a few objects and edges, sensor noise."""
    base = np_rng.normal(0, 1, (HEIGHT // 16, WIDTH // 16)).astype(np.float32)
    img = cv2.resize(base, (WIDTH, HEIGHT), interpolation=cv2.INTER_CUBIC) * 18 + rng.uniform(70, 170)
    for _ in range(rng.randrange(2, 6)):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        w, h = rng.randrange(30, 200), rng.randrange(30, 200)
        cv2.rectangle(img, (x, y), (x + w, y + h), rng.uniform(20, 230), -1)
    return np.clip(img, 0, 255)


def place(scene: np.ndarray, patch: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Warps `patch` onto the quadrilateral `quad` (tl, tr, br, bl) of `scene`."""
    h, w = patch.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = cv2.getPerspectiveTransform(src, np.float32(quad))
    warped = cv2.warpPerspective(patch.astype(np.float32), m, (WIDTH, HEIGHT), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), m, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
    return scene * (1 - mask) + warped * mask


def tilted_quad(rng: random.Random, cx: float, cy: float, size: float, tilt: float) -> np.ndarray:
    """A square of `size` px centred at (cx, cy), rotated and seen at up to `tilt` of perspective."""
    angle = rng.uniform(-math.pi, math.pi)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32) * size / 2
    # perspective: one side nearer the camera than the opposite one
    side = rng.randrange(4)
    scale = np.ones(4, np.float32)
    shrink = 1 - rng.uniform(0, tilt)
    scale[[side, (side + 1) % 4]] = shrink
    corners *= scale[:, None]
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]], np.float32)
    return corners @ rot.T + np.float32([cx, cy])


def symbol_outside(quad: np.ndarray, patch_side: int, offset: int, code_side: int, module_px: float) -> bool:
    """Whether the symbol of a code drawn at `offset` in a square patch of `patch_side` px
    (quiet zone excluded) lands partly outside the frame once the patch is warped onto
    `quad` (before any curl)."""
    src = np.float32([[0, 0], [patch_side, 0], [patch_side, patch_side], [0, patch_side]])
    m = cv2.getPerspectiveTransform(src, np.float32(quad))
    lo, hi = offset + 4 * module_px, offset + code_side - 4 * module_px
    corners = cv2.perspectiveTransform(np.float32([[[lo, lo], [hi, lo], [hi, hi], [lo, hi]]]), m)[0]
    return bool(((corners < 0) | (corners >= (WIDTH, HEIGHT))).any())


def code_patch(data: bytes, module_px: int, dark: bool = False, paper: float = 235, ink: float = 25) -> np.ndarray:
    modules = qr_modules(data)
    big = cv2.resize(modules, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)
    img = np.where(big > 0, paper, ink).astype(np.float32)
    return (paper + ink - img) if dark else img


def curl(img: np.ndarray, rng: random.Random, amount: float) -> np.ndarray:
    """Paper bending around a vertical axis: rows shift by a sine of the column."""
    h, w = img.shape
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    phase = rng.uniform(0, math.pi)
    period = rng.uniform(1.2, 2.0) * w
    dy = amount * np.sin(2 * math.pi * xs / period + phase) * (ys - h / 2) / (h / 2)
    dx = amount * 0.5 * np.sin(2 * math.pi * ys / period + phase)
    return cv2.remap(img.astype(np.float32), xs + dx, ys + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def glare(img: np.ndarray, rng: random.Random, cx: float, cy: float, radius: float, strength: float) -> np.ndarray:
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    gx, gy = cx + rng.uniform(-radius, radius), cy + rng.uniform(-radius, radius)
    sigma = radius * rng.uniform(0.35, 0.6)
    blob = np.exp(-((xs - gx) ** 2 + (ys - gy) ** 2) / (2 * sigma ** 2))
    return img + strength * blob * (255 - img) * 0.9


def motion_blur(img: np.ndarray, rng: random.Random, length: int) -> np.ndarray:
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1
    rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1)
    kernel = cv2.warpAffine(kernel, rot, (length, length))
    return cv2.filter2D(img, -1, kernel / kernel.sum())


def low_light(img: np.ndarray, np_rng: np.random.Generator, gain: float, noise: float) -> np.ndarray:
    return img * gain + np_rng.normal(0, noise, img.shape) + 4


def finish(img: np.ndarray, np_rng: np.random.Generator, noise: float = 2.0, lens: bool = True) -> np.ndarray:
    """Lens softness (unless already applied), sensor noise, 8-bit quantisation."""
    if lens:
        img = cv2.GaussianBlur(img.astype(np.float32), (0, 0), 0.6)
    img = img + np_rng.normal(0, noise, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


# -- conditions ----------------------------------------------------------------------------

Builder = Callable[[random.Random, np.random.Generator, list[bytes]], tuple[np.ndarray, bool]]  # image, clipped


def _one_code(rng, np_rng, payloads, *, module_px=(3, 5), tilt=0.25, dark=False, screen=False,
              curl_px=0.0, glare_strength=0.0, blur_px=0, light=None, centre_jitter=60):
    data = payloads[0]
    scene = background(rng, np_rng)
    mpx = rng.randint(*module_px)
    offset = 0
    if screen:
        # a phone: dark bezel around a lit screen showing the code
        code = code_patch(data, mpx, dark=dark, paper=rng.uniform(200, 250), ink=rng.uniform(10, 40))
        pad = int(code.shape[0] * 0.15)
        phone = np.full((code.shape[0] + 2 * pad, code.shape[1] + 2 * pad), 15, np.float32)
        phone[pad:-pad, pad:-pad] = (35 if dark else 225)
        phone[pad * 2 // 2: pad * 2 // 2 + code.shape[0], pad: pad + code.shape[1]] = code
        patch, offset = phone, pad
    else:
        patch = code_patch(data, mpx, dark=dark, paper=rng.uniform(190, 245), ink=rng.uniform(15, 60))
    size = patch.shape[0]
    code_side = size - 2 * offset
    cx = WIDTH / 2 + rng.uniform(-centre_jitter, centre_jitter)
    cy = HEIGHT / 2 + rng.uniform(-centre_jitter * 0.6, centre_jitter * 0.6)
    quad = tilted_quad(rng, cx, cy, min(size, 440), tilt)
    scene = place(scene, patch, quad)
    clipped = symbol_outside(quad, size, offset, code_side, mpx)
    if curl_px:
        scene = curl(scene, rng, curl_px)
    if glare_strength:
        scene = glare(scene, rng, cx, cy, size * 0.35, glare_strength)
    if blur_px:
        scene = motion_blur(scene, rng, blur_px)
    if light:
        scene = low_light(scene, np_rng, *light)
    return finish(scene, np_rng), clipped


def _two_codes(rng, np_rng, payloads, *, tilt=0.2):
    scene = background(rng, np_rng)
    clipped = False
    for data, cx in zip(payloads, (WIDTH * 0.27, WIDTH * 0.73)):
        patch = code_patch(data, 3, paper=rng.uniform(200, 245), ink=rng.uniform(15, 50))
        quad = tilted_quad(rng, cx, HEIGHT / 2 + rng.uniform(-40, 40), min(patch.shape[0], 290), tilt)
        scene = place(scene, patch, quad)
        clipped |= symbol_outside(quad, patch.shape[0], 0, patch.shape[0], 3)
    return finish(scene, np_rng), clipped


CONDITIONS: dict[str, tuple[int, Builder]] = {
    # name: (number of codes, builder)
    "clean": (1, lambda r, n, p: _one_code(r, n, p, tilt=0.05)),
    "phone_angle": (1, lambda r, n, p: _one_code(r, n, p, screen=True, tilt=0.45)),
    "curled_paper": (1, lambda r, n, p: _one_code(r, n, p, curl_px=r.uniform(6, 12))),
    "glare": (1, lambda r, n, p: _one_code(r, n, p, glare_strength=r.uniform(0.5, 0.8))),
    "motion_blur": (1, lambda r, n, p: _one_code(r, n, p, module_px=(4, 5), blur_px=r.randint(4, 6))),
    "low_light": (1, lambda r, n, p: _one_code(r, n, p, light=(r.uniform(0.12, 0.25), r.uniform(2, 4)))),
    "dark_mode": (1, lambda r, n, p: _one_code(r, n, p, screen=True, dark=True, tilt=0.3)),
    "small_far": (1, lambda r, n, p: _one_code(r, n, p, module_px=(2, 2), tilt=0.15, centre_jitter=150)),
    "two_codes": (2, lambda r, n, p: _two_codes(r, n, p)),
    "angle_blur_dim": (1, lambda r, n, p: _one_code(r, n, p, screen=True, tilt=0.35, blur_px=r.randint(3, 4),
                                                    light=(r.uniform(0.3, 0.45), 3))),
    "curl_glare": (1, lambda r, n, p: _one_code(r, n, p, curl_px=r.uniform(5, 9), glare_strength=r.uniform(0.4, 0.6))),
    "dark_blur": (1, lambda r, n, p: _one_code(r, n, p, screen=True, dark=True, tilt=0.2, module_px=(4, 5),
                                               blur_px=r.randint(4, 6))),
}


def generate(per_condition: int = 50, seed: int = 469023, conditions: list[str] | None = None,
             table: dict[str, tuple[int, Builder]] | None = None) -> Iterator[Frame]:
    """`per_condition` frames of each of `conditions` (all of `table` when not named);
    `table` is the standard corpus's CONDITIONS unless another set is given
    (devices/scanner/hard_corpus.py)."""
    table = CONDITIONS if table is None else table
    for name in conditions or list(table):
        count, build = table[name]
        rng = random.Random(f"{seed}:{name}")
        np_rng = np.random.default_rng([seed, zlib.crc32(name.encode())])  # a condition's frames alone or not
        for i in range(per_condition):
            payloads = [payload(rng, i + k) for k in range(count)]
            image, clipped = build(rng, np_rng, payloads)
            yield Frame(name, image, tuple(payloads), clipped)

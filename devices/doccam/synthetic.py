"""Synthetic photos of an A4 page on a desk, for tests and the demo: a page with corner
markers and text lines (known positions in mm), rotated, in perspective, shadowed, among
desk clutter."""
from __future__ import annotations

import math
import random

import cv2
import numpy as np

from .page import PAGE_PX

MARKER_MM = 12.0
MARKER_INSET_MM = 15.0  # marker centres are this far from both edges
TEXT_TOP_MM, TEXT_BOTTOM_MM, TEXT_LEFT_MM, TEXT_RIGHT_MM = 45.0, 250.0, 25.0, 185.0
ORIENTATION_DOT_MM = (105.0, 30.0)  # a dot at the top centre tells up from down


def mm_to_px(x_mm: float, y_mm: float) -> tuple[float, float]:
    return x_mm / 210.0 * PAGE_PX[0], y_mm / 297.0 * PAGE_PX[1]


def marker_centres_px() -> list[tuple[float, float]]:
    i = MARKER_INSET_MM
    return [mm_to_px(i, i), mm_to_px(210 - i, i), mm_to_px(210 - i, 297 - i), mm_to_px(i, 297 - i)]


def render_page(rng: random.Random) -> np.ndarray:
    w, h = PAGE_PX
    page = np.full((h, w), 245, np.uint8)
    half = MARKER_MM / 2 / 210 * w
    for cx, cy in marker_centres_px():
        cv2.rectangle(page, (int(cx - half), int(cy - half)), (int(cx + half), int(cy + half)), 20, -1)
    dx, dy = mm_to_px(*ORIENTATION_DOT_MM)
    cv2.circle(page, (int(dx), int(dy)), int(half * 0.6), 20, -1)
    x0, y0 = mm_to_px(TEXT_LEFT_MM, TEXT_TOP_MM)
    x1, y1 = mm_to_px(TEXT_RIGHT_MM, TEXT_BOTTOM_MM)
    y = y0
    while y < y1 - 20:
        x = x0
        right = x1 - rng.uniform(0, (x1 - x0) * 0.3)
        while x < right:
            word = rng.uniform(40, 160)
            cv2.rectangle(page, (int(x), int(y)), (int(min(x + word, right)), int(y + 22)), 40, -1)
            x += word + 25
        y += 48
    return page


def desk(rng: random.Random, np_rng: np.random.Generator, size=(1600, 1200)) -> np.ndarray:
    w, h = size
    grain = cv2.resize(np_rng.normal(0, 1, (h // 40, w // 4)).astype(np.float32), (w, h))
    img = 95 + grain * 12 + np.linspace(-15, 15, w, dtype=np.float32)[None, :]
    for _ in range(rng.randrange(3, 7)):  # a keyboard, a pen, a card, a phone ...
        x, y = rng.randrange(w), rng.randrange(h)
        ww, hh = rng.randrange(40, 300), rng.randrange(20, 200)
        cv2.rectangle(img, (x, y), (x + ww, y + hh), rng.uniform(10, 200), -1)
    cv2.line(img, (rng.randrange(w), rng.randrange(h)), (rng.randrange(w), rng.randrange(h)), 30, 8)
    return img


def photograph(seed: int = 0, *, rotation_deg: float = 0.0, tilt: float = 0.0, shadow: float = 0.0,
               clutter: bool = True, page_height: float = 880.0) -> tuple[np.ndarray, np.ndarray]:
    """A BGR photo and the page corners (tl, tr, br, bl) in it."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    page = render_page(rng)
    frame_w, frame_h = 1600, 1200
    scene = desk(rng, np_rng) if clutter else np.full((frame_h, frame_w), 95, np.float32)
    ph = page_height
    pw = ph * PAGE_PX[0] / PAGE_PX[1]
    corners = np.float32([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]])
    corners[:2, 0] *= 1 - tilt  # top edge further from the camera: narrower
    a = math.radians(rotation_deg)
    rot = np.float32([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    corners = corners @ rot.T + np.float32([frame_w / 2 + rng.uniform(-40, 40), frame_h / 2 + rng.uniform(-30, 30)])
    src = np.float32([[0, 0], [PAGE_PX[0], 0], [PAGE_PX[0], PAGE_PX[1]], [0, PAGE_PX[1]]])
    m = cv2.getPerspectiveTransform(src, corners)
    warped = cv2.warpPerspective(page.astype(np.float32), m, (frame_w, frame_h), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones(page.shape, np.float32), m, (frame_w, frame_h))
    scene = scene * (1 - mask) + warped * mask
    scene *= 0.8 + 0.2 * np.linspace(0, 1, frame_h, dtype=np.float32)[:, None]  # lamp falloff
    if shadow:  # a hand or the kiosk's hood shading one side of the page
        xs = np.linspace(0, 1, frame_w, dtype=np.float32)[None, :]
        scene *= 1 - shadow * np.clip((0.55 - xs) * 4, 0, 1)
    scene = cv2.GaussianBlur(scene, (0, 0), 1.0) + np_rng.normal(0, 3, scene.shape)
    gray = np.clip(scene, 0, 255).astype(np.uint8)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), corners

"""The demo people's faces for the simulated face camera: real photographs that ship inside
scikit-image (a kiosk dependency), never downloaded, each made into a head-and-shoulders
portrait with its face box known.

- li: scikit-image's `astronaut()`, NASA's portrait of Eileen Collins (public domain).
- wang, chen: two faces of scikit-image's `lfw_subset()`, 25x25 crops of Labeled Faces in
  the Wild (public figures' press photos); enlarged, so they look like a low-resolution
  camera, and set on a drawn head and shoulders (the crops hold the face only).
A demo person without an entry here gets a face of that subset chosen by their key."""
from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass

import cv2
import numpy as np

PORTRAIT_SIZE = (300, 360)  # width, height of every portrait: head and shoulders
LFW_FACES = 100  # the subset's first 100 images are faces, the rest are not
LFW_FOR = {"wang": 60, "chen": 77}
# The crops are aligned only roughly: where the demo people's eyes really are in their
# portraits (the middle of each eye's corners, as the back office's landmark model finds
# them), for the simulated blink to close the eyes and not the brows beside them.
LFW_EYES = {60: ((111.0, 113.5), (164.5, 112.0)), 77: ((121.5, 116.0), (172.5, 113.0))}
SOURCES = {
    "li": "scikit-image data.astronaut(): NASA portrait of Eileen Collins, public domain",
    "wang": "scikit-image data.lfw_subset() face 60 (Labeled Faces in the Wild), enlarged",
    "chen": "scikit-image data.lfw_subset() face 77 (Labeled Faces in the Wild), enlarged",
}


@dataclass(frozen=True)
class Portrait:
    image: np.ndarray  # BGR, PORTRAIT_SIZE
    alpha: np.ndarray  # float32 0..1: where the person is (the rest shows the room behind)
    face: tuple[int, int, int, int]  # x, y, w, h of the face in the portrait
    eyes: tuple[tuple[float, float], tuple[float, float]]  # where the head-turn warp (filming.py)
    nose: tuple[float, float]  # and its tests look: picked by eye, near enough
    source: str


@functools.cache
def portrait(key: str) -> Portrait:
    if key == "li":
        return _astronaut()
    index = LFW_FOR.get(key, zlib.crc32(key.encode()) % LFW_FACES)
    return _lfw(index, SOURCES.get(key, f"scikit-image data.lfw_subset() face {index}, enlarged"))


def _astronaut() -> Portrait:
    from skimage import data

    rgb = data.astronaut()  # 512x512; the face is about x 175-266, y 76-167
    crop = rgb[10:370, 70:370]
    alpha = np.zeros(crop.shape[:2], np.float32)
    alpha[6:-6, 6:-6] = 1.0  # the photo's own background comes along: a room behind her
    alpha = cv2.GaussianBlur(alpha, (0, 0), 3)
    return Portrait(cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2BGR), alpha, (105, 66, 91, 91),
                    ((132.0, 92.0), (177.0, 92.0)), (150.0, 119.0), SOURCES["li"])


def _lfw(index: int, source: str) -> Portrait:
    """The 25x25 face enlarged into an oval on a drawn head (hair, neck, shoulders)."""
    from skimage import data

    face = np.clip(data.lfw_subset()[index] * 255, 1, 255).astype(np.uint8)
    w, h = PORTRAIT_SIZE
    side = 150
    canvas = np.zeros((h, w), np.uint8)  # 0 is "no person here"; everything drawn is brighter
    cx, top = w // 2, 60
    cv2.ellipse(canvas, (cx, h + 40), (150, 120), 0, 180, 360, 70, -1)  # shoulders
    cv2.rectangle(canvas, (cx - 38, top + side - 20), (cx + 38, h), 120, -1)  # neck
    cv2.ellipse(canvas, (cx, top + side // 2 - 8), (side // 2 + 14, side // 2 + 22), 0, 0, 360, 40, -1)  # hair
    big = cv2.resize(face, (side, side), interpolation=cv2.INTER_CUBIC)
    mask = np.zeros((side, side), np.float32)
    cv2.ellipse(mask, (side // 2, side // 2), (side // 2 - 4, side // 2), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), 4)
    region = canvas[top:top + side, cx - side // 2:cx + side // 2].astype(np.float32)
    canvas[top:top + side, cx - side // 2:cx + side // 2] = (big * mask + region * (1 - mask)).astype(np.uint8)
    image = cv2.cvtColor(canvas, cv2.COLOR_GRAY2BGR)
    alpha = cv2.GaussianBlur((canvas > 0).astype(np.float32), (0, 0), 2)
    left = cx - side // 2  # the crops are aligned: eyes at a third and the nose tip at 0.6 of their height
    eyes = LFW_EYES.get(index, ((left + 0.33 * side, top + 0.4 * side), (left + 0.67 * side, top + 0.4 * side)))
    return Portrait(image, alpha, (left + 10, top + 10, side - 20, side - 20), eyes, (cx, top + 0.6 * side), source)

"""A cascade of cheap image transforms for frames a single decoder pass misses: most
frames decode in the first pass; a hard one (blur, dark-mode, low contrast, small) gets
further passes until one finds a code or the per-frame time budget is spent."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

from .codes import ScannedCode
from .decoders import FrameDecoder

MIN_SIDE = 21  # the smallest QR code, one pixel per module
Transform = Callable[[np.ndarray], np.ndarray]


def identity(g: np.ndarray) -> np.ndarray:
    return g


def invert(g: np.ndarray) -> np.ndarray:  # dark-mode phone screens: light modules on dark
    return cv2.bitwise_not(g)


def half(g: np.ndarray) -> np.ndarray:  # blur shrinks with the image; a big code fits the decoder better
    return cv2.resize(g, (g.shape[1] // 2, g.shape[0] // 2), interpolation=cv2.INTER_AREA)


def stretch(g: np.ndarray) -> np.ndarray:  # low light: use the whole 8-bit range
    return cv2.normalize(g, None, 0, 255, cv2.NORM_MINMAX)


def unsharp(g: np.ndarray) -> np.ndarray:  # motion and focus blur
    soft = cv2.GaussianBlur(g, (0, 0), 2.0)
    return cv2.addWeighted(g, 2.0, soft, -1.0, 0)


def deblur(g: np.ndarray) -> np.ndarray:  # heavier motion blur: a wider, stronger unsharp mask
    soft = cv2.GaussianBlur(g, (0, 0), 3.0)
    return cv2.addWeighted(g, 4.0, soft, -3.0, 0)


def equalise(g: np.ndarray) -> np.ndarray:  # low light and low contrast, locally
    return _CLAHE.apply(g)


_CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))


def adaptive(g: np.ndarray) -> np.ndarray:  # glare and uneven light: threshold against the neighbourhood
    return cv2.adaptiveThreshold(g, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 31, 5)


def double(g: np.ndarray) -> np.ndarray:  # small, far codes: 2-pixel modules need more pixels
    return cv2.resize(g, (g.shape[1] * 2, g.shape[0] * 2), interpolation=cv2.INTER_CUBIC)


def chain(*steps: Transform) -> Transform:
    def run(g: np.ndarray) -> np.ndarray:
        for step in steps:
            g = step(g)
        return g
    run.__name__ = "+".join(s.__name__ for s in steps)
    return run


DEFAULT_STEPS: tuple[Transform, ...] = (
    identity,
    invert,
    unsharp,
    equalise,
    chain(invert, unsharp),
    half,
    adaptive,
    double,
    deblur,
    chain(double, unsharp),
    chain(invert, deblur),
    chain(half, invert),
)


@dataclass(frozen=True)
class CascadeResult:
    codes: list[ScannedCode]
    passes: int  # how many transforms ran
    step: str  # the transform that found the codes, "" when none did
    milliseconds: float


class CascadeDecoder:
    """Runs `steps` in order through `decoder` until codes are found or `budget_ms` is spent.
    Coordinates of codes found on a rescaled frame are mapped back to the camera frame."""

    def __init__(self, decoder: FrameDecoder, budget_ms: float = 25.0,
                 steps: tuple[Transform, ...] = DEFAULT_STEPS):
        self.decoder = decoder
        self.budget_ms = budget_ms
        self.steps = steps
        self.name = f"cascade/{decoder.name}"

    def decode(self, gray: np.ndarray) -> list[ScannedCode]:
        return self.decode_detailed(gray).codes

    def decode_detailed(self, gray: np.ndarray) -> CascadeResult:
        start = time.perf_counter()
        gray = to_gray(gray)
        if gray.ndim != 2 or min(gray.shape) < MIN_SIDE:
            return CascadeResult([], 0, "", _ms(start))
        found: dict[bytes, ScannedCode] = {}
        wanted = 0  # codes seen in the frame, decoded or not, once a pass found any
        passes, first_step = 0, ""
        for step in self.steps:
            if passes and (time.perf_counter() - start) * 1000 >= self.budget_ms:
                break
            passes += 1
            try:
                image = step(gray)
            except cv2.error:  # a transform that cannot apply to this frame is skipped
                continue
            codes, undecoded = decode_counting(self.decoder, image)
            scale = gray.shape[1] / image.shape[1]
            new = [_rescaled(c, scale) if scale != 1 else c for c in codes if c.data not in found]
            if not new:
                continue
            first_step = first_step or step.__name__
            for code in new:
                found[code.data] = code
            # A second code the pass saw but could not read (two codes held up at once)
            # keeps the cascade going; otherwise the frame is done.
            wanted = max(wanted, len(found) + undecoded)
            if len(found) >= wanted:
                break
        return CascadeResult(list(found.values()), passes, first_step, _ms(start))


def decode_counting(decoder: FrameDecoder, image: np.ndarray) -> tuple[list[ScannedCode], int]:
    counting = getattr(decoder, "decode_counting", None)
    if counting is not None:
        return counting(image)
    return decoder.decode(image), 0


def to_gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return frame


def _rescaled(code: ScannedCode, scale: float) -> ScannedCode:
    corners = tuple((int(x * scale), int(y * scale)) for x, y in code.corners)
    return ScannedCode(code.data, code.symbology, code.source, corners)


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000

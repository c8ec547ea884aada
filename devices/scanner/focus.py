"""Defocus removal for the cascade: a Wiener filter for a Gaussian blur of a given width,
and the frame's noise level, which decides whether smoothing before decoding pays."""
from __future__ import annotations

import functools
import math

import cv2
import numpy as np

DEFOCUS_SIGMA = 2.3  # a lens focused well short of a code held close (2-2.6 px); narrower blur is sharpened anyway
DEFOCUS_NSR = 0.003  # weak regularisation: the corpus noise (sigma 2) rings less than the blur hides
NOISY_SIGMA = 5.5  # grey levels of sensor noise above which smoothing before decoding pays


def noise_sigma(gray: np.ndarray) -> float:
    """The standard deviation of the sensor noise (Immerkaer's estimate: a Laplacian
    difference that cancels smooth shading and straight edges), on a central crop."""
    h, w = gray.shape
    crop = gray[h // 4: h - h // 4, w // 4: w - w // 4].astype(np.float32)
    response = cv2.filter2D(crop, -1, _LAPLACE_DIFFERENCE)[1:-1, 1:-1]
    return float(np.mean(np.abs(response))) * math.sqrt(math.pi / 2) / 6


_LAPLACE_DIFFERENCE = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


def noisy(gray: np.ndarray) -> bool:
    return noise_sigma(gray) > NOISY_SIGMA


@functools.lru_cache(maxsize=8)
def _gaussian_inverse(shape: tuple[int, int], sigma: float, nsr: float) -> np.ndarray:
    """The Wiener inverse of a Gaussian blur over a frame of `shape`, by frequency."""
    h, w = shape
    fy, fx = np.fft.fftfreq(h)[:, None], np.fft.fftfreq(w)[None, :]
    gain = np.exp(-2 * math.pi ** 2 * sigma ** 2 * (fx ** 2 + fy ** 2))
    return (gain / (gain * gain + nsr)).astype(np.float32)[..., None]


def refocus(gray: np.ndarray, sigma: float = DEFOCUS_SIGMA, nsr: float = DEFOCUS_NSR) -> np.ndarray:
    """Undoes a Gaussian defocus of `sigma` px."""
    spectrum = cv2.dft(gray.astype(np.float32), flags=cv2.DFT_COMPLEX_OUTPUT)
    out = cv2.idft(spectrum * _gaussian_inverse(gray.shape, sigma, nsr), flags=cv2.DFT_SCALE | cv2.DFT_REAL_OUTPUT)
    return np.clip(out, 0, 255).astype(np.uint8)

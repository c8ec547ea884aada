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


SOFT = 0.22  # defocused frames measure 0.09-0.2, sharp ones 0.25 and more (see softness)
_last: tuple[np.ndarray | None, float] = (None, 1.0)  # two gates ask of the same frame


def softness(gray: np.ndarray) -> float:
    """How soft the frame's strong edges are: the Laplacian over the gradient where the
    gradient is strong, on a central crop. A step blurred by a Gaussian of sigma s has
    a gradient peak of 1/s and Laplacian peaks of about 1/s^2, so the ratio falls as
    the blur widens, whatever the contrast."""
    global _last
    frame, answer = _last
    if frame is gray:
        return answer
    h, w = gray.shape
    crop = gray[h // 4: h - h // 4, w // 4: w - w // 4]
    gradient = cv2.magnitude(cv2.Sobel(crop, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(crop, cv2.CV_32F, 0, 1, ksize=3))
    strong = gradient > 2 * float(gradient.mean())
    laplacian = np.abs(cv2.Laplacian(crop, cv2.CV_32F, ksize=3))
    answer = float(laplacian[strong].mean() / gradient[strong].mean()) if strong.any() else 1.0
    _last = (gray, answer)
    return answer


def soft(gray: np.ndarray) -> bool:
    """Defocused: worth deconvolving before the cheaper passes have all been tried."""
    return softness(gray) < SOFT


def not_soft(gray: np.ndarray) -> bool:
    return not soft(gray)


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

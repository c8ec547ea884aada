"""Motion-blur removal for the cascade: the streak's direction is estimated from the frame,
then a Wiener filter for a straight streak of a given length undoes it. An unsharp mask
sharpens every direction alike; a streak only smears along one, so inverting that one
direction recovers modules an unsharp mask cannot. A long streak is undone only if its
direction and length are right to a degree or two and a pixel, so they are measured
together from the frame's derivatives (long_streak_fit)."""
from __future__ import annotations

import functools
import math

import cv2
import numpy as np

NOISE_TO_SIGNAL = 0.03  # Wiener regularisation: lower rings on sensor noise, higher stays blurred
STREAKED = 0.75  # below this isotropy a frame is smeared along one direction (see streak_direction)
SMEARED = 0.9
LONG_STREAK = 0.5  # a streak of two or three modules leaves frames this directional or more
LONGEST_PX = 24
SHORTEST_LONG_PX = 8
LONG_NSR = 0.003  # a measured long streak is undone with little regularisation: modules come back whole
MEASURE_PX = 320  # side of the central crop a long streak is measured on, at full resolution
AIM_DEGREES, AIM_STEP = 7.0, 0.25  # searched either side of the tensor's direction: wider finds false dips
_last: tuple[np.ndarray | None, tuple[float, float]] = (None, (0.0, 1.0))  # the gate and the filter ask alike
_last_fit: tuple[np.ndarray | None, tuple[float, int]] = (None, (0.0, 1))


def streak_direction(gray: np.ndarray) -> tuple[float, float]:
    """Direction of the blur in degrees (x right, y down, 0-180) and how directional the
    frame's detail is (1 = the same in every direction, near 0 = smeared along one).
    A streak weakens gradients along itself: the structure tensor's weakest axis."""
    global _last
    frame, answer = _last
    if frame is gray:
        return answer
    answer = _structure(gray)
    _last = (gray, answer)
    return answer


def streaked(gray: np.ndarray, below: float = STREAKED) -> bool:
    """Whether the frame looks motion-blurred enough for the streak filter to be worth it
    (sharp frames mostly measure 0.85-1; a 4-6 px streak on a code 0.5-0.85)."""
    return streak_direction(gray)[1] < below


def smeared(gray: np.ndarray) -> bool:
    """A weaker test for short streaks (3-4 px), which leave frames nearly isotropic."""
    return streaked(gray, SMEARED)


def long_streak(gray: np.ndarray) -> bool:
    """A streak long enough (10 px and more) that its length must be measured, not assumed."""
    return streaked(gray, LONG_STREAK)


def long_streak_fit(gray: np.ndarray) -> tuple[float, int]:
    """Direction (degrees) and length (px) of a long streak, measured together: differentiated
    along the streak, the frame is the sharp one minus itself shifted by the streak, so the
    derivative's autocorrelation dips deepest at the streak's own direction and length.
    The tensor's direction (off by several degrees when the code's edges line up) is the
    start; directions within AIM_DEGREES of it are tried, all from three correlations of
    the x and y derivatives, on a full-resolution central crop."""
    global _last_fit
    frame, answer = _last_fit
    if frame is gray:
        return answer
    start, _ = streak_direction(gray)
    h, w = gray.shape
    side_y, side_x = min(MEASURE_PX, h) // 2 * 2, min(MEASURE_PX, w) // 2 * 2
    crop = gray[(h - side_y) // 2:(h + side_y) // 2, (w - side_x) // 2:(w + side_x) // 2].astype(np.float32)
    fx = cv2.dft(cv2.Sobel(crop, cv2.CV_32F, 1, 0, ksize=1), flags=cv2.DFT_COMPLEX_OUTPUT)
    fy = cv2.dft(cv2.Sobel(crop, cv2.CV_32F, 0, 1, ksize=1), flags=cv2.DFT_COMPLEX_OUTPUT)

    def correlation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return cv2.idft(cv2.mulSpectrums(a, b, 0, conjB=True), flags=cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE)

    xx, yy, xy = correlation(fx, fx), correlation(fy, fy), correlation(fx, fy)
    xy = xy + np.roll(xy[::-1, ::-1], 1, axis=(0, 1))  # the x-y and y-x cross terms together
    angles = np.radians(np.arange(start - AIM_DEGREES, start + AIM_DEGREES + 1e-6, AIM_STEP)).astype(np.float32)
    lags = np.arange(SHORTEST_LONG_PX, LONGEST_PX, 0.25, dtype=np.float32)
    c, s = np.cos(angles)[None, :], np.sin(angles)[None, :]
    xs, ys = (lags[:, None] * c) % crop.shape[1], (lags[:, None] * s) % crop.shape[0]

    def at_lags(a: np.ndarray) -> np.ndarray:
        return cv2.remap(a, xs.astype(np.float32), ys.astype(np.float32), cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_WRAP)

    along = c * c * at_lags(xx) + s * s * at_lags(yy) + c * s * at_lags(xy)
    energy = c * c * xx[0, 0] + s * s * yy[0, 0] + c * s * xy[0, 0]
    lag, angle = np.unravel_index(int(np.argmin(along / np.maximum(energy, 1e-6))), along.shape)
    # the dip sits up to half a pixel beyond the streak (central differences widen it)
    answer = (float(np.degrees(angles[angle])) % 180, int(lags[lag]))
    _last_fit = (gray, answer)
    return answer


def unstreak_measured(gray: np.ndarray) -> np.ndarray:
    """Undoes a long streak of the length and direction measured from the frame; long
    streaks need weaker regularisation than short ones to bring modules back."""
    degrees, length = long_streak_fit(gray)
    return unstreak(gray, length, degrees, nsr=LONG_NSR)


def unstreak_measured_longer(gray: np.ndarray) -> np.ndarray:
    """The same a pixel longer: the length is read to the whole pixel below the dip, and
    a streak measured at the edge of that pixel is undone by the next length up."""
    degrees, length = long_streak_fit(gray)
    return unstreak(gray, length + 1, degrees, nsr=LONG_NSR)


def _structure(gray: np.ndarray) -> tuple[float, float]:
    small = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    sxx, syy, sxy = float(np.mean(gx * gx)), float(np.mean(gy * gy)), float(np.mean(gx * gy))
    mean, spread = (sxx + syy) / 2, math.hypot((sxx - syy) / 2, sxy)
    strongest = math.degrees(0.5 * math.atan2(2 * sxy, sxx - syy))
    return (strongest + 90) % 180, (mean - spread) / (mean + spread) if mean > 0 else 1.0


@functools.lru_cache(maxsize=32)
def _wiener_taps(length: int, nsr: float) -> np.ndarray:
    """The 1-D Wiener inverse of a `length`-pixel box streak, centred, cut where it has
    died down (it only depends on the length, so it is cached)."""
    n = 256
    box = np.zeros(n)
    box[:length] = 1.0 / length
    spectrum = np.fft.rfft(np.roll(box, -(length // 2)))
    taps = np.roll(np.fft.irfft(np.conj(spectrum) / (np.abs(spectrum) ** 2 + nsr), n=n), n // 2)
    alive = np.nonzero(np.abs(taps) > 2e-3 * np.abs(taps).max())[0]
    reach = min(max(n // 2 - alive.min(), alive.max() - n // 2), n // 2 - 1)  # weak regularisation rings on
    taps = taps[n // 2 - reach: n // 2 + reach + 1]
    return (taps / taps.sum()).astype(np.float32)  # flat areas keep their brightness


def _line_spectrum(shape: tuple[int, int], taps: np.ndarray, degrees: float, even: bool) -> np.ndarray:
    """The DFT (OpenCV's packed layout) of `taps` laid along a line at `degrees` through the
    origin, wrapped around the frame: a streak's inverse only acts along the streak."""
    h, w = shape
    reach = len(taps) // 2
    t = np.arange(-reach, reach + 1, dtype=np.float32) - (0.5 if even else 0.0)
    x, y = t * math.cos(math.radians(degrees)), t * math.sin(math.radians(degrees))
    x0, y0 = np.floor(x), np.floor(y)
    fx, fy = x - x0, y - y0
    side, centre = 2 * reach + 4, reach + 2
    xi, yi = x0.astype(np.intp) + centre, y0.astype(np.intp) + centre
    # bilinear splat of every tap into a small patch, then the patch's quadrants into the
    # corners of a frame-sized kernel (the origin of a circular convolution)
    index = np.concatenate([yi * side + xi, yi * side + xi + 1, (yi + 1) * side + xi, (yi + 1) * side + xi + 1])
    weight = np.concatenate([taps * (1 - fx) * (1 - fy), taps * fx * (1 - fy), taps * (1 - fx) * fy, taps * fx * fy])
    patch = np.bincount(index, weight, side * side).reshape(side, side).astype(np.float32)
    kernel = np.zeros((h, w), np.float32)
    a = side - centre
    kernel[:a, :a] = patch[centre:, centre:]
    kernel[:a, w - centre:] = patch[centre:, :centre]
    kernel[h - centre:, :a] = patch[:centre, centre:]
    kernel[h - centre:, w - centre:] = patch[:centre, :centre]
    return cv2.dft(kernel)


def unstreak(gray: np.ndarray, length: int, degrees: float | None = None,
             nsr: float = NOISE_TO_SIGNAL) -> np.ndarray:
    """Undoes a straight `length`-pixel motion streak (direction estimated when not given)."""
    if degrees is None:
        degrees, _ = streak_direction(gray)
    spectrum = _line_spectrum(gray.shape, _wiener_taps(length, nsr), degrees, length % 2 == 0)
    image = cv2.dft(gray.astype(np.float32))
    out = cv2.idft(cv2.mulSpectrums(image, spectrum, 0), flags=cv2.DFT_SCALE | cv2.DFT_REAL_OUTPUT)
    return np.clip(out, 0, 255).astype(np.uint8)

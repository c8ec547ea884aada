"""A cascade of cheap image transforms for frames a single decoder pass misses: most
frames decode in the first pass; a hard one (blur, dark-mode, low contrast, small) gets
further passes until one finds a code or the per-frame time budget is spent."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

from . import deblur, focus, regrid
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


def deblur_mask(g: np.ndarray) -> np.ndarray:  # heavier blur: a wider, stronger unsharp mask
    soft = cv2.GaussianBlur(g, (0, 0), 3.0)
    return cv2.addWeighted(g, 4.0, soft, -3.0, 0)


def equalise(g: np.ndarray) -> np.ndarray:  # low light and low contrast, locally
    return _CLAHE.apply(g)


_CLAHE = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))


def adaptive(g: np.ndarray) -> np.ndarray:  # glare and uneven light: threshold against the neighbourhood
    return cv2.adaptiveThreshold(g, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 31, 5)


def double(g: np.ndarray) -> np.ndarray:  # small, far codes: 2-pixel modules need more pixels
    return cv2.resize(g, (g.shape[1] * 2, g.shape[0] * 2), interpolation=cv2.INTER_CUBIC)


PAD_PX = 32


def pad(g: np.ndarray) -> np.ndarray:  # a code touching the frame edge: give the finder room
    return cv2.copyMakeBorder(g, PAD_PX, PAD_PX, PAD_PX, PAD_PX, cv2.BORDER_REPLICATE)


def triple(g: np.ndarray) -> np.ndarray:  # the smallest codes: 2-pixel modules seen at an angle
    return cv2.resize(g, (g.shape[1] * 3, g.shape[0] * 3), interpolation=cv2.INTER_CUBIC)


def enlarge(g: np.ndarray) -> np.ndarray:  # small codes, a cheaper step than doubling
    return cv2.resize(g, (g.shape[1] * 3 // 2, g.shape[0] * 3 // 2), interpolation=cv2.INTER_CUBIC)


def unstreak(g: np.ndarray) -> np.ndarray:  # motion blur: undo a 6-px streak along its own direction
    return deblur.unstreak(g, 6)


def unstreak_short(g: np.ndarray) -> np.ndarray:  # a short streak on a small code (phone at arm's length)
    return enlarge(deblur.unstreak(g, 4))


def smooth(g: np.ndarray) -> np.ndarray:  # night noise: average it away before thresholding
    return cv2.GaussianBlur(g, (0, 0), 1.0)


def soften(g: np.ndarray) -> np.ndarray:  # noise on small modules: a lighter smoothing before enlarging
    return cv2.GaussianBlur(g, (0, 0), 0.8)


def crisp(g: np.ndarray) -> np.ndarray:  # enlarged tiny codes: restore the edges interpolation softened
    soft = cv2.GaussianBlur(g, (0, 0), 1.0)
    return cv2.addWeighted(g, 2.5, soft, -1.5, 0)


def crisp_wide(g: np.ndarray) -> np.ndarray:  # doubled tiny codes: the same, at twice the scale
    soft = cv2.GaussianBlur(g, (0, 0), 1.5)
    return cv2.addWeighted(g, 3.0, soft, -2.0, 0)


def focus_mask(g: np.ndarray) -> np.ndarray:  # defocus: a strong, narrow unsharp mask
    soft = cv2.GaussianBlur(g, (0, 0), 1.5)
    return cv2.addWeighted(g, 4.0, soft, -3.0, 0)


def chain(*steps: Transform) -> Transform:
    def run(g: np.ndarray) -> np.ndarray:
        for step in steps:
            g = step(g)
        return g
    run.__name__ = "+".join(s.__name__ for s in steps)
    return run


@dataclass(frozen=True)
class Pass:
    """One decoder pass: a transform of the frame, optionally the zxing-cpp binarizer to
    threshold it with (None: the decoder's own) and whether light-on-dark codes are read
    too. A pass naming a binarizer is skipped by decoders without that choice (pyzbar): on
    them it would repeat the plain pass."""
    transform: Transform
    binarizer: str | None = None
    both_polarities: bool = False  # one costly transform serves dark-mode codes as well
    when: Callable[[np.ndarray], bool] | None = None  # run only on frames this is true of
    border: int = 0  # pixels the transform adds on each side (before any rescaling)
    thorough: bool = False  # with the decoder's own rotations, downscaled copies and inversion

    @property
    def name(self) -> str:
        return (self.transform.__name__ + (f"/{self.binarizer}" if self.binarizer else "")
                + ("/both" if self.both_polarities else "") + ("/thorough" if self.thorough else ""))


GLOBAL, FIXED = "GlobalHistogram", "FixedThreshold"

# Ordered by codes found per millisecond on frames the passes before missed, measured
# over the standard and the hard corpus (devices/scanner/hard_corpus.py) on a seed of
# their own: smoothing first, on frames that measure as noisy (a plain pass reads few of
# them); a long streak's filters right after the plain pass, on frames that measure that
# directional (nothing else reads them, and on a busy machine a later place runs out of
# budget first); the cheap re-thresholdings and dark-mode passes; deconvolution for
# defocus on frames that measure soft (for the same reason); enlarging and sharpening for
# tiny codes; a grid bent along crumpled paper, on symbols located but not read
# (devices/scanner/regrid.py; locating costs up to three decoder calls, so it comes after
# the cheap enlargement); the short-streak filters only on frames that measure as
# streaked; then deconvolution for the other frames. The passes after those read little
# the others miss and run only while the budget lasts.
DEFAULT_STEPS: tuple[Pass, ...] = (
    Pass(smooth, when=focus.noisy),
    Pass(identity),
    Pass(deblur.unstreak_measured, both_polarities=True, when=deblur.long_streak),
    Pass(deblur.unstreak_measured_longer, both_polarities=True, when=deblur.long_streak),
    Pass(chain(half, invert)),
    Pass(identity, GLOBAL),
    Pass(invert, GLOBAL),
    Pass(invert),
    Pass(focus.refocus, both_polarities=True, when=focus.soft),
    Pass(identity, FIXED),
    Pass(chain(enlarge, crisp)),
    Pass(regrid.regrid, when=regrid.bent),
    Pass(half, GLOBAL),
    Pass(chain(smooth, enlarge), when=focus.noisy),
    Pass(chain(smooth, stretch), when=focus.noisy),
    Pass(unstreak, both_polarities=True, when=deblur.streaked),
    Pass(adaptive),
    Pass(chain(soften, double), when=focus.noisy),
    Pass(pad, border=PAD_PX),
    Pass(focus_mask),
    Pass(enlarge, GLOBAL),
    Pass(chain(crisp, double)),
    Pass(focus.refocus, both_polarities=True, when=focus.not_soft),
    Pass(equalise),
    Pass(chain(double, crisp_wide)),
    Pass(identity, thorough=True),
    Pass(unstreak_short, both_polarities=True, when=deblur.smeared),
    Pass(unsharp, both_polarities=True),
    Pass(deblur_mask, both_polarities=True),
    Pass(chain(double, unsharp)),
    Pass(triple),
)
# After a pass finds codes, one more look at the frame thresholded globally: a second code
# held up beside the first is sometimes not even located by the local threshold.
SECOND_LOOK = Pass(identity, GLOBAL)


FORGET = 0.8  # a skipped pass's learned cost shrinks by this each time, so it is measured again


@dataclass(frozen=True)
class CascadeResult:
    codes: list[ScannedCode]
    passes: int  # how many decoder passes ran
    step: str  # the pass that first found codes, "" when none did
    milliseconds: float


class CascadeDecoder:
    """Runs `steps` in order through `decoder` until codes are found or `budget_ms` is spent.
    Coordinates of codes found on a rescaled or padded frame are mapped back to the camera
    frame. Plain transforms are accepted as steps too (a pass with the decoder's binarizer)."""

    def __init__(self, decoder: FrameDecoder, budget_ms: float = 25.0,
                 steps: tuple[Pass | Transform, ...] = DEFAULT_STEPS, second_look: Pass | None = SECOND_LOOK):
        self.decoder = decoder
        self.budget_ms = budget_ms
        self.steps = tuple(s if isinstance(s, Pass) else Pass(s) for s in steps)
        self.second_look = second_look
        self.name = f"cascade/{decoder.name}"
        self._cost: dict[Pass, float] = {}  # each pass's recent time on this machine, in ms

    def _learn_cost(self, step: Pass, milliseconds: float) -> None:
        """A moving average of a pass's time; one pass stalled by a busy machine moves it
        only so far, and a skipped pass's cost is forgotten bit by bit until it runs again."""
        previous = self._cost.get(step)
        if previous is None:
            self._cost[step] = milliseconds
        else:
            self._cost[step] = 0.8 * previous + 0.2 * min(milliseconds, 3 * previous)

    def decode(self, gray: np.ndarray) -> list[ScannedCode]:
        return self.decode_detailed(gray).codes

    def decode_detailed(self, gray: np.ndarray) -> CascadeResult:
        start = time.perf_counter()
        gray = to_gray(gray)
        if gray.ndim != 2 or min(gray.shape) < MIN_SIDE:
            return CascadeResult([], 0, "", _ms(start))
        found: dict[bytes, ScannedCode] = {}
        wanted = 0  # codes seen in the frame, decoded or not, once a pass found any
        passes, first_step, ran = 0, "", set()
        for step in self.steps:
            spent = _ms(start)
            if passes and spent >= self.budget_ms:
                break
            if passes and spent + self._cost.get(step, 0.0) > self.budget_ms:
                self._cost[step] *= FORGET  # would overrun the budget; a cheaper pass after it still fits
                continue
            began = time.perf_counter()
            outcome = self._run(step, gray)
            if outcome is None:
                continue
            self._learn_cost(step, _ms(began))
            passes += 1
            ran.add(step)
            codes, undecoded = outcome
            new = [c for c in codes if c.data not in found]
            if not new:
                continue
            first_step = first_step or step.name
            for code in new:
                found[code.data] = code
            # A second code the pass saw but could not read (two codes held up at once)
            # keeps the cascade going; otherwise the frame is done.
            wanted = max(wanted, len(found) + undecoded)
            if len(found) >= wanted:
                break
        look = self.second_look
        if found and look is not None and look not in ran and _ms(start) < self.budget_ms:
            outcome = self._run(look, gray)
            if outcome is not None:
                passes += 1
                for code in outcome[0]:
                    found.setdefault(code.data, code)
        return CascadeResult(list(found.values()), passes, first_step, _ms(start))

    def _run(self, step: Pass, gray: np.ndarray) -> tuple[list[ScannedCode], int] | None:
        """The codes one pass reads (in camera-frame coordinates) and how many more it
        located; None when the pass does not apply to this decoder or frame."""
        if step.when is not None and not step.when(gray):
            return None
        decoder, invert_too = self.decoder, step.both_polarities
        if hasattr(decoder, "variant"):
            decoder, invert_too = decoder.variant(step.binarizer, step.both_polarities, step.thorough), False
        elif step.binarizer is not None or step.thorough:
            return None
        try:
            image = step.transform(gray)
        except cv2.error:  # a transform that cannot apply to this frame is skipped
            return None
        codes, undecoded = decode_counting(decoder, image)
        if invert_too and not codes:
            codes, undecoded = decode_counting(decoder, cv2.bitwise_not(image))
        border = step.border
        scale = gray.shape[1] / (image.shape[1] - 2 * border)
        if scale != 1 or border:
            codes = [_mapped(c, border, scale) for c in codes]
        return codes, undecoded


def decode_counting(decoder: FrameDecoder, image: np.ndarray) -> tuple[list[ScannedCode], int]:
    counting = getattr(decoder, "decode_counting", None)
    if counting is not None:
        return counting(image)
    return decoder.decode(image), 0


def to_gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return frame


def _mapped(code: ScannedCode, border: int, scale: float) -> ScannedCode:
    corners = tuple((int((x - border) * scale), int((y - border) * scale)) for x, y in code.corners)
    return ScannedCode(code.data, code.symbology, code.source, corners)


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000

"""Consecutive camera frames combined when single ones fail: a code held still in a dim
hall comes in noisy frame after frame, and the mean of a few such frames has a fraction of
one frame's noise. The mean is built around the sharpest recent frame, from the frames
that show the same picture; a frame that moved or blurred differs and is left out."""
from __future__ import annotations

from collections import deque

import cv2
import numpy as np

DEPTH = 4  # frames kept: at 15-30 fps, a fifth of a second or less of holding still
SHRINK = 8  # frames are compared at an eighth of their size, where sensor noise averages out
STILL_GREY = 6.0  # mean difference (grey levels, at that size) of frames showing the same picture


class FrameStack:
    def __init__(self, depth: int = DEPTH, still_grey: float = STILL_GREY):
        self._frames: deque[tuple[np.ndarray, np.ndarray, float]] = deque(maxlen=depth)
        self.depth, self.still_grey = depth, still_grey

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def full(self) -> bool:
        return len(self._frames) == self.depth

    def add(self, gray: np.ndarray) -> None:
        if self._frames and self._frames[-1][0].shape != gray.shape:
            self.clear()  # the camera changed resolution: old frames do not line up
        small = cv2.resize(gray, (gray.shape[1] // SHRINK, gray.shape[0] // SHRINK), interpolation=cv2.INTER_AREA)
        self._frames.append((gray, small.astype(np.float32), sharpness(small)))

    def clear(self) -> None:
        self._frames.clear()

    def combined(self) -> np.ndarray | None:
        """The mean of the frames showing the same picture as the sharpest one, when there
        are at least two of them; None otherwise."""
        if len(self._frames) < 2:
            return None
        _, reference, _ = max(self._frames, key=lambda f: f[2])
        same = [gray for gray, small, _ in self._frames
                if float(np.mean(cv2.absdiff(small, reference))) <= self.still_grey]
        if len(same) < 2:
            return None
        total = np.zeros(same[0].shape, np.float32)
        for gray in same:
            cv2.accumulate(gray, total)
        return np.clip(total / len(same) + 0.5, 0, 255).astype(np.uint8)


def sharpness(gray: np.ndarray) -> float:
    """The variance of the Laplacian: high for crisp edges, low for a blurred frame."""
    return float(cv2.Laplacian(gray, cv2.CV_32F).var())

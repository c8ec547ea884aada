"""Whether two faces are one person: the Euclidean distance between their embeddings,
matched at or under the threshold the county sets (BACKOFFICE_FACE_MATCH_THRESHOLD).

dlib's own default is 0.6; on the faces available to us genuine pairs measured 0.17-0.34
and different people 0.57 and more (BENCHMARKS.md), so the default here is stricter,
0.45: identity verification should turn a citizen to the SMS code sooner than let
another person in."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_THRESHOLD = 0.45


@dataclass(frozen=True)
class Comparison:
    distance: float
    threshold: float

    @property
    def match(self) -> bool:
        return self.distance <= self.threshold


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))


def compare(live: np.ndarray, reference: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> Comparison:
    return Comparison(round(distance(live, reference), 4), threshold)

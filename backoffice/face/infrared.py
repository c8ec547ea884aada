"""The infrared eye of a binocular face camera: frames taken with the challenge's first and
last frames, by a camera that sees only near-infrared light from its own lamp beside it.

Skin and paper reflect that light; a phone's or a tablet's screen gives off none, so a
video of the citizen played on a screen (which can turn or blink as asked) shows a dark
pane in the infrared frame and no face. The check: exactly one face in the infrared
frame, where the visible frame has it (the two eyes sit a few centimetres apart and are
aligned by the maker, so the face lands within half its width of the same place, at
about the same size). A print is not caught here: the head turn or the blink catches it.

Whether a kiosk must send the frame is the county's setting (BACKOFFICE_FACE_INFRARED:
"required" once every face camera has an infrared eye, else "optional": checked when
sent)."""
from __future__ import annotations

import numpy as np

from . import detect, images
from .model import FaceModel

OFFSET_MAX = 0.5  # the faces' centres apart, over the visible face's width
SIZE_RATIO_MAX = 1.4  # the faces' widths, larger over smaller
INFRARED_MAX = 2  # frames a kiosk may send, with its first frame and with its last (as the API's schema says)


class InfraredRefused(ValueError):
    """The reason in words; the frames show no face in infrared where the visible one is."""


def check(model: FaceModel, infrared: list[bytes], visible: list[detect.Face]) -> None:
    """InfraredRefused unless each infrared frame holds one face where the visible face
    taken with it is (`visible`, in the same order)."""
    for index, (frame, seen) in enumerate(zip(infrared, visible)):
        picture = images.decode(frame)
        try:
            face = detect.one_face(model, picture)
        except detect.NoFace:
            raise InfraredRefused(f"no face in infrared frame {index + 1}: a screen shows none") from None
        except detect.ManyFaces as many:
            raise InfraredRefused(f"infrared frame {index + 1}: {many}") from None
        apart = np.hypot(*(np.add(face.box[:2], face.box[2:]) - np.add(seen.box[:2], seen.box[2:])) / 2)
        larger, smaller = max(face.width, seen.width, 1), max(min(face.width, seen.width), 1)
        if apart > OFFSET_MAX * seen.width or larger / smaller > SIZE_RATIO_MAX:
            raise InfraredRefused(f"the face in infrared frame {index + 1} is not where the camera's face is")

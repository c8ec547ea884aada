"""Images a kiosk or a chip sent, decoded to RGB pixels within limits: the size is read
from the header and checked before a pixel is decoded, so a small file that claims a huge
picture (a decompression bomb) costs nothing."""
from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image

MAX_SIDE = 2048  # a kiosk's camera frame is 640x480; a passport's DG2 face far smaller
MAX_PIXELS = 1920 * 1080
JPEG_ONLY = ("JPEG",)
PHOTO_FORMATS = ("JPEG", "JPEG2000", "PNG")  # a DG2 face is JPEG or JPEG 2000; a reference photo may be PNG


class ImageRefused(ValueError):
    """Not an image we take: the message says why, in words for the kiosk's log."""


def decode(data: bytes, formats: tuple[str, ...] = JPEG_ONLY) -> np.ndarray:
    """height x width x 3 RGB bytes of an image in one of `formats`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data), formats=list(formats))
            width, height = picture.size
            if not (16 <= width <= MAX_SIDE and 16 <= height <= MAX_SIDE) or width * height > MAX_PIXELS:
                raise ImageRefused(f"an image of {width}x{height} pixels is outside the sizes taken")
            return np.asarray(picture.convert("RGB"))
    except ImageRefused:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageRefused(f"not a {' or '.join(formats)} image ({type(exc).__name__})") from None

"""A material's page as the console shows it: decoded, one page (frame) of it, watermarked
with who is looking and when, drawn into the pixels (a screenshot or a saved copy carries
it)."""
from __future__ import annotations

import io
import math
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, ImageOps

from ..pdf_page import FONT_CANDIDATES

MAX_PIXELS = 40_000_000  # a scanned A4 page at 600 dpi is 35 Mpx; more is not a page
ANGLE = 30  # degrees the tiled rows rise, counter-clockwise
INK = (200, 30, 30, 70)  # the tiles' red, and how much of it covers the page (of 255)


class NotAPage(ValueError):
    pass


@lru_cache(maxsize=8)
def _font(size: int):
    for path in FONT_CANDIDATES:  # WenQuanYi Micro Hei (scripts/debian-packages.txt)
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def page_count(data: bytes) -> int:
    with _open(data) as image:
        return getattr(image, "n_frames", 1)


def watermarked_page(data: bytes, page: int, lines: list[str]) -> bytes:
    """Page `page` (1-based) of the image as a JPEG, the watermark `lines` tiled across it
    and written plainly on a band along its foot."""
    with _open(data) as image:
        if not 1 <= page <= getattr(image, "n_frames", 1):
            raise NotAPage(f"no page {page}")
        image.seek(page - 1)
        picture = image.convert("RGB")  # a copy of its own, the file closed after
    ImageOps.exif_transpose(picture, in_place=True)  # a page photographed sideways, upright
    width, height = picture.size
    size = max(14, min(width, height) // 28)
    font = _font(size)
    text = "  ".join(lines)
    _tile(picture, text, font, size)
    band = size * 2
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, height - band, width, height), fill=(20, 20, 20))
    draw.text((size // 2, height - band + size // 2), text, font=font, fill=(255, 255, 255))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def _tile(picture: Image.Image, text: str, font, size: int) -> None:
    """Diagonal tiles, half transparent: across every part of the page, the page still legible.

    The rows of text are laid out on a plane twice the page's size, turned ANGLE degrees
    about its centre, and the page is the middle of it. The text is drawn and turned once,
    as a small mask, and blended in where each tile falls (only where it has ink): turning
    the whole plane took seconds a page."""
    width, height = picture.size
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = measure.textbbox((0, 0), text, font=font)
    strip = Image.new("L", (right + 2, bottom + 2), 0)
    ImageDraw.Draw(strip).text((0, 0), text, font=font, fill=INK[3])
    mask = strip.rotate(ANGLE, resample=Image.Resampling.BICUBIC, expand=True)
    pieces = _inked(mask)
    turn = math.radians(ANGLE)
    cos, sin = math.cos(turn), math.sin(turn)
    step_y = size * 5
    step_x = int(measure.textlength(text, font=font)) + size * 4
    for row, y in enumerate(range(0, height * 2, step_y)):
        for x in range(-(row % 2) * step_x // 2, width * 2, step_x):
            # The strip's centre on the plane, turned about the plane's centre (the page's
            # centre), where the turned strip's centre falls on the page.
            dx, dy = x + strip.width / 2 - width, y + strip.height / 2 - height
            cx, cy = width / 2 + dx * cos + dy * sin, height / 2 - dx * sin + dy * cos
            corner = (round(cx - mask.width / 2), round(cy - mask.height / 2))
            for (left, top), piece in pieces:
                picture.paste(INK[:3], (corner[0] + left, corner[1] + top), piece)


def _inked(mask: Image.Image, band: int = 32) -> list[tuple[tuple[int, int], Image.Image]]:
    """The turned strip's mask in bands, each cut to where it has ink, with its place in
    the mask: a turned line of text leaves most of its box empty, and blending the whole
    box in for every tile was most of the watermark's time."""
    pieces = []
    for top in range(0, mask.height, band):
        strip = mask.crop((0, top, mask.width, min(top + band, mask.height)))
        box = strip.getbbox()
        if box:
            pieces.append(((box[0], top + box[1]), strip.crop(box)))
    return pieces


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
    except Exception as exc:  # Pillow raises several kinds for a file it cannot read
        raise NotAPage("not an image") from exc
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise NotAPage("image too large")
    return image

"""A material's page as the console shows it: decoded, one page (frame) of it, watermarked
with who is looking and when, drawn into the pixels (a screenshot or a saved copy carries
it)."""
from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, ImageOps

from ..licences import FONT_CANDIDATES

MAX_PIXELS = 40_000_000  # a scanned A4 page at 600 dpi is 35 Mpx; more is not a page


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
        picture = ImageOps.exif_transpose(image.convert("RGB"))
    width, height = picture.size
    size = max(14, min(width, height) // 28)
    font = _font(size)
    text = "  ".join(lines)
    # Diagonal tiles, half transparent: across every part of the page, the page still legible.
    overlay = Image.new("RGBA", (width * 2, height * 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    step_y = size * 5
    step_x = int(draw.textlength(text, font=font)) + size * 4
    for row, y in enumerate(range(0, height * 2, step_y)):
        for x in range(-(row % 2) * step_x // 2, width * 2, step_x):
            draw.text((x, y), text, font=font, fill=(200, 30, 30, 70))
    overlay = overlay.rotate(30, resample=Image.Resampling.BICUBIC)
    left, top = width // 2, height // 2
    picture = Image.alpha_composite(picture.convert("RGBA"), overlay.crop((left, top, left + width, top + height)))
    band = size * 2
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, height - band, width, height), fill=(20, 20, 20, 255))
    draw.text((size // 2, height - band + size // 2), text, font=font, fill=(255, 255, 255, 255))
    out = io.BytesIO()
    picture.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
    except Exception as exc:  # Pillow raises several kinds for a file it cannot read
        raise NotAPage("not an image") from exc
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise NotAPage("image too large")
    return image

"""Document camera: capture an A4 page held under the camera as a flat, clean JPEG.
The page pipeline itself is devices/doccam/page.py (imported when first used)."""
from .build import build_doccam
from .facade import DocumentCamera

__all__ = ["DocumentCamera", "build_doccam"]

"""Document camera: capture an A4 page held under the camera as a flat, clean JPEG.
The page pipeline itself is devices/doccam/page.py (imported when first used)."""
from .facade import DocumentCamera, build_doccam

__all__ = ["DocumentCamera", "build_doccam"]

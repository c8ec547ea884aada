"""Document camera: capture an A4 page held under the camera as a flat, clean JPEG."""
from .facade import DocumentCamera, build_doccam
from .page import DPI, MAX_JPEG_BYTES, PAGE_PX, PageResult, find_page, process

__all__ = ["DPI", "DocumentCamera", "MAX_JPEG_BYTES", "PAGE_PX", "PageResult", "build_doccam", "find_page", "process"]

"""From a photo of an A4 page on a desk to a flat, clean page image: find the page's four
corners, undo the perspective, lift shadows, and encode a JPEG small enough to upload."""
from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np

A4_MM = (210.0, 297.0)
DPI = 200
PAGE_PX = (round(A4_MM[0] / 25.4 * DPI), round(A4_MM[1] / 25.4 * DPI))  # 1654 x 2339
MAX_JPEG_BYTES = 300 * 1024
WORK_SIDE = 800  # corner finding runs on a downscaled copy: fast and less distracted by texture


@dataclass(frozen=True)
class PageResult:
    ok: bool
    reason: str = ""  # why not, for the screen ("no page found")
    corners: np.ndarray | None = None  # tl, tr, br, bl in the camera frame
    page: np.ndarray | None = None  # cleaned grayscale page, PAGE_PX
    jpeg: bytes = b""


def find_page(image: np.ndarray, min_area: float = 0.15) -> np.ndarray | None:
    """The page's corners (tl, tr, br, bl) in the frame, or None. The page is the largest
    bright convex quadrilateral covering at least `min_area` of the frame."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    scale = WORK_SIDE / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    frame_area = small.shape[0] * small.shape[1]
    candidates = []
    # Two views of the page: its edges, and a bright region (paper is lighter than desks).
    edges = cv2.dilate(cv2.Canny(small, 40, 120), np.ones((3, 3), np.uint8))
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    for mask in (edges, bright):
        contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:8]:
            hull = cv2.convexHull(contour)
            area = cv2.contourArea(hull)
            if area < min_area * frame_area:
                continue
            quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
            # the outline must fill its quadrilateral: a page merged with a card beside it does not
            solid = cv2.contourArea(contour) / max(1.0, cv2.contourArea(quad))
            if len(quad) == 4 and solid > 0.92 and _a4_like(quad.reshape(4, 2)) \
                    and _inside(quad.reshape(4, 2), small.shape):
                candidates.append((_paper_score(small, quad), area, quad.reshape(4, 2)))
    if not candidates:
        return None
    # The largest of the paper-like candidates: a shadow across the page makes the bright
    # region stop at the shadow, while the page's edges still outline all of it.
    best = max(c[0] for c in candidates)
    _, _, quad = max((c for c in candidates if c[0] >= 0.6 * best), key=lambda c: c[1])
    return order_corners(quad.astype(np.float32) / scale)


def order_corners(pts: np.ndarray) -> np.ndarray:
    """tl, tr, br, bl with the page's long side vertical (portrait output)."""
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise in image coordinates, starting anywhere
    start = int(np.argmin(pts.sum(axis=1)))  # the corner nearest the frame's top-left
    pts = np.roll(pts, -start, axis=0)
    top, left = np.linalg.norm(pts[1] - pts[0]), np.linalg.norm(pts[3] - pts[0])
    if top > left:  # landscape in the frame: turn a quarter so the long side is vertical
        pts = np.roll(pts, 1, axis=0)
    return pts.astype(np.float32)


def flatten(image: np.ndarray, corners: np.ndarray) -> np.ndarray:
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    w, h = PAGE_PX
    target = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    m = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def clean(page: np.ndarray) -> np.ndarray:
    """Divide by the paper's own brightness (estimated with text removed) to lift shadows
    and uneven light, then stretch so paper is white and ink is dark."""
    small = cv2.resize(page, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    paper = cv2.medianBlur(cv2.dilate(small, np.ones((7, 7), np.uint8)), 21)
    paper = cv2.resize(paper, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(page, np.maximum(paper, 1), scale=255)
    # The darkest 1 % is ink: from the histogram, and the stretch as a lookup table, both
    # a few milliseconds on a 4-megapixel page where sorting and float maths took ~50.
    counts = np.cumsum(np.bincount(flat.ravel(), minlength=256))
    lo = int(np.searchsorted(counts, 0.01 * counts[-1]))
    table = np.clip((np.arange(256, dtype=np.float32) - lo) * (255.0 / max(1, 235 - lo)), 0, 255)
    return cv2.LUT(flat, table.astype(np.uint8))


def preview(page: np.ndarray, height: int) -> np.ndarray:
    """A small copy of the page for the screen, its rows a multiple of 4 bytes (the row
    alignment a texture upload expects)."""
    width = max(4, round(page.shape[1] * height / page.shape[0] / 4) * 4)
    return cv2.resize(page, (width, height), interpolation=cv2.INTER_AREA)


def encode_jpeg(page: np.ndarray, max_bytes: int = MAX_JPEG_BYTES) -> bytes:
    """Grayscale JPEG at 200 dpi, quality lowered until it fits `max_bytes`."""
    from PIL import Image

    image = Image.fromarray(page)
    data = b""
    for quality in (85, 75, 65, 55, 45, 35, 25):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, optimize=True, dpi=(DPI, DPI))
        data = buffer.getvalue()
        if len(data) <= max_bytes:
            return data
    half = image.resize((image.width * 3 // 4, image.height * 3 // 4))  # a very busy page
    buffer = io.BytesIO()
    half.save(buffer, "JPEG", quality=40, optimize=True, dpi=(DPI * 3 // 4, DPI * 3 // 4))
    return buffer.getvalue()


def process(image: np.ndarray) -> PageResult:
    if image is None or image.ndim not in (2, 3) or min(image.shape[:2]) < 100:
        return PageResult(False, "no image from the document camera")
    corners = find_page(image)
    if corners is None:
        return PageResult(False, "no page found: place the whole page inside the frame")
    page = clean(flatten(image, corners))
    return PageResult(True, "", corners, page, encode_jpeg(page))


def _a4_like(quad: np.ndarray) -> bool:
    """Opposite sides of similar length and an aspect between square and 1:2 (perspective
    stretches A4's 1:1.41)."""
    sides = [np.linalg.norm(quad[i] - quad[(i + 1) % 4]) for i in range(4)]
    a, b = (sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2
    if min(sides) < 10:
        return False
    ratio = max(a, b) / min(a, b)
    return 1.1 <= ratio <= 2.0


def _inside(quad: np.ndarray, shape: tuple[int, ...], margin: int = 3) -> bool:
    """A page cut by the frame edge cannot be captured whole (and a blank frame is no page)."""
    h, w = shape[:2]
    return bool((quad[:, 0] > margin).all() and (quad[:, 0] < w - 1 - margin).all()
                and (quad[:, 1] > margin).all() and (quad[:, 1] < h - 1 - margin).all())


def _paper_score(gray: np.ndarray, quad: np.ndarray) -> float:
    """Median brightness inside minus the darkest tenth inside: paper with text is bright
    almost everywhere; an outline that swallowed desk has dark patches."""
    mask = np.zeros_like(gray)
    cv2.fillConvexPoly(mask, quad.reshape(-1, 2).astype(np.int32), 255)
    inside = gray[mask > 0]
    if inside.size == 0:
        return 0.0
    p10, p50 = np.percentile(inside, [10, 50])
    return float(p50 - 0.5 * (p50 - p10))

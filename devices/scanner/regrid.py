"""Reading a code on a crumpled slip: zxing-cpp locates the symbol but samples its modules
on a straight grid, which the paper's bends pull off the modules. Here the grid is laid
from the three finder patterns and the bottom-right alignment pattern and then bent
module by module: the phase of the module edges, measured locally, tells how far the
real grid lies from the straight one. The modules read there are drawn back into the
frame on a straight grid for the decoder."""
from __future__ import annotations

import math

import cv2
import numpy as np

PX = 4  # pixels per module in the straightened view: enough for a module's edges to show
MARGIN = 2  # modules of the view beyond the symbol, so edge modules keep their neighbours
EDGE_WINDOW = 1.0  # module pitches (Gaussian sigma) over which the edges' phase is averaged
QUIET = 4  # modules of quiet zone drawn around the redrawn symbol
FINDER_REACH = 0.3  # a finder pattern must lie this share of the symbol's side from zxing's corner
ALIGN_REACH = 3.0  # modules the alignment pattern may lie from where the affine grid puts it
ALIGN_MATCH = 0.5  # least normalised correlation with a drawn alignment pattern to trust the match
_last: tuple[np.ndarray | None, list[tuple[np.ndarray, int | None]]] = (None, [])  # the gate and the pass ask alike


def located(gray: np.ndarray) -> list[tuple[np.ndarray, int | None]]:
    """Symbols zxing-cpp locates but cannot read: their corners (tl, tr, br, bl) and the
    module count zxing-cpp measured, if any."""
    global _last
    frame, answer = _last
    if frame is gray:
        return answer
    import zxingcpp

    answer = []
    # the local threshold first; a global one and a half-size frame find some large
    # symbols whose folds break the local threshold's finder patterns
    for binarizer, scale in (("LocalAverage", 1), ("GlobalHistogram", 1), ("LocalAverage", 2)):
        image = gray if scale == 1 else cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2),
                                                   interpolation=cv2.INTER_AREA)
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCodeModel2, return_errors=True,
                                       try_rotate=False, try_downscale=False, try_invert=False,
                                       binarizer=getattr(zxingcpp.Binarizer, binarizer))
        for b in found:
            if b.valid:
                continue
            p = b.position
            quad = np.float32([(q.x, q.y) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]) * scale
            version = (b.extra or {}).get("Version")
            answer.append((quad, 17 + 4 * int(version) if version else None))
        if found:
            break
    _last = (gray, answer)
    return answer


def bent(gray: np.ndarray) -> bool:
    """Whether a symbol is located that the straight grid could not read."""
    return bool(located(gray))


def regrid(gray: np.ndarray) -> np.ndarray:
    """The frame with every located, unread symbol redrawn on a straight grid from the
    modules read along its bent one."""
    out = gray
    for quad, modules in located(gray):
        drawn = _redraw(out, gray, quad, modules)
        if drawn is not None:
            out = drawn
    return out


def finder_patterns(gray: np.ndarray, quad: np.ndarray) -> list[tuple[float, float, float]]:
    """Centres and module sizes of the finder patterns near `quad`: dark squares holding a
    light ring holding a dark square (contours nested twice, areas about 49:9)."""
    x0, y0 = np.maximum(quad.min(0) - 20, 0).astype(int)
    x1, y1 = (quad.max(0) + 20).astype(int)
    roi = gray[y0:y1, x0:x1]
    if min(roi.shape) < 21:
        return []
    dark = cv2.adaptiveThreshold(roi, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 5)
    contours, tree = cv2.findContours(dark, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if tree is None:
        return []
    tree = tree[0]
    out = []
    for i, contour in enumerate(contours):
        ring = tree[i][2]
        core = tree[ring][2] if ring >= 0 else -1
        if core < 0:
            continue
        outer, inner = cv2.contourArea(contour), cv2.contourArea(contours[core])
        if inner < 4 or not 2.5 < outer / inner < 12:
            continue
        m = cv2.moments(contours[core])
        if m["m00"] > 0:
            out.append((m["m10"] / m["m00"] + x0, m["m01"] / m["m00"] + y0, math.sqrt(outer) / 7))
    return out


def grid_affine(gray: np.ndarray, quad: np.ndarray, modules: int | None) -> tuple[np.ndarray, int] | None:
    """The affine map from module coordinates (finder centres at 3.5 modules from the
    corners) to the frame, and the module count; None when a finder pattern is missing."""
    found = np.array(finder_patterns(gray, quad))
    if len(found) < 3:
        return None
    side = float(np.mean([np.linalg.norm(quad[i] - quad[(i + 1) % 4]) for i in range(4)]))
    centres = []
    for corner in (0, 1, 3):  # tl, tr, bl: the corners with finder patterns
        distance = np.hypot(found[:, 0] - quad[corner, 0], found[:, 1] - quad[corner, 1])
        j = int(np.argmin(distance))
        if distance[j] > FINDER_REACH * side:
            return None
        centres.append(found[j])
    tl, tr, bl = centres
    if modules is None:  # zxing-cpp gave no count: from the finders' spacing and size
        pitch = (tl[2] + tr[2] + bl[2]) / 3
        spacing = (math.dist(tl[:2], tr[:2]) + math.dist(tl[:2], bl[:2])) / 2
        modules = 21 + 4 * max(0, round((spacing / pitch + 7 - 21) / 4))
    grid = np.float32([[3.5, 3.5], [modules - 3.5, 3.5], [3.5, modules - 3.5]])
    frame = np.float32([tl[:2], tr[:2], bl[:2]])
    return cv2.getAffineTransform(grid, frame), modules


def edge_offsets(view: np.ndarray, modules: int) -> tuple[np.ndarray, np.ndarray]:
    """How far (view pixels, x and y) each module's centre lies from the straight grid.
    Module edges fall on multiples of PX; the phase of the edge strength at that period,
    averaged over about a module, gives the local offset modulo a module, and a
    least-squares unwrapping makes it continuous over the symbol."""
    # offsets are measured from edges half a pixel early, as read_modules' centres are
    along = np.arange(view.shape[0], dtype=np.float32) + 0.5
    wave = np.exp(-2j * np.pi * along / PX)
    ex = np.abs(cv2.Sobel(view, cv2.CV_32F, 1, 0, ksize=3)) * wave[None, :]
    ey = np.abs(cv2.Sobel(view, cv2.CV_32F, 0, 1, ksize=3)) * wave[:, None]
    centres = np.round((np.arange(modules) + MARGIN + 0.5) * PX).astype(np.intp)
    offsets = []
    for edges in (ex, ey):
        phase = np.angle(_smooth(edges.real) + 1j * _smooth(edges.imag))[np.ix_(centres, centres)]
        offsets.append(-_anchored(_unwrap(phase)) * PX / (2 * np.pi))
    return offsets[0], offsets[1]


def _smooth(a: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(a.astype(np.float32), (0, 0), EDGE_WINDOW * PX)


def _per_module(a: np.ndarray, sigma: float) -> np.ndarray:
    """`a` averaged over each module of the view, then smoothed over `sigma` modules."""
    blocks = cv2.resize(a.astype(np.float32), (a.shape[1] // PX, a.shape[0] // PX), interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(blocks, (0, 0), sigma)


def _wrap(a: np.ndarray) -> np.ndarray:
    return (a + np.pi) % (2 * np.pi) - np.pi


def _unwrap(phase: np.ndarray) -> np.ndarray:
    """Least-squares phase unwrapping (Ghiglia and Romero): the smooth field whose
    gradient best matches the wrapped phase's, solved with a cosine transform; then
    shifted to agree with the wrapped phase on average."""
    rows, cols = phase.shape
    dx, dy = _wrap(np.diff(phase, axis=1)), _wrap(np.diff(phase, axis=0))
    rho = np.zeros((rows + rows % 2, cols + cols % 2))  # cv2.dct takes even sizes
    rho[:rows, :cols - 1] += dx
    rho[:rows, 1:cols] -= dx
    rho[:rows - 1, :cols] += dy
    rho[1:rows, :cols] -= dy
    i, j = np.arange(rho.shape[0])[:, None], np.arange(rho.shape[1])[None, :]
    denominator = 2 * np.cos(np.pi * i / rho.shape[0]) + 2 * np.cos(np.pi * j / rho.shape[1]) - 4
    denominator[0, 0] = 1
    spectrum = cv2.dct(rho) / denominator
    spectrum[0, 0] = 0
    field = cv2.idct(spectrum)[:rows, :cols]
    return field + float(np.angle(np.mean(np.exp(1j * (phase - field)))))


def _anchored(field: np.ndarray) -> np.ndarray:
    """The unwrapped field less the whole turns that put the finder patterns (where the
    affine grid is exact) on the straight grid."""
    corners = np.concatenate([field[:7, :7].ravel(), field[:7, -7:].ravel(), field[-7:, :7].ravel()])
    return field - 2 * np.pi * round(float(np.mean(corners)) / (2 * np.pi))


def straight_view(gray: np.ndarray, grid: np.ndarray, modules: int) -> np.ndarray:
    """The symbol resampled at PX pixels a module along the straight grid `grid` (a 3x3
    map from module coordinates to the frame), MARGIN modules around it."""
    side = (modules + 2 * MARGIN) * PX
    view_to_frame = grid @ _VIEW_TO_GRID
    return cv2.warpPerspective(gray, view_to_frame, (side, side), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE).astype(np.float32)


_VIEW_TO_GRID = np.array([[1 / PX, 0, -MARGIN], [0, 1 / PX, -MARGIN], [0, 0, 1]])


def with_alignment(gray: np.ndarray, affine: np.ndarray, modules: int) -> np.ndarray:
    """The grid as a perspective map through the finder centres and the bottom-right
    alignment pattern, found near where the affine grid puts it; the affine grid itself
    (3x3) when the symbol has none or it is not found."""
    grid = np.vstack([affine, [0, 0, 1]])
    if modules < 25:
        return grid
    view = straight_view(gray, grid, modules)
    centre = (modules - 6.5 + MARGIN) * PX
    reach = int((ALIGN_REACH + 3.5) * PX)
    lo = int(centre) - reach
    patch = view[max(lo, 0): lo + 2 * reach, max(lo, 0): lo + 2 * reach]
    template = _alignment_template()
    if min(patch.shape) <= template.shape[0]:
        return grid
    match = cv2.matchTemplate(patch, template, cv2.TM_CCOEFF_NORMED)
    _, best, _, (x, y) = cv2.minMaxLoc(match)
    if best < ALIGN_MATCH:
        return grid
    half = template.shape[0] / 2  # the sample at a module's centre is PX / 2 into it
    found = np.array([x + half + max(lo, 0), y + half + max(lo, 0), 1.0])
    found_frame = grid @ _VIEW_TO_GRID @ found
    source = np.float32([[3.5, 3.5], [modules - 3.5, 3.5], [3.5, modules - 3.5], [modules - 6.5, modules - 6.5]])
    corners = [(grid @ [u, v, 1])[:2] for u, v in source[:3]] + [found_frame[:2] / found_frame[2]]
    return cv2.getPerspectiveTransform(source, np.float32(corners))


def _alignment_template() -> np.ndarray:
    light = np.ones((7, 7), np.float32)
    light[1:6, 1:6] = np.where(_ALIGNMENT, 0.0, 1.0)
    return cv2.resize(light, (7 * PX, 7 * PX), interpolation=cv2.INTER_NEAREST)


# A second measurement, on the view bent by the first, finds what the first left: where
# the grid was off by nearly half a module, the edge phase there was ambiguous.
BEND_ROUNDS = 2


def _bent(view: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """The view resampled along the grid bent by per-module offsets (view pixels)."""
    side = view.shape[0]
    dense = [cv2.resize(cv2.copyMakeBorder(d.astype(np.float32), MARGIN, MARGIN, MARGIN, MARGIN,
                                           cv2.BORDER_REPLICATE), (side, side)) for d in (dx, dy)]
    pixels = np.arange(side, dtype=np.float32)
    return cv2.remap(view, pixels[None, :] + dense[0], pixels[:, None] + dense[1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)


def read_modules(gray: np.ndarray, grid: np.ndarray, modules: int) -> np.ndarray:
    """The symbol's modules (True = dark) sampled along its bent grid, each against the
    mean brightness around it."""
    view = straight_view(gray, grid, modules)
    dx, dy = edge_offsets(view, modules)
    centres = (np.arange(modules, dtype=np.float32) + MARGIN + 0.5) * PX - 0.5  # see edge_offsets
    for _ in range(BEND_ROUNDS - 1):
        more_x, more_y = edge_offsets(_bent(view, dx, dy), modules)
        dx, dy = dx + more_x, dy + more_y
    xs, ys = (centres[None, :] + dx).astype(np.float32), (centres[:, None] + dy).astype(np.float32)
    level = cv2.remap(view, xs, ys, cv2.INTER_LINEAR)
    # the mean is smooth over three modules: it is read from the view shrunk to a pixel a module
    mean = cv2.remap(_per_module(view, 3.0), (xs + 0.5) / PX - 0.5, (ys + 0.5) / PX - 0.5, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)
    return level < mean


_FINDER = np.ones((7, 7), bool)
_FINDER[1:6, 1:6] = False
_FINDER[2:5, 2:5] = True
_ALIGNMENT = np.ones((5, 5), bool)
_ALIGNMENT[1:4, 1:4] = False
_ALIGNMENT[2, 2] = True


def alignment_centres(modules: int) -> list[int]:
    """Rows (and columns) of a symbol's alignment patterns (ISO/IEC 18004, Annex E)."""
    version = (modules - 17) // 4
    if version < 2:
        return []
    count = version // 7 + 2
    step = 26 if version == 32 else (version * 4 + count * 2 + 1) // (2 * count - 2) * 2
    return [6] + sorted(modules - 7 - i * step for i in range(count - 1))


def with_function_patterns(bits: np.ndarray) -> np.ndarray:
    """The modules with the finder, timing and alignment patterns set as the standard
    draws them: they carry no data, and a finder misread where the paper folds would stop
    the decoder from locating a symbol whose data it can correct."""
    n = bits.shape[0]
    out = bits.copy()
    for r, c in ((0, 0), (0, n - 7), (n - 7, 0)):
        out[max(r - 1, 0): r + 8, max(c - 1, 0): c + 8] = False  # the separator
        out[r: r + 7, c: c + 7] = _FINDER
    timing = np.arange(8, n - 8) % 2 == 0
    out[6, 8: n - 8], out[8: n - 8, 6] = timing, timing
    centres = alignment_centres(n)
    for r in centres:
        for c in centres:
            if (r < 9 and (c < 9 or c > n - 10)) or (r > n - 10 and c < 9):
                continue  # under a finder pattern
            out[r - 2: r + 3, c - 2: c + 3] = _ALIGNMENT
    return out


def _redraw(out: np.ndarray, gray: np.ndarray, quad: np.ndarray, modules: int | None) -> np.ndarray | None:
    fit = grid_affine(gray, quad, modules)
    if fit is None:
        return None
    affine, n = fit
    grid = with_alignment(gray, affine, n)
    bits = with_function_patterns(read_modules(gray, grid, n))
    symbol = np.pad(np.where(bits, 0, 255).astype(np.uint8), QUIET, constant_values=255)
    # frame pixels to symbol-image pixels: module coordinates, shifted by the quiet zone
    # and by half a pixel (the image's pixel j covers modules j - QUIET to j - QUIET + 1)
    to_symbol = np.float32([[1, 0, QUIET - 0.5], [0, 1, QUIET - 0.5], [0, 0, 1]])
    frame_to_symbol = to_symbol @ np.linalg.inv(grid)
    # only the symbol's bounding box is redrawn; pixels outside the symbol stay as they are
    side = symbol.shape[0]
    ends = np.float32([[-0.5, -0.5, 1], [side - 0.5, -0.5, 1], [side - 0.5, side - 0.5, 1], [-0.5, side - 0.5, 1]])
    placed = ends @ np.linalg.inv(frame_to_symbol).T
    placed = placed[:, :2] / placed[:, 2:]
    x0, y0 = np.clip(np.floor(placed.min(0)).astype(int), 0, None)
    x1, y1 = np.minimum(np.ceil(placed.max(0)).astype(int) + 1, (out.shape[1], out.shape[0]))
    if x1 <= x0 or y1 <= y0:
        return None
    shift = np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1]], np.float64)
    box = np.ascontiguousarray(out[y0:y1, x0:x1])
    cv2.warpPerspective(symbol, frame_to_symbol @ shift, (x1 - x0, y1 - y0), dst=box,
                        flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_TRANSPARENT)
    drawn = out.copy()
    drawn[y0:y1, x0:x1] = box
    return drawn

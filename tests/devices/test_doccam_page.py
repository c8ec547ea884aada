"""The document camera on generated photos of an A4 page (rotated, in perspective,
shadowed, on a cluttered desk): corners found, the flattened page has its markers where
the page has them, shadows are lifted, and the JPEG fits 300 KB at 200 dpi."""
import io

import cv2
import numpy as np
import pytest
from PIL import Image

from devices.doccam import DocumentCamera
from devices.doccam.page import MAX_JPEG_BYTES, PAGE_PX, process
from devices.doccam.synthetic import ORIENTATION_DOT_MM, marker_centres_px, mm_to_px, photograph
from devices.health import DeviceState

CASES = {
    "flat": dict(),
    "rotated": dict(rotation_deg=-22),
    "perspective": dict(rotation_deg=12, tilt=0.18),
    "shadowed": dict(rotation_deg=6, shadow=0.55),
    "all_at_once": dict(rotation_deg=-15, tilt=0.12, shadow=0.45),
}


def dark_blobs(page: np.ndarray, min_area: float, max_area: float) -> list[tuple[float, float]]:
    _, ink = cv2.threshold(page, 100, 255, cv2.THRESH_BINARY_INV)
    n, _, stats, centroids = cv2.connectedComponentsWithStats(ink)
    return [tuple(centroids[i]) for i in range(1, n) if min_area <= stats[i, cv2.CC_STAT_AREA] <= max_area
            and 0.6 < stats[i, cv2.CC_STAT_WIDTH] / stats[i, cv2.CC_STAT_HEIGHT] < 1.6]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("case", list(CASES))
def test_page_is_found_flattened_and_markers_land_where_printed(case, seed):
    image, true_corners = photograph(seed, **CASES[case])
    result = process(image)
    assert result.ok, result.reason
    assert np.abs(result.corners - true_corners).max() < 10  # px in a 1600x1200 photo
    assert result.page.shape == (PAGE_PX[1], PAGE_PX[0])
    marker_side = 12 / 210 * PAGE_PX[0]
    found = dark_blobs(result.page, 0.6 * marker_side ** 2, 1.5 * marker_side ** 2)
    tolerance = 0.015 * PAGE_PX[0]  # 3 mm
    for expected in marker_centres_px():
        assert any(np.hypot(x - expected[0], y - expected[1]) < tolerance for x, y in found), expected
    dot = mm_to_px(*ORIENTATION_DOT_MM)
    assert result.page[int(dot[1]), int(dot[0])] < 100  # the page is the right way up


def test_shadow_is_lifted_and_text_stays_dark():
    image, _ = photograph(3, rotation_deg=5, shadow=0.6)
    result = process(image)
    assert result.ok
    page = result.page
    rows = slice(int(mm_to_px(0, 270)[1]), int(mm_to_px(0, 285)[1]))
    left_paper = page[rows, int(mm_to_px(30, 0)[0]):int(mm_to_px(60, 0)[0])]
    right_paper = page[rows, int(mm_to_px(150, 0)[0]):int(mm_to_px(180, 0)[0])]
    raw_left = image[..., 0][image[..., 0] > 0]  # the shadow is real in the photo
    assert raw_left.size
    assert abs(float(np.median(left_paper)) - float(np.median(right_paper))) < 15
    assert np.median(left_paper) > 220
    text = page[int(mm_to_px(0, 45)[1]):int(mm_to_px(0, 250)[1]), int(mm_to_px(25, 0)[0]):int(mm_to_px(185, 0)[0])]
    assert (text < 100).mean() > 0.1  # the text lines survived the clean-up


def test_jpeg_is_at_most_300_kb_at_200_dpi_and_decodes():
    result = process(photograph(4, rotation_deg=10, tilt=0.1, shadow=0.3)[0])
    assert 10_000 < len(result.jpeg) <= MAX_JPEG_BYTES
    image = Image.open(io.BytesIO(result.jpeg))
    assert image.size == PAGE_PX and image.format == "JPEG"
    assert tuple(round(v) for v in image.info["dpi"]) == (200, 200)


def test_no_page_or_bad_input_is_a_reason_not_a_crash():
    desk_only = np.full((1200, 1600, 3), 90, np.uint8)
    assert process(desk_only).reason.startswith("no page found")
    assert not process(np.zeros((10, 10), np.uint8)).ok
    assert not process(np.random.default_rng(0).integers(0, 255, (1200, 1600, 3), dtype=np.uint8)).ok


def test_capture_through_videocapture_on_an_image_file(tmp_path):
    image, _ = photograph(2, rotation_deg=-10, tilt=0.1, shadow=0.3)
    cv2.imwrite(str(tmp_path / "desk_000.png"), image)
    camera = DocumentCamera(str(tmp_path / "desk_%03d.png"))
    camera.open()
    try:
        result = camera.capture()
        assert result.ok, result.reason
        assert len(result.jpeg) <= MAX_JPEG_BYTES
        assert camera.status().state is DeviceState.ONLINE
        assert camera.self_test().passed
    finally:
        camera.close()
    assert not camera.capture().ok and camera.status().state is DeviceState.OFFLINE

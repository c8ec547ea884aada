"""The hard corpus: its conditions are generated as specified and reproducibly, and the
cascade reads what plain zxing-cpp reads where the old first pass lost it (night noise)."""
import math
import random

import numpy as np
import zxingcpp

from devices.scanner import corpus, deblur, focus, hard_corpus
from devices.scanner.cascade import CascadeDecoder
from devices.scanner.decoders import ZxingDecoder

CONDITIONS = ["phone_screen", "steep_tilt", "motion_streak", "defocus", "faded_receipt", "jpeg_q12",
              "crumpled", "thumb_over", "night_noise", "tiny"]


def plain_zxing(gray) -> list[bytes]:
    """zxing-cpp as an application calls it out of the box: its default options."""
    return [bytes(b.bytes) for b in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)]


def test_the_hard_conditions_are_the_ten_of_the_issue():
    assert list(hard_corpus.CONDITIONS) == CONDITIONS
    frames = list(hard_corpus.generate(1, seed=5))
    assert [f.condition for f in frames] == CONDITIONS
    assert all(f.image.shape == (corpus.HEIGHT, corpus.WIDTH) and f.image.dtype == np.uint8 for f in frames)
    assert all(len(f.payloads) == 1 for f in frames)


def test_frames_depend_on_the_seed_and_condition_only():
    alone = next(hard_corpus.generate(1, seed=9, conditions=["night_noise"]))
    among = [f for f in hard_corpus.generate(1, seed=9) if f.condition == "night_noise"][0]
    assert np.array_equal(alone.image, among.image) and alone.payloads == among.payloads
    other = next(hard_corpus.generate(1, seed=10, conditions=["night_noise"]))
    assert not np.array_equal(alone.image, other.image)


def test_night_frames_are_a_fifth_of_the_light_with_sensor_noise_of_sigma_14():
    night = next(hard_corpus.generate(1, seed=4, conditions=["night_noise"]))
    assert 12 <= focus.noise_sigma(night.image) <= 16
    assert focus.noisy(night.image)
    assert not focus.noisy(next(corpus.generate(1, seed=4, conditions=["clean"])).image)
    assert np.median(night.image) < 0.3 * 140  # the standard corpus's scenes sit around 70-170


def test_a_streak_of_15_px_is_measured_as_such():
    for frame in hard_corpus.generate(4, seed=3, conditions=["motion_streak"]):
        assert deblur.long_streak(frame.image)
        assert 14 <= deblur.long_streak_fit(frame.image)[1] <= 16


def test_a_steep_tilt_foreshortens_the_code_by_about_cos_55():
    for seed in range(4):
        quad = hard_corpus.perspective_quad(random.Random(seed), 320, 240, 200, 55)
        x, y = quad[:, 0], quad[:, 1]
        area = 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
        assert math.cos(math.radians(60)) <= area / 200 ** 2 <= math.cos(math.radians(50))


def test_a_thumb_covers_the_share_asked_for_and_no_finder_pattern():
    module = 4
    patch = corpus.code_patch("https://zwfw.chengmai.gov.cn/v/THUMB-TEST-0001".encode(), module)
    covered = hard_corpus.thumb(patch, random.Random(2), module, 0.08)
    quiet = 4 * module
    symbol = (slice(quiet, -quiet), slice(quiet, -quiet))
    changed = np.abs(covered - patch)[symbol] > 30
    assert 0.05 <= changed.mean() <= 0.10
    finder = 8 * module
    for rows, cols in ((slice(0, finder), slice(0, finder)), (slice(0, finder), slice(-finder, None)),
                       (slice(-finder, None), slice(0, finder))):
        assert not changed[rows, cols].any()


def test_faded_receipts_have_about_45_grey_levels_of_contrast():
    frame = next(hard_corpus.generate(1, seed=6, conditions=["faded_receipt"]))
    codes = CascadeDecoder(ZxingDecoder(), budget_ms=500).decode(frame.image)
    assert [c.data for c in codes] == list(frame.payloads)
    xs, ys = zip(*codes[0].corners)
    inside = frame.image[min(ys) + 4:max(ys) - 4, min(xs) + 4:max(xs) - 4]
    spread = np.percentile(inside, 90) - np.percentile(inside, 10)
    assert 30 <= spread <= 60


def test_tiny_codes_have_modules_of_1_6_px():
    cascade = CascadeDecoder(ZxingDecoder(), budget_ms=500)
    measured = []
    for frame in hard_corpus.generate(4, seed=3, conditions=["tiny"]):
        codes = cascade.decode(frame.image)
        if [c.data for c in codes] == list(frame.payloads):
            corners = np.array(codes[0].corners, float)
            side = np.mean([np.linalg.norm(corners[i] - corners[(i + 1) % 4]) for i in range(4)])
            measured.append(side / (corpus.qr_modules(frame.payloads[0]).shape[0] - 8))
    assert len(measured) >= 2
    assert all(abs(m - hard_corpus.TINY_MODULE_PX) < 0.2 for m in measured), measured


def test_jpeg_frames_are_compressed_at_quality_12():
    frame = next(hard_corpus.generate(1, seed=2, conditions=["jpeg_q12"]))
    again = hard_corpus.jpeg(frame.image, 12)
    assert np.mean(np.abs(again.astype(int) - frame.image)) < 1.5  # already at that quality: little changes
    assert np.mean(np.abs(hard_corpus.jpeg(frame.image, 5).astype(int) - frame.image)) > 1.5


def test_the_cascade_reads_every_night_frame_plain_zxing_reads():
    """The first pass once turned zxing-cpp's own downscaling off and read none of these."""
    frames = list(hard_corpus.generate(8, seed=3, conditions=["night_noise"]))
    cascade = CascadeDecoder(ZxingDecoder(), budget_ms=500)
    plain = [plain_zxing(f.image) == list(f.payloads) for f in frames]
    ours = [[c.data for c in cascade.decode(f.image)] == list(f.payloads) for f in frames]
    assert sum(plain) >= 1  # the sample holds frames plain zxing-cpp reads
    assert all(o for o, p in zip(ours, plain) if p)
    assert sum(ours) > sum(plain)


def test_crumpled_slips_move_by_tens_of_pixels_smoothly():
    grid = np.zeros((corpus.HEIGHT, corpus.WIDTH), np.float32)
    grid[::40, :] = 255
    moved = hard_corpus.crumple(grid, np.random.default_rng(1), 12.0)
    rows = np.argmax(moved[:, 100:540:20] > 128, axis=0)  # where the first line went in each column
    assert 0 < np.ptp(rows) <= 60  # bent, by tens of pixels at most


def test_still_night_scenes_differ_only_by_their_noise_which_combining_halves():
    from devices.scanner.frame_stack import FrameStack

    (payloads, shots), = hard_corpus.night_still(1, frames=4, seed=8, light=0.1)
    assert len(shots) == 4 and len(payloads) == 1
    assert not np.array_equal(shots[0], shots[1])
    single = np.mean([focus.noise_sigma(s) for s in shots])
    stack = FrameStack(depth=4)
    for shot in shots:
        stack.add(shot)
    combined = stack.combined()
    assert combined is not None
    assert 0.4 <= focus.noise_sigma(combined) / single <= 0.6
    again = next(hard_corpus.night_still(1, frames=4, seed=8, light=0.1))
    assert all(np.array_equal(a, b) for a, b in zip(shots, again[1]))

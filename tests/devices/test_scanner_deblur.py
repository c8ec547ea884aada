"""The streak filter: the blur direction is found from the frame, and undoing a streak
along it reads codes that a plain pass and an unsharp mask both miss; the defocus filter
likewise for a Gaussian blur. A long streak is measured (direction and length) before it
is undone."""
import random

import cv2
import numpy as np

from devices.scanner import corpus, deblur, focus, hard_corpus
from devices.scanner.cascade import unsharp
from devices.scanner.decoders import ZxingDecoder


def streaked_codes(count: int = 12, streak_px: int = 7):
    """Low-contrast codes with 4-px modules, each smeared by a streak at a random angle;
    yields (frame, payload, the streak's direction in image coordinates)."""
    for k in range(count):
        rng, np_rng = random.Random(k), np.random.default_rng(k)
        data = corpus.payload(rng, k)
        image = np.pad(corpus.code_patch(data, 4, paper=200, ink=60), 60, constant_values=160)
        state = rng.getstate()
        angle = rng.uniform(0, 180)  # the angle corpus.motion_blur is about to draw
        rng.setstate(state)
        blurred = corpus.motion_blur(image.astype(np.float32), rng, streak_px) + np_rng.normal(0, 2, image.shape)
        yield np.clip(blurred, 0, 255).astype(np.uint8), data, (180 - angle) % 180


def test_streak_direction_is_found_and_sharp_frames_are_not_called_streaked():
    for frame, _, direction in streaked_codes():
        found, isotropy = deblur.streak_direction(frame)
        off = abs(found - direction) % 180
        assert min(off, 180 - off) < 20
        assert deblur.streaked(frame), isotropy
    sharp = np.pad(corpus.code_patch(b"CMAPT1:ABCDEFGHJKLM", 4), 60, constant_values=160)
    assert not deblur.streaked(sharp)


def test_undoing_the_streak_reads_codes_plain_and_unsharp_passes_miss():
    decoder = ZxingDecoder()
    plain = sharpened = unstreaked = 0
    for frame, data, _ in streaked_codes():
        plain += [c.data for c in decoder.decode(frame)] == [data]
        sharpened += [c.data for c in decoder.decode(unsharp(frame))] == [data]
        unstreaked += [c.data for c in decoder.decode(deblur.unstreak(frame, 7))] == [data]
    assert unstreaked >= 11
    assert unstreaked >= max(plain, sharpened) + 3


def test_the_streak_filter_keeps_size_type_and_flat_areas():
    flat = np.full((48, 64), 123, np.uint8)
    out = deblur.unstreak(flat, 6, degrees=30.0)
    assert out.shape == flat.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - 123).max() <= 5


def test_refocus_reads_a_defocused_code_a_plain_pass_cannot():
    data = "收件凭证|澄迈县政务服务中心|办件编号 469023-00000042".encode()
    sharp = np.pad(corpus.code_patch(data, 4), 40, constant_values=235).astype(np.float32)
    noise = np.random.default_rng(1).normal(0, 2, sharp.shape)
    for sigma in (2.0, 2.4):
        blurred = np.clip(cv2.GaussianBlur(sharp, (0, 0), sigma) + noise, 0, 255).astype(np.uint8)
        assert ZxingDecoder().decode(blurred) == []
        assert [c.data for c in ZxingDecoder().decode(focus.refocus(blurred))] == [data]


def long_streaks(count: int, seed: int):
    """Hard-corpus motion frames (15 px streaks) with the streak's direction in image
    coordinates, read off the generator's random stream as corpus.motion_blur draws it."""
    drawn = []
    blur = corpus.motion_blur

    def recording(img, rng, length):
        state = rng.getstate()
        drawn.append((180 - rng.uniform(0, 180)) % 180)
        rng.setstate(state)
        return blur(img, rng, length)

    corpus.motion_blur = recording
    try:
        frames = list(hard_corpus.generate(count, seed=seed, conditions=["motion_streak"]))
    finally:
        corpus.motion_blur = blur
    return list(zip(frames, drawn))


def _off(a: float, b: float) -> float:
    return min(abs(a - b) % 180, 180 - abs(a - b) % 180)


def test_a_long_streak_is_aimed_closer_than_the_structure_tensor_aims_it():
    tensor = fitted = 0
    for frame, direction in long_streaks(24, seed=43):
        tensor += _off(deblur.streak_direction(frame.image)[0], direction) <= 2
        fitted += _off(deblur.long_streak_fit(frame.image)[0], direction) <= 2
    assert fitted >= tensor + 5, (tensor, fitted)


def test_the_measured_long_streak_is_undone_where_a_plain_pass_fails():
    decoder = ZxingDecoder()
    plain = measured = longer = 0
    for frame, _ in long_streaks(16, seed=43):
        want = list(frame.payloads)
        plain += [c.data for c in decoder.decode(frame.image)] == want
        measured += [c.data for c in decoder.decode(deblur.unstreak_measured(frame.image))] == want
        longer += [c.data for c in decoder.decode(deblur.unstreak_measured_longer(frame.image))] == want
    assert measured >= plain + 10 and longer >= plain + 8, (plain, measured, longer)


def test_refocus_reads_hard_defocused_frames_a_plain_pass_misses():
    decoder = ZxingDecoder()
    plain = mild = refocused = 0
    for frame in hard_corpus.generate(24, seed=47, conditions=["defocus"]):
        want = list(frame.payloads)
        plain += [c.data for c in decoder.decode(frame.image)] == want
        mild += [c.data for c in decoder.decode(focus.refocus(frame.image, 2.0, 0.01))] == want
        refocused += [c.data for c in decoder.decode(focus.refocus(frame.image))] == want
    assert refocused >= plain + 10 and refocused >= mild, (plain, mild, refocused)


def test_defocused_frames_measure_soft_and_sharp_ones_do_not():
    defocused = list(hard_corpus.generate(16, seed=48, conditions=["defocus"]))
    sharp = list(hard_corpus.generate(8, seed=48, conditions=["tiny", "night_noise", "faded_receipt"]))
    sharp += list(corpus.generate(8, seed=48, conditions=["clean", "small_far", "low_light"]))
    assert sum(focus.soft(f.image) for f in defocused) >= 15
    assert not any(focus.soft(f.image) for f in sharp)

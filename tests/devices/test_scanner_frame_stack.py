"""Combining consecutive camera frames when single ones fail: noisy frames of a code held
still read as their mean; a frame that moved is left out of it."""
import numpy as np

from devices.frame_grabber import ReplayGrabber
from devices.scanner import corpus
from devices.scanner.camera import CameraScannerBackend
from devices.scanner.cascade import CascadeDecoder
from devices.scanner.decoders import ZxingDecoder
from devices.scanner.frame_stack import DEPTH, FrameStack


def dim_noisy_frames(count: int, noise: float = 25.0):
    """One still scene in a dim hall: a fifth of the light and heavy sensor noise, new in each frame."""
    frame = next(corpus.generate(1, seed=5, conditions=["clean"]))
    rng = np.random.default_rng(0)
    scenes = [np.clip(frame.image * 0.2 + rng.normal(0, noise, frame.image.shape) + 4, 0, 255).astype(np.uint8)
              for _ in range(count)]
    return frame.payloads, scenes


def test_noisy_frames_no_single_one_reads_are_read_combined():
    payloads, frames = dim_noisy_frames(DEPTH)
    decoder = CascadeDecoder(ZxingDecoder(), budget_ms=500)
    assert all(decoder.decode(f) == [] for f in frames)  # no single frame reads
    backend = CameraScannerBackend(ReplayGrabber(frames), decoder)
    backend.open()
    got = [backend.poll(0.0) for _ in frames]
    assert got[:-1] == [[]] * (DEPTH - 1)  # one combined look once the stack is full
    assert [c.data for c in got[-1]] == list(payloads)
    assert backend.combined_reads == 1


def test_a_frame_that_moved_is_left_out_of_the_mean():
    _, frames = dim_noisy_frames(3)
    stack = FrameStack(depth=3)
    for f in frames[:2]:
        stack.add(f)
    stack.add(np.roll(frames[2], 120, axis=1))  # the slip was moved
    combined = stack.combined()
    assert combined is not None
    expected = (frames[0].astype(np.float32) + frames[1]) / 2
    assert np.abs(combined.astype(np.float32) - expected).max() <= 1


def test_frames_that_all_differ_are_not_combined():
    _, frames = dim_noisy_frames(3)
    stack = FrameStack(depth=3)
    for shift, f in zip((0, 150, 300), frames):
        stack.add(np.roll(f, shift, axis=1))
    assert stack.full and stack.combined() is None
    stack.clear()
    stack.add(frames[0])
    assert not stack.full and stack.combined() is None

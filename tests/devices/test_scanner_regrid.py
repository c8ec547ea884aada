"""Crumpled slips: the grid bent along the paper reads codes that a straight grid (a plain
zxing-cpp pass) cannot, and the function patterns redrawn are the standard's."""
import random

import numpy as np

from devices.scanner import corpus, hard_corpus, regrid
from devices.scanner.decoders import ZxingDecoder


def test_alignment_pattern_centres_are_the_standards():
    assert regrid.alignment_centres(21) == []
    assert regrid.alignment_centres(25) == [6, 18]
    assert regrid.alignment_centres(45) == [6, 22, 38]  # version 7
    assert regrid.alignment_centres(73) == [6, 26, 46, 66]  # version 14
    assert regrid.alignment_centres(145) == [6, 34, 60, 86, 112, 138]  # version 32


def test_redrawing_the_function_patterns_leaves_a_true_symbol_unchanged():
    for index in range(8):  # every payload kind, versions 1 to 13
        data = corpus.payload(random.Random(index), index)
        symbol = corpus.qr_modules(data)[4:-4, 4:-4] < 128
        assert np.array_equal(regrid.with_function_patterns(symbol), symbol)


def test_the_bent_grid_reads_crumpled_slips_a_plain_pass_cannot():
    decoder = ZxingDecoder()
    plain = bent = 0
    for frame in hard_corpus.generate(16, seed=31, conditions=["crumpled"]):
        payloads = list(frame.payloads)
        read_plain = [c.data for c in decoder.decode(frame.image)] == payloads
        plain += read_plain
        bent += read_plain or (regrid.bent(frame.image)
                               and [c.data for c in decoder.decode(regrid.regrid(frame.image))] == payloads)
    assert bent >= plain + 6, (plain, bent)


def test_a_frame_without_a_located_symbol_is_left_alone():
    blank = np.full((120, 160), 200, np.uint8)
    assert not regrid.bent(blank)
    assert regrid.regrid(blank) is blank

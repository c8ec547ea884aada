"""Decoders over generated frames: payloads come back byte for byte (Chinese, binary),
the cascade reads hard frames a single pass misses, and a small corpus keeps its rates."""
import numpy as np
import pytest

from devices.scanner import corpus
from devices.scanner.cascade import FIXED, GLOBAL, PAD_PX, CascadeDecoder, Pass, identity, pad
from devices.scanner.codes import ScannedCode
from devices.scanner.decoders import PyzbarDecoder, ZxingDecoder, make_decoder, undo_zbar_guess

CHINESE = "收件凭证|澄迈县政务服务中心|办件编号 469023-00000042".encode()
BINARY = bytes(range(256))


def framed(data: bytes, module_px: int = 4) -> np.ndarray:
    return np.pad(corpus.code_patch(data, module_px).astype(np.uint8), 30, constant_values=235)


@pytest.mark.parametrize("decoder", [ZxingDecoder(), PyzbarDecoder()], ids=lambda d: d.name)
def test_chinese_payload_comes_back_byte_for_byte(decoder):
    codes = decoder.decode(framed(CHINESE))
    assert [c.data for c in codes] == [CHINESE]
    assert codes[0].text == CHINESE.decode()


def test_zxing_keeps_binary_payloads_intact():
    codes = ZxingDecoder().decode(framed(BINARY, 3))
    assert [c.data for c in codes] == [BINARY]
    assert codes[0].text is None  # binary is not passed off as text


def test_zbar_shift_jis_guess_is_undone_and_other_text_left_alone():
    # zbar reads the UTF-8 bytes of 办件 as Shift-JIS and hands them on re-encoded as UTF-8
    mangled = "办件".encode().decode("shift_jis").encode()
    assert mangled != "办件".encode()
    assert undo_zbar_guess(mangled) == "办件".encode()
    assert undo_zbar_guess(b"CMAPT1:ABC") == b"CMAPT1:ABC"
    assert undo_zbar_guess(CHINESE) == CHINESE


def test_gb18030_payload_from_a_handheld_scanner_reads_as_text():
    assert ScannedCode("澄迈县".encode("gb18030")).text == "澄迈县"


def test_unknown_decoder_or_format_is_refused():
    with pytest.raises(ValueError):
        make_decoder("wechat")
    with pytest.raises(ValueError):
        ZxingDecoder(formats=["NoSuchFormat"])


def test_qrcode_means_full_size_codes_micro_qr_only_when_named():
    """Micro QR's smallest symbol has no error correction to speak of and turns up in
    noise; a kiosk reads none, so "QRCode" does not include it."""
    import zxingcpp

    symbol = zxingcpp.create_barcode("12345", zxingcpp.BarcodeFormat.MicroQRCode)
    micro = np.asarray(zxingcpp.write_barcode_to_image(symbol, scale=6))
    micro = np.pad(micro, 30, constant_values=255)
    assert ZxingDecoder().decode(micro) == []
    assert [c.data for c in ZxingDecoder(formats=["MicroQRCode"]).decode(micro)] == [b"12345"]
    assert [c.data for c in ZxingDecoder().decode(framed(CHINESE))] == [CHINESE]


def test_binarizer_variants_are_built_once_and_read_the_same_payloads():
    decoder = ZxingDecoder()
    assert decoder.variant() is decoder and decoder.variant("LocalAverage") is decoder
    glob = decoder.variant(GLOBAL)
    assert glob is decoder.variant(GLOBAL) and glob is not decoder.variant(GLOBAL, both_polarities=True)
    for variant in (glob, decoder.variant(FIXED)):
        assert [c.data for c in variant.decode(framed(CHINESE))] == [CHINESE]
    dark = 255 - framed(CHINESE)
    assert decoder.decode(dark) == []
    assert [c.data for c in decoder.variant(both_polarities=True).decode(dark)] == [CHINESE]


def test_codes_found_on_a_padded_frame_are_placed_on_the_camera_frame():
    frame = framed(CHINESE)
    plain = CascadeDecoder(ZxingDecoder(), steps=(Pass(identity),), second_look=None).decode(frame)
    padded = CascadeDecoder(ZxingDecoder(), steps=(Pass(pad, border=PAD_PX),), second_look=None).decode(frame)
    assert [c.data for c in padded] == [CHINESE]
    for (x0, y0), (x1, y1) in zip(plain[0].corners, padded[0].corners):
        assert abs(x0 - x1) <= 2 and abs(y0 - y1) <= 2


def test_gated_passes_and_binarizer_passes_on_pyzbar_are_skipped_not_counted():
    frame = framed(CHINESE)
    gated = CascadeDecoder(ZxingDecoder(), steps=(Pass(identity, when=lambda g: False),)).decode_detailed(frame)
    assert gated.codes == [] and gated.passes == 0
    zbar = CascadeDecoder(PyzbarDecoder(), steps=(Pass(identity, GLOBAL), Pass(identity))).decode_detailed(frame)
    assert [c.data for c in zbar.codes] == [CHINESE] and zbar.passes == 1 and zbar.step == "identity"


def test_frames_without_codes_and_odd_input_return_nothing():
    cascade = CascadeDecoder(ZxingDecoder(), budget_ms=50)
    assert cascade.decode(np.zeros((480, 640), np.uint8)) == []
    assert cascade.decode(np.full((1, 1), 255, np.uint8)) == []
    assert cascade.decode(np.random.default_rng(1).integers(0, 255, (480, 640, 3), dtype=np.uint8)) == []


def test_two_codes_in_one_frame_are_both_reported_with_their_positions():
    frame = next(corpus.generate(1, conditions=["two_codes"]))
    codes = CascadeDecoder(ZxingDecoder(), budget_ms=200).decode(frame.image)
    assert sorted(c.data for c in codes) == sorted(frame.payloads)
    left, right = sorted(codes, key=lambda c: min(x for x, _ in c.corners))
    assert max(x for x, _ in left.corners) < corpus.WIDTH / 2 < min(x for x, _ in right.corners)


def exact(decoder, frames) -> float:
    hits = [sorted(c.data for c in decoder.decode(f.image)) == sorted(f.payloads) for f in frames]
    return sum(hits) / len(hits)


def test_cascade_reads_dark_mode_codes_a_single_pass_cannot():
    frames = list(corpus.generate(8, conditions=["dark_mode"]))
    assert exact(ZxingDecoder(), frames) == 0  # a plain pass looks for dark modules only
    assert exact(CascadeDecoder(ZxingDecoder(), budget_ms=200), frames) >= 7 / 8


def test_small_corpus_decode_rates():
    """Rates, not times: a generous budget so a loaded CI machine measures decoding only."""
    cascade = CascadeDecoder(ZxingDecoder(), budget_ms=500)
    per_condition = {name: list(corpus.generate(6, seed=7, conditions=[name]))
                     for name in ("clean", "phone_angle", "glare", "low_light", "small_far", "curl_glare")}
    for name, frames in per_condition.items():
        assert exact(cascade, frames) >= 5 / 6, name
    blurred = list(corpus.generate(10, seed=7, conditions=["motion_blur"]))
    assert exact(cascade, blurred) >= 0.9
    assert exact(cascade, blurred) >= exact(ZxingDecoder(), blurred)


def test_no_pass_reads_a_payload_that_is_not_in_the_frame():
    cascade = CascadeDecoder(ZxingDecoder(), budget_ms=500)
    for frame in corpus.generate(4, seed=11):
        assert {c.data for c in cascade.decode(frame.image)} <= set(frame.payloads), frame.condition


def test_the_corpus_is_reproducible_and_640x480():
    a = next(corpus.generate(1, seed=3, conditions=["curled_paper"]))
    b = next(corpus.generate(1, seed=3, conditions=["curled_paper"]))
    assert a.image.shape == (480, 640) and a.image.dtype == np.uint8
    assert np.array_equal(a.image, b.image) and a.payloads == b.payloads


def test_corpus_marks_codes_held_partly_out_of_view():
    side, module = 200, 4
    centred = corpus.tilted_quad(__import__("random").Random(1), 320, 240, side, 0.0)
    assert not corpus.symbol_outside(centred, side, 0, side, module)
    assert corpus.symbol_outside(centred + np.float32([300, 0]), side, 0, side, module)
    # only the quiet zone past the edge: still a whole symbol in view
    edge = np.float32([[-4 * module + 1, 100], [side - 4 * module + 1, 100], [side - 4 * module + 1, 100 + side],
                       [-4 * module + 1, 100 + side]])
    assert not corpus.symbol_outside(edge, side, 0, side, module)
    frames = list(corpus.generate(3, conditions=["clean", "two_codes"]))
    assert all(isinstance(f.clipped, bool) for f in frames)


def test_a_pass_whose_cost_would_overrun_the_budget_is_skipped_for_a_cheaper_one():
    blank = np.full((480, 640), 235, np.uint8)
    dear, cheap = Pass(pad, border=PAD_PX), Pass(identity, GLOBAL)

    def cascade():
        return CascadeDecoder(ZxingDecoder(), budget_ms=50, steps=(Pass(identity, FIXED), dear, cheap),
                              second_look=None)

    assert cascade().decode_detailed(blank).passes == 3  # within the budget, all three run
    learned = cascade()
    learned._learn_cost(dear, 1000.0)  # as if it had taken a second on this machine
    assert learned.decode_detailed(blank).passes == 2  # the dear one is skipped, the cheap one after it runs
    assert learned.decode_detailed(blank).passes == 2
    # a stall is forgotten: skipped often enough, the pass is tried (and measured) again
    assert 3 in [learned.decode_detailed(blank).passes for _ in range(30)]
    assert learned._cost[dear] < 50


def test_the_thorough_pass_is_zxing_cpps_own_search_and_skipped_on_pyzbar():
    dark = 255 - framed(CHINESE)
    thorough = Pass(identity, thorough=True)
    found = CascadeDecoder(ZxingDecoder(), steps=(thorough,), second_look=None).decode_detailed(dark)
    assert [c.data for c in found.codes] == [CHINESE] and found.step == "identity/thorough"
    zbar = CascadeDecoder(PyzbarDecoder(), steps=(thorough,), second_look=None).decode_detailed(dark)
    assert zbar.passes == 0 and zbar.codes == []

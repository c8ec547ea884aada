"""kiosk-diag qr / tts / doccam through the real entry point and real files."""
import json

import cv2
import numpy as np

from devices.scanner import corpus
from kiosk.diag.__main__ import main


def test_qr_decode_prints_json_lines_and_exit_codes(tmp_path, capsys):
    frame = next(corpus.generate(1, conditions=["dark_mode"]))
    good, empty, broken = tmp_path / "code.png", tmp_path / "empty.png", tmp_path / "broken.png"
    cv2.imwrite(str(good), frame.image)
    cv2.imwrite(str(empty), np.full((480, 640), 128, np.uint8))
    broken.write_bytes(b"not an image")
    assert main(["qr", "decode", str(good)]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["file"] == str(good) and line["milliseconds"] >= 0
    assert [c["text"].encode() for c in line["codes"]] == list(frame.payloads)
    assert main(["qr", "decode", str(good), str(empty)]) == 1
    assert main(["qr", "decode", str(broken), str(good)]) == 2
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["file"] for x in lines[-2:]] == [str(broken), str(good)] and "error" in lines[-2]


def test_qr_live_on_an_image_sequence(tmp_path, capsys):
    frame = next(corpus.generate(1, conditions=["clean"]))
    for i in range(3):
        cv2.imwrite(str(tmp_path / f"f_{i:03d}.png"), frame.image)
    assert main(["qr", "live", "--camera", str(tmp_path / "f_%03d.png"), "--seconds", "20"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["text"].encode() for x in lines] == list(frame.payloads)  # three frames, one read


def test_tts_say_to_file_and_without_a_sound_card(tmp_path, capsys):
    out = tmp_path / "say.wav"
    assert main(["tts", "say", "欢迎使用自助服务终端", "--out", str(out)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["seconds"] > 1 and not info["silent"] and out.exists()


def test_doccam_capture_from_an_image(tmp_path, capsys):
    from devices.doccam.synthetic import photograph

    cv2.imwrite(str(tmp_path / "d_000.png"), photograph(5, rotation_deg=12, shadow=0.3)[0])
    out = tmp_path / "page.jpg"
    assert main(["doccam", "capture", "--camera", str(tmp_path / "d_%03d.png"), "--out", str(out)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["bytes"] == out.stat().st_size <= 300 * 1024 and len(info["corners"]) == 4
    cv2.imwrite(str(tmp_path / "e_000.png"), np.full((1200, 1600, 3), 90, np.uint8))
    assert main(["doccam", "capture", "--camera", str(tmp_path / "e_%03d.png"), "--out", str(out)]) == 3

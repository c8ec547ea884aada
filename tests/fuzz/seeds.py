"""Writes the seed corpus (tests/fuzz/corpus/<target>/): real frames, the ICAO worked
example, signed tokens and slips, each behind the harness's mode byte. The files are in
git; run this again only when a harness's input format changes:
`python -m tests.fuzz.seeds`. Regression inputs (corpus/<target>/regress-*) are kept."""
from __future__ import annotations

import datetime as dt
import hashlib
import json

from devices.idcard import ga467_frame as frames
from devices.idcard.emulators.epassport import PassportHolder, build_files
from devices.idcard.ga467_card import encode_text
from domain import tokens
from domain.identity import DocumentKind, Identity
from tests.fuzz.support import CORPUS, FIELD_SEPARATOR

H = bytes.fromhex
RESIDENT = Identity(
    kind=DocumentKind.RESIDENT_ID, name="王建国", document_number="469023195801041234", sex="M",
    nation="黎", birth_date=dt.date(1958, 1, 4), address="海南省澄迈县金江镇文化北路18号",
    issuing_authority="澄迈县公安局", valid_from=dt.date(2016, 5, 20), valid_until=None)
FOREIGNER = Identity(
    kind=DocumentKind.FOREIGN_PERMANENT_RESIDENT, name="SMITH JOHN ALEXANDER",
    document_number="USA460090010105", sex="M", nationality="USA", chinese_name="史密斯",
    birth_date=dt.date(1980, 1, 5), issuing_authority="1500", valid_from=dt.date(2017, 6, 1),
    valid_until=dt.date(2027, 6, 1))
PHOTO = bytes(range(256)) * 4  # a WLT photo is 1024 bytes


def read_answer(identity: Identity) -> bytes:
    text = encode_text(identity)
    return len(text).to_bytes(2, "big") + len(PHOTO).to_bytes(2, "big") + text + PHOTO


def ga467() -> dict[str, bytes]:
    chunk7 = 0x18  # mode 0, chunks of 7 bytes
    found = frames.encode_response(frames.SW3_CARD_FOUND)
    return {
        "reader-status-command": b"\x00" + H("AAAAAA9669000311FFED"),
        "find-card-found": bytes([chunk7]) + found,
        "cycle-resident": bytes([chunk7]) + b"\x00noise" + found + frames.encode_response(frames.SW3_OK)
        + frames.encode_response(frames.SW3_OK, read_answer(RESIDENT)),
        "torn-then-whole": b"\xfc" + frames.encode_response(frames.SW3_OK, read_answer(RESIDENT))[:300]
        + frames.encode_response(frames.SW3_NO_CARD),
        "answer-foreigner": b"\x01" + read_answer(FOREIGNER),
        "text-resident": b"\x02" + encode_text(RESIDENT),
        "text-foreigner": b"\x02" + encode_text(FOREIGNER),
    }


def passport() -> dict[str, bytes]:
    files = build_files(PassportHolder(), b"\xff\xd8\xff\xe0 a face")
    com, dg1, dg2 = files[b"\x01\x1E"], files[b"\x01\x01"], files[b"\x01\x02"]
    return {
        "sm-select-answer": b"\x00" + H("990290008E08FA855A5D4C50A8ED9000"),
        "sm-read-answer": b"\x00" + H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"),
        "sealed-read": b"\x01\x00" + H("9000") + H("60145F01"),
        "sealed-no-do99": b"\x01\x02" + H("6282") + dg1[:16],
        "sealed-raw-do87": b"\x01\x01" + H("9000") + bytes(16),
        "dg1": b"\x02" + dg1,
        "ef-com": b"\x02" + com,
        "dg2": b"\x02" + dg2,
        "mrz-lines": b"\x03" + PassportHolder().mrz().encode("ascii"),
        "mrz-information": b"\x03L898902C<369080619406236",
        "read-dg1": b"\x04\x00" + dg1,
        "read-com-with-face": b"\x04\x03" + com,
    }


SEED_KEY = hashlib.sha256(b"chengmai kiosk fuzzing key").digest()  # as in fuzz_qrtoken.py
ISSUED = 1_790_000_000


def qrtoken() -> dict[str, bytes]:
    from backoffice.security.qr import QrSigner

    sign = QrSigner(SEED_KEY)._key.sign
    case = tokens.encode("case", "CM2026112700012", ISSUED, sign)
    appointment = tokens.encode("appointment", "A20261127-0931", ISSUED, sign,
                                expires_at=ISSUED + 86400, window="3")
    licence = tokens.encode("licence", "12469023MB1234567X-20261127-0001", ISSUED, sign)
    payload = {"k": "appointment", "s": "A20261127-0931", "iat": ISSUED, "exp": ISSUED + 86400}
    return {
        "case": b"\x00" + case.encode(),
        "appointment-asked": b"\x04" + appointment.encode(),
        "appointment-expired": b"\x10" + appointment.encode(),
        "licence-asked-as-case": b"\x08" + licence.encode(),
        "payload-appointment": b"\x01" + json.dumps(payload, separators=(",", ":")).encode(),
        "payload-claims": b"\x01" + json.dumps({"k": "case", "s": "CM1", "iat": 1, "x": [1, {"y": None}]}).encode(),
        "forged": b"\x00" + (case[:-4] + "AAAA").encode(),
        "signed-text": b"\x02CM1.eyJrIjoiY2FzZSIsInMiOiJDTTEifQ",
    }


def _slip(mode: int, values: list[str]) -> bytes:
    return bytes([mode]) + FIELD_SEPARATOR.join(v.encode("utf-8", "surrogatepass") for v in values)


DEMO = ["CM2026112700012", "CM-KIOSK-0001", "食品经营许可证核发", "469023-SPJY-001", "王*",
        "营业执照", "12469023MB1234567X-20261127-0001", "Business licence", "法定代表人身份证",
        "健康证明", "CM1.eyJrIjoiY2FzZSJ9.c2ln", "12345", "澄迈县政务服务中心", "Food business licence"]
HOSTILE = ["\x1b@\x1bE\x01\x1d!\x11", "\x1d(k\x03\x001Q0", "\x10\x04\x01", "A\x1cB\x1dC\x1eD\x1fE",
           "tab\tcr\rff\x0cnl\nnul\x00del\x7f", "\x85\u2028\u2029", "e\u0301\u0301\u0301",
           "\u202eRTL \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627", "😀👍🏽🇨🇳",
           "\ud800 lone \udfff", "\u9fff\U00020000\U0002a6d6", "\u3000全角：空格", "x" * 300, "长" * 200]


def receipts() -> dict[str, bytes]:
    seeds = {f"demo-slip-{i}": _slip(i, DEMO) for i in range(5)}
    seeds["demo-english-58mm"] = _slip(0x28, DEMO)
    seeds["demo-raster-preview"] = _slip(0x50 | 3, DEMO)
    seeds["demo-code-page"] = _slip(0x18 | 2, DEMO)
    for i in range(5):
        seeds[f"hostile-slip-{i}"] = _slip(i | (i % 4) << 3, HOSTILE)
    seeds["hostile-preview"] = _slip(0x40, HOSTILE)
    seeds["huge-field"] = _slip(0x08, ["丽" * 1500, "W" * 1500])
    return seeds


def main() -> None:
    for target, seeds in (("ga467", ga467()), ("passport", passport()), ("qrtoken", qrtoken()),
                          ("receipts", receipts())):
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("seed-*"):
            old.unlink()
        for name, data in seeds.items():
            (folder / f"seed-{name}").write_bytes(data)


if __name__ == "__main__":
    main()

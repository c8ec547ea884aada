"""Single-pass decoders over one grayscale frame: zxing-cpp (default, restricted to the
formats in use) and pyzbar. Both return payload bytes, never a library's guessed text."""
from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np

from .codes import ScannedCode

DEFAULT_FORMATS = ("QRCode",)
# zxing-cpp's QRCode is a family that includes Micro QR, whose smallest symbol (M1: five
# digits, error detection only) turns up in noise and inside other codes' modules. No
# code a kiosk reads is a Micro QR: "QRCode" here means the full-size symbol; Micro QR
# and rMQR are read only when named ("MicroQRCode", "RMQRCode").
_ZXING_NAMES = {"QRCode": "QRCodeModel2"}


class FrameDecoder(Protocol):
    name: str

    def decode(self, gray: np.ndarray) -> list[ScannedCode]: ...


class ZxingDecoder:
    name = "zxing-cpp"

    def __init__(self, formats: Sequence[str] = DEFAULT_FORMATS, *, try_harder: bool = False,
                 binarizer: str = "LocalAverage"):
        import zxingcpp

        self._zx = zxingcpp
        self._formats = _zxing_formats(zxingcpp, formats)
        self._format_names, self._try_harder, self.binarizer = tuple(formats), try_harder, binarizer
        # try_harder=False: one orientation, one scale, no inversion. The cascade adds
        # exactly the extra passes a hard frame needs, inside its time budget.
        self._options = dict(try_rotate=try_harder, try_downscale=try_harder, try_invert=try_harder,
                             binarizer=getattr(zxingcpp.Binarizer, binarizer))
        self._variants: dict[tuple[str, bool, bool], ZxingDecoder] = {}

    def variant(self, binarizer: str | None = None, both_polarities: bool = False,
                thorough: bool = False) -> "ZxingDecoder":
        """The same decoder thresholding another way (LocalAverage, GlobalHistogram,
        FixedThreshold: each reads codes the others miss under uneven light or blur), also
        reading light-on-dark codes (cheaper than transforming the frame twice), or
        `thorough`: with zxing-cpp's own rotations, downscaled copies and inversion."""
        key = (binarizer or self.binarizer, both_polarities, thorough or self._try_harder)
        if key == (self.binarizer, False, self._try_harder):
            return self
        if key not in self._variants:
            decoder = ZxingDecoder(self._format_names, try_harder=key[2], binarizer=key[0])
            decoder._options["try_invert"] = both_polarities or key[2]
            self._variants[key] = decoder
        return self._variants[key]

    def decode(self, gray: np.ndarray) -> list[ScannedCode]:
        return self.decode_counting(gray)[0]

    def decode_counting(self, gray: np.ndarray) -> tuple[list[ScannedCode], int]:
        """The codes read, and how many more symbols were located but not read."""
        found = self._zx.read_barcodes(gray, formats=self._formats, return_errors=True, **self._options)
        codes = [ScannedCode(bytes(b.bytes), _format_name(b.format), "camera", _zxing_corners(b.position))
                 for b in found if b.valid]
        return codes, len(found) - len(codes)


class PyzbarDecoder:
    """zbar converts payloads to UTF-8 from an encoding it guesses (often Shift-JIS for
    Chinese UTF-8 bytes: pyzbar #55, #95); the guess is undone here."""

    name = "pyzbar"

    def __init__(self, formats: Sequence[str] = DEFAULT_FORMATS):
        from pyzbar import pyzbar

        self._zbar = pyzbar
        names = {"QRCode": "QRCODE", "Code128": "CODE128", "EAN13": "EAN13", "Code39": "CODE39",
                 "DataBar": "DATABAR", "PDF417": "PDF417"}
        self._symbols = [getattr(pyzbar.ZBarSymbol, names.get(f, f.upper())) for f in formats
                         if hasattr(pyzbar.ZBarSymbol, names.get(f, f.upper()))] or None

    def decode(self, gray: np.ndarray) -> list[ScannedCode]:
        found = self._zbar.decode(np.ascontiguousarray(gray), symbols=self._symbols)
        return [ScannedCode(undo_zbar_guess(r.data), "QRCode" if r.type == "QRCODE" else r.type, "camera",
                            tuple((int(p.x), int(p.y)) for p in r.polygon))
                for r in found]


def undo_zbar_guess(data: bytes) -> bytes:
    for guessed in ("shift_jis", "big5"):
        try:
            original = data.decode("utf-8").encode(guessed)
            original.decode("utf-8")
        except (UnicodeDecodeError, UnicodeEncodeError):
            continue
        return original
    return data


def make_decoder(name: str, formats: Sequence[str] = DEFAULT_FORMATS) -> FrameDecoder:
    if name == "zxing-cpp":
        return ZxingDecoder(formats)
    if name == "pyzbar":
        return PyzbarDecoder(formats)
    raise ValueError(f"unknown decoder {name!r} (zxing-cpp, pyzbar)")


def _zxing_formats(zxingcpp, formats: Sequence[str]):
    value = zxingcpp.BarcodeFormat.NONE
    flags = None
    for name in formats:
        fmt = getattr(zxingcpp.BarcodeFormat, _ZXING_NAMES.get(name, name), None)
        if fmt is None:
            raise ValueError(f"unknown barcode format {name!r}")
        flags = fmt if flags is None else flags | fmt
    return flags if flags is not None else value


def _format_name(fmt) -> str:
    name = getattr(fmt, "name", str(fmt))
    return "QRCode" if name.startswith("QRCode") else name


def _zxing_corners(position) -> tuple[tuple[int, int], ...]:
    pts = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    return tuple((int(p.x), int(p.y)) for p in pts)

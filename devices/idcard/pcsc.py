"""PC/SC backend (pyscard's low-level `smartcard.scard` API): reader and card monitoring
with SCardGetStatusChange, and ICAO 9303 passports read with BAC.

The high-level pyscard monitors share one global context that does not survive a pcscd
restart (pyscard #27) and break when a reader is unplugged (#128, #74, #82). So this
backend owns its context and, on any service or reader error, drops it and establishes a
new one on a later poll: a reader unplugged and replugged, or pcscd restarted, comes back
without restarting the kiosk.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable

from smartcard import scard as s

from ..health import DeviceState, DeviceStatus, SelfTestResult
from .facade import UID_LENGTHS, CardEvent, CardInserted, CardPresented, CardReadError, CardRemoved
from .icao.lds import LdsError
from .icao.mrz import MrzError, normalise_mrz_information
from .icao.reader import AccessDenied, ChipError, ChipEvidence, read_chip_evidence, read_passport

log = logging.getLogger(__name__)

MSG_CHECK_DETAILS = "The passport could not be opened. Please check the passport details and try again."
MSG_NEED_DETAILS = "Please enter the passport details first."
MSG_CARD_MOVED = "The passport was moved while it was being read. Please place it again and keep it still."
MSG_CHIP_FAILED = "The passport chip could not be read. Please ask staff for help."
GET_UID_APDU = bytes.fromhex("FFCA000000")  # PC/SC part 3: GET DATA, the contactless UID, full length
SW_OK = b"\x90\x00"


def uid_from_response(response: bytes) -> bytes | None:
    """The UID from GET DATA's answer; None when the reader or card has none (e.g. 6A81)."""
    if len(response) < 2 or response[-2:] != SW_OK:
        return None
    uid = bytes(response[:-2])
    return uid if len(uid) in UID_LENGTHS else None


def _transmitter(card: int, protocol: int) -> Callable[[bytes], bytes]:
    def transmit(apdu: bytes) -> bytes:
        hr, response = s.SCardTransmit(card, protocol, list(apdu))
        if hr != s.SCARD_S_SUCCESS:
            raise CardGone(_err(hr))
        if len(response) < 2:  # vpcd and some drivers answer nothing for a vanished card
            raise CardGone("no status word")
        return bytes(response)

    return transmit


def _err(hr: int) -> str:
    try:
        return s.SCardGetErrorMessage(hr)
    except Exception:  # the message table is only a nicety
        return f"PC/SC error 0x{hr & 0xFFFFFFFF:08X}"


@dataclass
class PcscSettings:
    reader: str = ""  # a substring of the reader name; empty: the first reader
    mrz: str = ""  # fixed MRZ information (maintenance reads); normally from a provider
    reconnect_interval_s: float = 1.0
    read_face: bool = True

    @classmethod
    def from_section(cls, section: dict[str, Any]) -> "PcscSettings":
        out = cls()
        for key in ("reader", "mrz"):
            if key in section:
                setattr(out, key, str(section[key]))
        if "reconnect_interval_s" in section:
            out.reconnect_interval_s = float(section["reconnect_interval_s"])
        if "read_face" in section:
            out.read_face = bool(section["read_face"])
        return out


class CardGone(Exception):
    pass


class ChipNotRead(Exception):
    """The passport's chip evidence could not be read; `reason` is what to tell the citizen."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class ReadTiming:
    total_s: float = 0.0
    waiting_s: float = 0.0  # inside SCardConnect / SCardTransmit (pcscd, driver, card)
    apdus: int = 0


class PcscPassportBackend:
    name = "pcsc"

    def __init__(self, settings: PcscSettings | None = None,
                 mrz_provider: Callable[[], str | None] | None = None):
        self.settings = settings or PcscSettings()
        self.mrz_provider = mrz_provider or (lambda: self.settings.mrz or None)
        self._ctx: int | None = None
        self._reader: str | None = None
        self._reader_state = s.SCARD_STATE_UNAWARE
        self._present = False
        self._opened = False
        self._next_connect = 0.0
        self._detail = "not opened"
        self.last_timing = ReadTiming()

    # Backend protocol.
    def open(self) -> None:
        self._opened = True
        self._establish()

    def close(self) -> None:
        self._opened = False
        self._release("closed")

    def status(self) -> DeviceStatus:
        if not self._opened:
            return DeviceStatus("idcard", self.name, DeviceState.OFFLINE, detail="not opened")
        if self._ctx is None or self._reader is None:
            return DeviceStatus("idcard", self.name, DeviceState.NO_DEVICE, detail=self._detail)
        return DeviceStatus("idcard", self.name, DeviceState.ONLINE, detail=f"reader {self._reader}")

    def self_test(self) -> SelfTestResult:
        if self._ctx is None or self._reader is None:
            self._establish()
        if self._ctx is not None and self._reader is not None:
            hr, readers = s.SCardListReaders(self._ctx, [])
            if hr != s.SCARD_S_SUCCESS or self._reader not in readers:
                self._release(f"reader list failed: {_err(hr)}")
        status = self.status()
        return SelfTestResult(status.state is DeviceState.ONLINE, status, detail=self._detail)

    def poll(self, timeout: float) -> CardEvent | None:
        if self._ctx is None or self._reader is None:
            if time.monotonic() >= self._next_connect:
                self._establish()
            if self._ctx is None or self._reader is None:
                time.sleep(timeout)
                return self._removed_if_present()
        hr, states = s.SCardGetStatusChange(self._ctx, int(timeout * 1000), [(self._reader, self._reader_state)])
        if hr == s.SCARD_E_TIMEOUT:
            return None
        if hr != s.SCARD_S_SUCCESS:
            self._release(f"status change failed: {_err(hr)}")
            return self._removed_if_present()
        _, event_state, _ = states[0]
        self._reader_state = event_state & ~s.SCARD_STATE_CHANGED
        if event_state & (s.SCARD_STATE_UNKNOWN | s.SCARD_STATE_UNAVAILABLE):
            self._release("reader unavailable")
            return self._removed_if_present()
        if event_state & s.SCARD_STATE_PRESENT and not event_state & s.SCARD_STATE_MUTE:
            if not self._present:
                self._present = True
                return self._read()
            return None
        return self._removed_if_present()

    # Reading.
    def _read(self) -> CardEvent:
        raw_mrz = self.mrz_provider()
        if not raw_mrz:
            return self._presented()
        try:
            mrz = normalise_mrz_information(raw_mrz)
        except MrzError:
            return CardReadError(MSG_CHECK_DETAILS)
        t0 = time.perf_counter()
        timing = ReadTiming()
        hr, card, protocol = s.SCardConnect(self._ctx, self._reader, s.SCARD_SHARE_SHARED,
                                            s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1)
        timing.waiting_s += time.perf_counter() - t0
        if hr != s.SCARD_S_SUCCESS:
            log.info("idcard: connect failed: %s", _err(hr))
            return CardReadError(MSG_CARD_MOVED)

        def transmit(apdu: bytes) -> bytes:
            t = time.perf_counter()
            hr, response = s.SCardTransmit(card, protocol, list(apdu))
            timing.waiting_s += time.perf_counter() - t
            if hr != s.SCARD_S_SUCCESS:
                raise CardGone(_err(hr))
            if len(response) < 2:  # vpcd and some drivers answer nothing for a vanished card
                raise CardGone("no status word")
            return bytes(response)

        try:
            data = read_passport(transmit, mrz, with_face=self.settings.read_face)
        except CardGone as exc:
            log.info("idcard: passport removed during the read (%s)", exc)
            return CardReadError(MSG_CARD_MOVED)
        except AccessDenied:
            return CardReadError(MSG_CHECK_DETAILS)
        except (ChipError, LdsError) as exc:
            log.warning("idcard: passport chip read failed (%s)", exc)  # structure only, no data
            return CardReadError(MSG_CHIP_FAILED)
        finally:
            s.SCardDisconnect(card, s.SCARD_LEAVE_CARD)
        timing.total_s = time.perf_counter() - t0
        timing.apdus = data.apdus
        self.last_timing = timing
        return CardInserted(data.identity)

    def chip_evidence(self, challenge: bytes) -> ChipEvidence:
        """The passport on the reader read again for the back office: its files and its
        signature over the back office's `challenge`. A context of its own, so the monitor
        thread polling the reader is not disturbed. Raises ChipNotRead."""
        raw_mrz = self.mrz_provider()
        if not raw_mrz:
            raise ChipNotRead(MSG_NEED_DETAILS)
        try:
            mrz = normalise_mrz_information(raw_mrz)
        except MrzError:
            raise ChipNotRead(MSG_CHECK_DETAILS) from None
        hr, ctx = s.SCardEstablishContext(s.SCARD_SCOPE_USER)
        if hr != s.SCARD_S_SUCCESS:
            raise ChipNotRead(MSG_CHIP_FAILED)
        try:
            hr, readers = s.SCardListReaders(ctx, [])
            wanted = [r for r in readers or [] if self.settings.reader in r] if hr == s.SCARD_S_SUCCESS else []
            if not wanted:
                raise ChipNotRead(MSG_CHIP_FAILED)
            hr, card, protocol = s.SCardConnect(ctx, wanted[0], s.SCARD_SHARE_SHARED,
                                                s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1)
            if hr != s.SCARD_S_SUCCESS:
                raise ChipNotRead(MSG_CARD_MOVED)
            try:
                return read_chip_evidence(_transmitter(card, protocol), mrz, challenge,
                                          with_face=self.settings.read_face)
            except CardGone:
                raise ChipNotRead(MSG_CARD_MOVED) from None
            except AccessDenied:
                raise ChipNotRead(MSG_CHECK_DETAILS) from None
            except (ChipError, LdsError) as exc:
                log.warning("idcard: passport chip evidence read failed (%s)", exc)  # structure only
                raise ChipNotRead(MSG_CHIP_FAILED) from None
            finally:
                s.SCardDisconnect(card, s.SCARD_LEAVE_CARD)
        finally:
            s.SCardReleaseContext(ctx)

    def _presented(self) -> CardEvent:
        """No passport details typed: the card's UID only, which is all a maintenance card
        is asked for. A passport placed too early still tells the citizen what to do."""
        hr, card, protocol = s.SCardConnect(self._ctx, self._reader, s.SCARD_SHARE_SHARED,
                                            s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1)
        if hr != s.SCARD_S_SUCCESS:
            return CardReadError(MSG_NEED_DETAILS)
        try:
            hr, response = s.SCardTransmit(card, protocol, list(GET_UID_APDU))
        finally:
            s.SCardDisconnect(card, s.SCARD_LEAVE_CARD)
        uid = uid_from_response(bytes(response)) if hr == s.SCARD_S_SUCCESS else None
        return CardPresented(MSG_NEED_DETAILS, uid=uid) if uid else CardReadError(MSG_NEED_DETAILS)

    # Context and reader lifecycle.
    def _removed_if_present(self) -> CardEvent | None:
        if self._present:
            self._present = False
            return CardRemoved()
        return None

    def _establish(self) -> None:
        self._next_connect = time.monotonic() + self.settings.reconnect_interval_s
        if self._ctx is None:
            hr, ctx = s.SCardEstablishContext(s.SCARD_SCOPE_USER)
            if hr != s.SCARD_S_SUCCESS:
                self._detail = f"PC/SC service unavailable: {_err(hr)}"
                return
            self._ctx = ctx
        hr, readers = s.SCardListReaders(self._ctx, [])
        if hr != s.SCARD_S_SUCCESS or not readers:
            detail = "no PC/SC reader" if hr in (s.SCARD_S_SUCCESS, s.SCARD_E_NO_READERS_AVAILABLE) else _err(hr)
            self._release(detail)
            return
        wanted = [r for r in readers if self.settings.reader in r]
        if not wanted:
            self._release(f"no reader matching {self.settings.reader!r}")
            return
        self._reader = wanted[0]
        self._reader_state = s.SCARD_STATE_UNAWARE
        self._detail = f"reader {self._reader}"
        log.info("idcard: PC/SC reader %s", self._reader)

    def _release(self, detail: str) -> None:
        if self._ctx is not None:
            try:
                s.SCardReleaseContext(self._ctx)
            except Exception:  # a context of a dead pcscd may not release cleanly
                pass
        self._ctx = None
        self._reader = None
        self._reader_state = s.SCARD_STATE_UNAWARE
        self._detail = detail
        self._next_connect = time.monotonic() + self.settings.reconnect_interval_s

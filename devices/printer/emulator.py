"""A receipt printer on TCP port 9100 that we own, for tests, benchmarks and the demo.

It keeps every byte it receives, answers DLE EOT n (n = 1..4) like an Epson-compatible
printer, and prints onto simulated paper (see escpos_render) that can run out part-way
through a receipt, run low, have its cover opened, or go silent; it can also drop the
connection after a number of bytes. Only ever listens on 127.0.0.1 unless told otherwise.

    emu = PrinterEmulator().start()      # emu.uri == "tcp://127.0.0.1:<port>"
    ... print through ReceiptPrinter(emu.uri) ...
    receipt = emu.wait_for_receipt()     # receipt.text, receipt.image(emu.width)
"""
from __future__ import annotations

import logging
import socket
import struct
import threading
from pathlib import Path

from devices.fonts import find_cjk_font

from . import status as st
from .escpos_parse import EscPosParser
from .escpos_render import PaperRenderer, Receipt

log = logging.getLogger(__name__)


class EmulatedPrinter:
    """The printer itself, independent of the wire: bytes in, status replies out."""

    def __init__(self, width: int = 576, font_path: Path | None = None, chinese_by_default: bool = False):
        self.width = width
        self._renderer = PaperRenderer(width, font_path or find_cjk_font(), chinese_by_default)
        self._parser = EscPosParser()
        self._lock = threading.Condition()
        self.received = bytearray()
        self.receipts: list[Receipt] = []  # finished ones: cut, or stopped by paper out
        self.status_queries: list[int] = []
        # Faults a test or the demo can set.
        self.paper_left: int | None = None  # dots of paper on the roll; None = endless
        self.paper_out = False
        self.near_end = False
        self.cover_open = False
        self.silent = False  # answers no status request (a hung or unpowered printer)

    # --- faults --------------------------------------------------------------------------
    def run_out_after(self, dots: int) -> None:
        with self._lock:
            self.paper_left, self.paper_out = dots, False

    def load_paper(self) -> None:
        with self._lock:
            self.paper_left, self.paper_out, self.near_end = None, False, False

    # --- the wire ------------------------------------------------------------------------
    def feed(self, data: bytes) -> bytes:
        """Take bytes from the host; return what the printer sends back."""
        replies = bytearray()
        with self._lock:
            self.received += data
            for op in self._parser.feed(data):
                if op.name == "status":
                    self.status_queries.append(op.arg)
                    if not self.silent:
                        replies.append(self.status_byte(op.arg))
                    continue
                if self.paper_out or self.cover_open:
                    continue  # a stopped printer prints nothing; the job is lost
                self._print(op)
            self._lock.notify_all()
        return bytes(replies)

    def _print(self, op) -> None:
        used = self._renderer.apply(op)
        if self.paper_left is not None:
            self.paper_left -= used
            if self.paper_left <= 0:
                self.paper_out = True
                self.receipts.append(self._renderer.take_receipt())  # a torn-off half receipt
                return
        if op.name == "cut":
            self.receipts.append(self._renderer.take_receipt())

    def status_byte(self, n: int) -> int:
        byte = 0x12
        if n == st.PRINTER and (self.paper_out or self.cover_open):
            byte |= st.OFFLINE
        elif n == st.OFFLINE_CAUSE:
            byte |= (st.COVER_OPEN if self.cover_open else 0) | (st.PAPER_END_STOP if self.paper_out else 0)
        elif n == st.ROLL_PAPER:
            byte |= (st.PAPER_END if self.paper_out else 0) | (st.NEAR_END if self.near_end else 0)
        return byte

    # --- reading back --------------------------------------------------------------------
    def wait_for_receipts(self, count: int = 1, timeout: float = 10.0) -> list[Receipt]:
        with self._lock:
            self._lock.wait_for(lambda: len(self.receipts) >= count, timeout)
            return list(self.receipts)

    def wait_for_receipt(self, timeout: float = 10.0) -> Receipt:
        receipts = self.wait_for_receipts(1, timeout)
        if not receipts:
            raise TimeoutError("no receipt printed")
        return receipts[-1]

    def pending(self) -> Receipt:
        """What has been printed since the last cut."""
        return self._renderer.receipt


class PrinterEmulator(EmulatedPrinter):
    """The emulated printer behind a TCP listener (the raw port 9100 protocol)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.host, self.port = host, port
        self.drop_after: int | None = None  # close the connection after this many bytes
        self.connections = 0
        self._server: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._clients: list[socket.socket] = []
        self._stopping = threading.Event()

    @property
    def uri(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def start(self) -> "PrinterEmulator":
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((self.host, self.port))
        server.listen(4)
        server.settimeout(0.2)
        self._server, self.port = server, server.getsockname()[1]
        self._spawn(self._accept_loop)
        return self

    def stop(self) -> None:
        self._stopping.set()
        for client in list(self._clients):
            _close(client)
        if self._server:
            self._server.close()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> "PrinterEmulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="printer-emulator")
        thread.start()
        self._threads.append(thread)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            with self._lock:
                # A new connection starts a new byte stream: half a command left by a
                # dropped one must not swallow the next job's first bytes.
                self._parser = EscPosParser()
            self._clients.append(client)
            self._spawn(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        got = 0
        try:
            # Inside the try: stop() may close the socket before this thread gets to run.
            client.settimeout(0.2)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while not self._stopping.is_set():
                try:
                    data = client.recv(4096)
                except socket.timeout:
                    continue
                if not data:
                    return
                if self.drop_after is not None and got + len(data) >= self.drop_after:
                    self.feed(data[: max(0, self.drop_after - got)])
                    self.drop_after = None
                    log.info("emulator dropping the connection")
                    return  # _close below sends a reset, like a printer losing power
                got += len(data)
                reply = self.feed(data)
                if reply:
                    client.sendall(reply)
        except OSError:
            return
        finally:
            _close(client)
            if client in self._clients:
                self._clients.remove(client)


def _close(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass


def main() -> int:
    """`python -m devices.printer.emulator [PORT]`: a printer for the demo or a technician."""
    import sys
    import time

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9100
    emu = PrinterEmulator(port=port).start()
    print(f"receipt printer emulator on {emu.uri}; Ctrl-C to stop", flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        emu.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

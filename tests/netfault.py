"""A TCP relay between the kiosk and the back office that can fail the way a county's
network does: refuse connections (cable pulled), or pass a request to the server and then
cut the line before the answer comes back (the server did the work; the kiosk never
hears), or answer 503 itself as the county's proxy does while the back office restarts.
Real sockets on loopback, nothing stubbed."""
from __future__ import annotations

import socket
import threading

PASS, REFUSE, CUT_ANSWER, UNAVAILABLE = "pass", "refuse", "cut_answer", "unavailable"
ANSWER_503 = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
              b"Content-Length: 65\r\nConnection: close\r\n\r\n"
              b'{"type":"about:blank","title":"Service unavailable","status":503}')


class FaultyLink:
    def __init__(self, target_port: int):
        self.target_port = target_port
        self.mode = PASS
        self.cut_answers = 0  # answers swallowed so far
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closed.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == REFUSE:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                client.close()  # a reset, as when the route is gone
                continue
            if self.mode == UNAVAILABLE:
                threading.Thread(target=self._unavailable, args=(client,), daemon=True).start()
                continue
            threading.Thread(target=self._relay, args=(client, self.mode), daemon=True).start()

    def _unavailable(self, client: socket.socket) -> None:
        """Reads the request's head and answers 503 (the body, if any, is not waited for)."""
        try:
            client.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = client.recv(65536)
                if not chunk:
                    break
                data += chunk
            client.sendall(ANSWER_503)
        except OSError:
            pass
        finally:
            client.close()

    def _relay(self, client: socket.socket, mode: str) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
        except OSError:
            client.close()
            return
        done = threading.Event()

        def pump(src: socket.socket, dst: socket.socket, is_answer: bool) -> None:
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    if is_answer and mode == CUT_ANSWER:
                        self.cut_answers += 1
                        break  # the server answered; the kiosk will never see it
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                done.set()

        threading.Thread(target=pump, args=(client, upstream, False), daemon=True).start()
        pump(upstream, client, True)
        done.wait(1)
        for s in (client, upstream):
            try:
                s.close()
            except OSError:
                pass

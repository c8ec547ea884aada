"""Services the tests meet on loopback: a quiet JSON service, and Alibaba Cloud's RPC
endpoints, each request's signature checked by the documented rule, written out byte by
byte here (not the code under test's), then answered by the emulated service."""
from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import threading
from http.server import ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qsl

from demo.json_service import JsonService

KEY_ID, KEY_SECRET = "LTAI-test", "the-access-key-secret"


def _encode(text: str) -> str:
    """The documented rule, byte by byte: only A-Z a-z 0-9 - _ . ~ stay as they are."""
    keep = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
    return "".join(chr(b) if b in keep else f"%{b:02X}" for b in text.encode())


class RpcEmulator(JsonService):
    """Checks the signature of a POSTed form; `respond(form)` gives (status, JSON body)."""

    def respond(self, form: dict[str, str]) -> tuple[int, dict]:
        raise NotImplementedError

    def do_POST(self):
        form = dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode(), keep_blank_values=True))
        signature = form.pop("Signature", "")
        canonical = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(form.items()))
        expected = base64.b64encode(hmac.new(f"{KEY_SECRET}&".encode(), f"POST&%2F&{_encode(canonical)}".encode(),
                                             hashlib.sha1).digest()).decode()
        self.answer(*(self.respond(form) if hmac.compare_digest(signature, expected)
                      else (400, {"Code": "SignatureDoesNotMatch"})))


@contextlib.contextmanager
def serving(handler: type[JsonService]) -> Iterator[str]:
    """The emulator on a free loopback port: its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class DytnsEmulator(RpcEmulator):
    """号码百科's ThreeElementsVerification: `registered` holds (name, ID number, phone) of
    the SIM cards sold; it sees only their SHA-256 (Mask=SHA256), as the service would."""
    registered: set[tuple[str, str, str]] = set()
    received: list[dict] = []
    throttled = False

    def respond(self, form):
        type(self).received.append(form)
        if form.get("Action") != "ThreeElementsVerification" or form.get("Version") != "2020-02-17":
            return 400, {"Code": "InvalidAction.NotFound"}
        if type(self).throttled:
            return 400, {"Code": "Throttling.User", "Message": "Request was denied due to user flow control."}
        if form.get("Mask") != "SHA256" or form.get("AuthCode") != "AUTH-3E-TEST":
            return 400, {"Code": "AuthCodeIllegal"}
        asked = (form["Name"].lower(), form["CertCode"].lower(), form["InputNumber"].lower())
        sold = {(sha256(n), sha256(i), sha256(p)) for n, i, p in type(self).registered}
        phones = {sha256(p) for _n, _i, p in type(self).registered}
        verdict = 1 if asked in sold else (0 if asked[2] in phones else 2)
        return 200, {"Code": "OK", "Message": "OK", "RequestId": "CC3BB6D2", "Data": {"IsConsistent": verdict}}

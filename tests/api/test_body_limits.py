"""Limits before work: a body larger than its route takes is refused before it is
buffered, whether its length is declared or it comes chunked, and the server's memory
does not follow an attacker's upload. Raw sockets against the real server, because an
ordinary client would not send what an attacker sends."""
from __future__ import annotations

import json
import select
import socket
from pathlib import Path

import pytest

from backoffice.body_limits import SUBMISSION_BODY
from demo.embedded_backoffice import EmbeddedBackoffice

CHUNK = b"x" * (1 << 20)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    var = tmp_path_factory.mktemp("limits")
    with EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log") as bo:
        yield bo


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def answer_of(sock: socket.socket) -> tuple[int, dict]:
    data = b""
    while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _length(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body) if body.strip().startswith(b"{") else {}


def _length(data: bytes) -> int:
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    for line in head.split("\r\n"):
        if line.startswith("content-length:"):
            return int(line.split(":", 1)[1])
    return 0


def send_chunked(server, path: str, megabytes: int, extra: str = "") -> tuple[int, dict, int]:
    """POSTs `megabytes` of chunked body, stopping when the server answers; returns the
    status, the problem body and how many MiB were sent."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 f"Transfer-Encoding: chunked\r\nIdempotency-Key: attack\r\n{extra}\r\n".encode())
    sent = 0
    try:
        for sent in range(megabytes):
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered
            sock.sendall(b"%x\r\n" % len(CHUNK) + CHUNK + b"\r\n")
        else:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # it stopped reading: the answer is waiting
    try:
        status, body = answer_of(sock)
    finally:
        sock.close()
    return status, body, sent


@pytest.mark.parametrize("path", ["/v1/auth/token", "/v1/cases", "/v1/terminals/heartbeat"])
def test_an_anonymous_chunked_upload_is_refused_before_it_is_buffered(tmp_path, path):
    """Before the limits, 200 MiB sent to any of these raised the server's peak memory by
    about 395 MiB and was answered 422 once all of it was read."""
    with EmbeddedBackoffice(database=tmp_path / "backoffice.db", seed_demo=False) as server:
        status, body, sent, grown_mib = attack(server, path)
    assert status == 413 and body["title"] == "Content too large", (status, body)
    assert grown_mib < 16, f"the server's peak memory grew {grown_mib:.0f} MiB for a refused body"
    assert sent < 16  # refused after its first 64 KiB (the rest was in flight in the socket buffers)


def test_a_caller_naming_itself_gets_the_routes_ceiling_and_no_more(tmp_path):
    """Headers that look like a terminal's open the submission's ceiling (its pages), not
    more: refused once past it, the server holding about that much at the peak."""
    with EmbeddedBackoffice(database=tmp_path / "backoffice.db", seed_demo=False) as server:
        status, body, sent, grown_mib = attack(server, "/v1/cases", extra="X-Terminal-Id: CM-KIOSK-0001\r\n"
                                                                          "X-Signature: 00\r\n")
    ceiling_mib = SUBMISSION_BODY / (1 << 20)
    assert status == 413 and sent <= ceiling_mib + 16  # what was in flight when it answered
    assert grown_mib < ceiling_mib + 16


def attack(server, path: str, extra: str = "") -> tuple[int, dict, int, float]:
    before = peak_rss_kib(server.pid)
    status, body, sent = send_chunked(server, path, megabytes=200, extra=extra)
    return status, body, sent, (peak_rss_kib(server.pid) - before) / 1024


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(b"POST /v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000000000\r\n\r\n{")
    status, body = answer_of(sock)
    sock.close()
    assert status == 413 and "at most" in body["detail"]


def test_bodies_within_their_limits_still_work(server):
    import requests

    answer = requests.post(f"{server.url}/v1/auth/token", json={"username": "admin", "password": "chengmai-demo"},
                           timeout=30)
    assert answer.status_code == 200

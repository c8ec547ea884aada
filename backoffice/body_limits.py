"""Limits before work: every request body has a ceiling set by its route, checked before
the body is buffered or parsed. A declared Content-Length over it is refused at once; a
chunked body is read up to it and refused the moment it passes it, so the server holds
at most one route's limit per request, whatever a client sends.

The ceilings: a submission carries its captured pages (cases.MAX_MATERIAL_BYTES each, as
base64) for the largest application in the catalogue with room to spare; a diagnostics
bundle its own limit; a passport proof the chip's files, DG2's face image among them; a
face check its camera frames; a catalogue file an administrator uploads in the console;
every other body is a small JSON document. The large ceilings are for a request that at
least says who is calling (a terminal's signature headers, a staff token, a console
session's cookie): an anonymous one could never be taken, so it gets the small ceiling.
"""
from __future__ import annotations

import re

from .cases import MAX_MATERIAL_BYTES
from .catalogue_check import MAX_CATALOGUE_BYTES
from .console.session import SESSION_COOKIE
from .diagnostics import MAX_BUNDLE_BYTES
from .problems import problem
from .schemas.presence import FRAME_B64_MAX, FRAMES_MAX, INFRARED_MAX

SMALL_BODY = 64 * 1024
MATERIALS_PER_SUBMISSION = 10  # the catalogue's largest application ("一件事" bundles included) asks 7
SUBMISSION_BODY = MATERIALS_PER_SUBMISSION * MAX_MATERIAL_BYTES * 4 // 3 + SMALL_BODY
PASSPORT_PROOF_BODY = 256 * 1024  # a chip's files as base64, DG2's face image among them
FACE_FRAMES_BODY = (FRAMES_MAX + INFRARED_MAX) * FRAME_B64_MAX + SMALL_BODY  # a face check's frames as base64
LIMITS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("POST", re.compile(r"/v1/presence/passport-grants"), PASSPORT_PROOF_BODY),
    ("POST", re.compile(r"/v1/presence/face-grants"), FACE_FRAMES_BODY),
    ("POST", re.compile(r"/v1/cases"), SUBMISSION_BODY),
    ("POST", re.compile(r"/v1/terminals/diagnostics"), MAX_BUNDLE_BYTES),
    ("POST", re.compile(r"/console/admin/catalogue/load"), MAX_CATALOGUE_BYTES + SMALL_BODY),  # multipart's framing
)


def limit_for(method: str, path: str, credentialed: bool) -> int:
    if credentialed:
        for route_method, pattern, limit in LIMITS:
            if method == route_method and pattern.fullmatch(path):
                return limit
    return SMALL_BODY


def says_who(headers: dict[bytes, bytes]) -> bool:
    """Whether the request carries a caller's credentials (checked later, by auth.py)."""
    return (headers.get(b"authorization", b"").lower().startswith(b"bearer ")
            or (b"x-terminal-id" in headers and b"x-signature" in headers)
            or f"{SESSION_COOKIE}=".encode() in headers.get(b"cookie", b""))


class BodyLimit:
    """ASGI middleware: reads the body up to its route's limit, then hands the app the
    whole body at once (the routes would buffer it anyway) or answers 413 without it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        limit = limit_for(scope["method"], scope["path"], says_who(headers))
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await self._refuse(scope, receive, send, limit)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, _replay([], message, receive), send)  # the client left
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return await self._refuse(scope, receive, send, limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], None, receive), send)

    @staticmethod
    async def _refuse(scope, receive, send, limit: int) -> None:
        answer = problem(413, "Content too large", f"this request's body may be at most {limit} bytes")
        # Tell the client the connection ends here: the rest of its body will not be read.
        answer.headers["Connection"] = "close"
        await answer(scope, receive, send)


def _replay(messages: list[dict], pending: dict | None, receive):
    queued = list(messages) + ([pending] if pending is not None else [])

    async def replay():
        if queued:
            return queued.pop(0)
        return await receive()

    return replay

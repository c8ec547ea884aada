"""A loopback HTTP service answering JSON, quietly: the base of the emulators the project owns
(the courier's here, Alibaba Cloud's RPC services in the tests)."""
from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler


class JsonService(BaseHTTPRequestHandler):
    def answer(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args):
        pass

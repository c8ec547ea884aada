"""The key holder's process: `python -m services.keyholder.server --socket PATH
--secret-file PATH --outbox-key-file PATH [--peer-user kiosk ...] [--timestamp-window-s 300]`.

It answers on a Unix stream socket, one thread per connection, only to peers whose uid
(SO_PEERCRED, told by the kernel, not by the peer) is one it was given: the kiosk user's
on an installed kiosk (deploy/systemd/chengmai-keyholder.service), its own by default
(the tests, the demo). The socket file itself is left open to all (0666): the uid check
decides, and the folder it sits in decides who can reach it. A message over the limits
is answered `too_large` and its connection closed; the server goes on.
"""
from __future__ import annotations

import argparse
import logging
import os
import pwd
import signal
import socket
import socketserver
import struct
import sys
import threading
from pathlib import Path
from typing import Any, Iterable

from .keys import WINDOW_S, Keys
from .protocol import BAD_REQUEST, TOO_LARGE, KeyHolderRefused, MessageTooLarge, receive_message, send_message

log = logging.getLogger("keyholder")
PEER_CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid
REFUSED = "refused"


def peer_uid(connection: socket.socket) -> int:
    raw = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, PEER_CREDENTIALS.size)
    return PEER_CREDENTIALS.unpack(raw)[1]


class _Connection(socketserver.BaseRequestHandler):
    server: "KeyHolderServer"

    def handle(self) -> None:
        connection: socket.socket = self.request
        uid = peer_uid(connection)
        if uid not in self.server.allowed_uids:
            log.warning("refused a peer: uid %d is not the kiosk's", uid)
            _answer(connection, {"error": REFUSED, "detail": f"uid {uid} may not use the key holder"})
            return
        while True:
            try:
                message = receive_message(connection)
            except MessageTooLarge as exc:
                log.warning("refused a message over the limits (%s)", exc)
                _answer(connection, {"error": TOO_LARGE, "detail": str(exc)})
                return
            except (ValueError, ConnectionError, OSError) as exc:
                log.warning("dropped a connection: %s", type(exc).__name__)
                _answer(connection, {"error": BAD_REQUEST, "detail": "not a message"})
                return
            if message is None:
                return
            request, data = message
            try:
                answer, out = self.server.keys.answer(request, data)
            except KeyHolderRefused as exc:
                answer, out = {"error": exc.code, "detail": exc.detail}, b""
            except Exception:  # a bug in one request must not take the key holder down
                log.exception("request failed: %s", request.get("op"))
                answer, out = {"error": "failed", "detail": "the key holder failed; see its log"}, b""
            if not _answer(connection, answer, out):
                return


def _answer(connection: socket.socket, answer: dict[str, Any], data: bytes = b"") -> bool:
    try:
        send_message(connection, answer, data)
        return True
    except OSError:
        return False


class KeyHolderServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, socket_path: Path, keys: Keys, allowed_uids: Iterable[int]):
        self.keys = keys
        self.allowed_uids = frozenset(allowed_uids)
        if socket_path.is_socket():
            socket_path.unlink()  # left by a key holder that was killed
        super().__init__(str(socket_path), _Connection)
        os.chmod(socket_path, 0o666)


def resolve_uid(user: str) -> int:
    return int(user) if user.isdigit() else pwd.getpwnam(user).pw_uid


def notify_ready() -> None:
    """systemd's READY=1 (Type=notify): the kiosk's session starts once the socket is there."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.sendto(b"READY=1", "\0" + address[1:] if address.startswith("@") else address)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.keyholder.server", description=__doc__.split("\n")[0])
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--secret-file", type=Path, required=True)
    parser.add_argument("--outbox-key-file", type=Path, required=True)
    parser.add_argument("--peer-user", action="append", default=[],
                        help="a user (name or uid) whose processes may ask; default: this process's own")
    parser.add_argument("--timestamp-window-s", type=float, default=WINDOW_S,
                        help="sign only timestamps this near the back office's time as last told (default 300)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
    allowed = {resolve_uid(user) for user in args.peer_user} or {os.getuid()}
    keys = Keys(args.secret_file, args.outbox_key_file, args.timestamp_window_s)
    server = KeyHolderServer(args.socket, keys, allowed)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    log.info("listening on %s for uid %s", args.socket, ",".join(map(str, sorted(allowed))))
    print("ready", flush=True)  # the tests wait for this line, systemd for READY=1
    notify_ready()
    try:
        server.serve_forever()
    finally:
        server.server_close()
        args.socket.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

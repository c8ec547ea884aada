"""The key holder (services/keyholder/) as a real process on a Unix socket, and the kiosk's
side through it against the real back office over HTTP: requests signed by it are taken,
outbox payloads sealed by it are delivered, a rotated secret goes into its file, a peer of
another uid and an oversized message are refused without harm, and a restart of the key
holder under a running kiosk costs nothing but a reconnect."""
from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from domain import signing
from kiosk.config import load_config
from kiosk.paths import REPO_ROOT
from services.api import BackofficeClient, BackofficeRefused, BackofficeUnavailable, SecretSigner
from services.deliveries import APPLICATION, deliverers
from services.keyholder import protocol
from services.keyholder.client import KeyHolderClient
from services.keyholder.protocol import (
    CLOCK_UNSIGNED,
    TIMESTAMP_OUT_OF_BOUNDS,
    TOO_LARGE,
    KeyHolderRefused,
    receive_message,
    send_message,
)
from services.outbox import Outbox, OutboxKeyError, load_or_create_key
from services.outbox_sender import DELIVERED, QUEUED, Backoff, OutboxSender
from services.transport import ServerClock
from tests.e2e.outbox_support import FOOD, applicant, application_for

TERMINAL = "CM-KIOSK-0001"
DEMO_PASSWORD = "chengmai-demo"
NOBODY = 65534


class KeyHolderProcess:
    """`python -m services.keyholder.server` with its own key files in `folder`."""

    def __init__(self, folder: Path, secret: str, clock_off_s: float = 0.0):
        self.folder = folder
        self.clock_off_s = clock_off_s  # the machine's clock as the process sees it, off by this
        self.socket = folder / "run" / "keys.sock"
        self.secret_file = folder / "keys" / "terminal.secret"
        self.outbox_key_file = folder / "keys" / "outbox.key"
        self.socket.parent.mkdir(parents=True)
        self.secret_file.parent.mkdir(mode=0o700)
        self.secret_file.write_text(secret + "\n")
        self.secret_file.chmod(0o600)
        self.process: subprocess.Popen | None = None

    def start(self) -> "KeyHolderProcess":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "services.keyholder.server", "--socket", str(self.socket),
             "--secret-file", str(self.secret_file), "--outbox-key-file", str(self.outbox_key_file)],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self._environ())
        assert self.process.stdout is not None
        ready = self.process.stdout.readline()  # printed once the socket listens
        assert ready == "ready\n", self.process.stderr.read() if self.process.stderr else ready
        return self

    def _environ(self) -> dict[str, str]:
        """A clock set wrong on the whole machine: the kiosk's and the key holder's alike."""
        if not self.clock_off_s:
            return dict(os.environ)
        shim = self.folder / "clock-shim"
        shim.mkdir(exist_ok=True)
        (shim / "sitecustomize.py").write_text(
            "import time\n"
            f"_real, time.time = time.time, lambda: _real() + {self.clock_off_s!r}\n")
        return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(shim), os.environ.get("PYTHONPATH")])))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@pytest.fixture
def key_holder(backoffice):
    # Not under pytest's own 0700 folder: a peer of another uid must be able to reach the socket.
    folder = Path(tempfile.mkdtemp(prefix="keyholder-"))
    folder.chmod(0o755)
    holder = KeyHolderProcess(folder, backoffice.terminal_secret_file.read_text().strip()).start()
    yield holder
    holder.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def client(key_holder):
    kiosk_side = KeyHolderClient(key_holder.socket)
    yield kiosk_side
    kiosk_side.close()


@pytest.fixture(scope="module")
def guide(backoffice):
    return BackofficeClient(backoffice.url).guide(FOOD)


def signed_client(backoffice, signer, terminal_id: str = TERMINAL) -> BackofficeClient:
    return BackofficeClient(backoffice.url, timeout=10, terminal_id=terminal_id, secret=signer)


def sender_for(outbox: Outbox, api: BackofficeClient) -> OutboxSender:
    return OutboxSender(outbox, deliverers(api), Backoff(base_s=0.05, cap_s=0.5), idle_poll_s=0.2)


# --- signing ------------------------------------------------------------------------------
def test_the_back_office_takes_requests_the_key_holder_signs(backoffice, client):
    assert signed_client(backoffice, client).whoami()["id"] == TERMINAL


def test_its_signature_is_the_one_the_secret_makes(backoffice, client):
    fields = ("POST", "/v1/cases", "a=1", str(int(time.time())), "ab" * 16, "0" * 64)
    secret = backoffice.terminal_secret_file.read_text().strip()
    assert client.sign(*fields) == SecretSigner(secret).sign(*fields)


def sign_at(client: KeyHolderClient, timestamp: float) -> str:
    return client.sign("POST", "/v1/cases", "", str(int(timestamp)), uuid.uuid4().hex, "0" * 64)


def test_a_request_for_now_signs_and_one_for_an_hour_ahead_is_refused(client):
    """A kiosk process taken over cannot bank requests to send after it is fixed."""
    assert len(sign_at(client, time.time())) == 64
    for later in (3600, 301):
        with pytest.raises(KeyHolderRefused) as refused:
            sign_at(client, time.time() + later)
        assert refused.value.code == TIMESTAMP_OUT_OF_BOUNDS and "back office's time" in refused.value.detail
    with pytest.raises(KeyHolderRefused, match=TIMESTAMP_OUT_OF_BOUNDS):
        sign_at(client, time.time() - 3600)  # the back office would refuse it anyway


def test_the_hour_ahead_is_refused_as_the_kiosk_sends_it_though_it_fetched_the_time(backoffice, client):
    api = BackofficeClient(backoffice.url, timeout=10, terminal_id=TERMINAL, secret=client,
                           clock=ServerClock(local=lambda: time.time() + 3600))
    api.clock.known = True  # as if it had learnt it: the key holder was told nothing of it
    with pytest.raises(BackofficeUnavailable, match=TIMESTAMP_OUT_OF_BOUNDS):
        api.whoami()


@pytest.mark.parametrize("clock_off_s", [900, -900, 4 * 3600])
def test_a_kiosk_whose_clock_is_off_signs_with_the_back_offices_time(backoffice, clock_off_s):
    """The machine's clock is off: the first request is refused as stale, the kiosk learns
    the back office's time from the answer and signs with it; the key holder refuses that
    timestamp until it has the back office's signed time, which the kiosk fetches and
    brings it, and signs again. A restarted key holder, which knows nothing, alike."""
    folder = Path(tempfile.mkdtemp(prefix="keyholder-"))
    holder = KeyHolderProcess(folder, backoffice.terminal_secret_file.read_text().strip(), clock_off_s).start()
    client = KeyHolderClient(holder.socket)
    try:
        api = BackofficeClient(backoffice.url, timeout=10, terminal_id=TERMINAL, secret=client,
                               clock=ServerClock(local=lambda: time.time() + clock_off_s))
        assert api.whoami()["id"] == TERMINAL
        api.note_server_time(time.time())  # the heartbeat's server_time, as the kiosk's loop passes it
        assert api.whoami()["id"] == TERMINAL
        holder.stop()
        holder.start()
        assert api.whoami()["id"] == TERMINAL
        # The key holder bounds by its own clock plus what it was told: an hour ahead of
        # the back office is still refused, however wrong the machine's clock.
        with pytest.raises(KeyHolderRefused, match=TIMESTAMP_OUT_OF_BOUNDS):
            sign_at(client, time.time() + 3600)
    finally:
        client.close()
        holder.stop()
        shutil.rmtree(folder, ignore_errors=True)


def signed_time(backoffice, challenge: str, terminal_id: str = TERMINAL) -> dict:
    answer = requests.get(f"{backoffice.url}/v1/terminals/{terminal_id}/time", params={"challenge": challenge},
                          timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_only_the_back_offices_signed_time_over_a_fresh_challenge_moves_the_key_holders(backoffice, key_holder,
                                                                                        client):
    """What a taken-over kiosk process would try: telling the key holder the back office is
    an hour ahead. A time the back office did not sign, a signed time over a challenge the
    key holder did not make, and one brought back twice are refused; the back office's own
    is taken, and is now."""
    challenge = client.clock_challenge()
    answer = signed_time(backoffice, challenge)
    ahead = f"{float(answer['server_time']) + 3600:.3f}"
    for forged in ((TERMINAL, challenge, ahead, answer["signatures"]),  # the time changed
                   (TERMINAL, challenge, ahead, ["0" * 64]),
                   (TERMINAL, "ab" * 16, answer["server_time"], signed_time(backoffice, "ab" * 16)["signatures"])):
        with pytest.raises(KeyHolderRefused, match=CLOCK_UNSIGNED):
            client.note_signed_time(*forged)
        challenge = client.clock_challenge()  # a refusal spends the challenge: a new one each time
    answer = signed_time(backoffice, challenge)
    client.note_signed_time(TERMINAL, challenge, answer["server_time"], answer["signatures"])
    with pytest.raises(KeyHolderRefused, match=CLOCK_UNSIGNED):  # brought back again
        client.note_signed_time(TERMINAL, challenge, answer["server_time"], answer["signatures"])
    assert len(sign_at(client, time.time())) == 64
    with pytest.raises(KeyHolderRefused, match=TIMESTAMP_OUT_OF_BOUNDS):
        sign_at(client, time.time() + 3600)


def test_the_back_office_signs_its_time_for_registered_terminals_only(backoffice):
    answer = requests.get(f"{backoffice.url}/v1/terminals/CM-NO-SUCH/time", params={"challenge": "ab" * 16},
                          timeout=10)
    assert answer.status_code == 404
    secret = backoffice.terminal_secret_file.read_text().strip()
    body = signed_time(backoffice, "cd" * 16)
    assert body["signatures"][0] == signing.sign_server_time(secret, TERMINAL, "cd" * 16, body["server_time"])
    assert abs(float(body["server_time"]) - time.time()) < 5
    not_hex = requests.get(f"{backoffice.url}/v1/terminals/{TERMINAL}/time", params={"challenge": "x" * 32},
                           timeout=10)
    assert not_hex.status_code == 422


def test_a_configured_kiosk_signs_through_the_key_holder_and_reads_no_secret(backoffice, key_holder, tmp_path):
    config = load_config(environ={}, overrides={
        "kiosk.var_dir": str(tmp_path), "backoffice.url": backoffice.url,
        "backoffice.terminal_secret_file": str(tmp_path / "no-such.secret"),  # the kiosk has none
        "backoffice.key_holder_socket": str(key_holder.socket)})
    credentials = config.terminal_credentials()
    assert isinstance(credentials, KeyHolderClient) and credentials.socket_path == key_holder.socket
    assert signed_client(backoffice, credentials, config.terminal_id).whoami()["id"] == TERMINAL
    credentials.close()


def test_without_a_secret_it_refuses_to_sign_and_the_client_says_so(backoffice, key_holder, client):
    key_holder.secret_file.unlink()
    assert client.has_secret() is False
    with pytest.raises(BackofficeUnavailable, match="no_secret"):
        signed_client(backoffice, client).whoami()


def test_the_readiness_report_tells_a_silent_or_empty_key_holder_apart(backoffice, key_holder, client):
    from kiosk.ops.readiness import Verdict, check_backoffice

    def check():
        return check_backoffice(backoffice.url, 10, credentials=(TERMINAL, client))

    assert check().verdict is Verdict.READY
    key_holder.secret_file.unlink()
    empty = check()
    assert empty.verdict is Verdict.NOT_READY and "no secret" in empty.reason and "register" in empty.action
    key_holder.stop()
    silent = check()
    assert silent.verdict is Verdict.NOT_READY and "key holder does not answer" in silent.reason
    assert "chengmai-keyholder" in silent.action


# --- the outbox ---------------------------------------------------------------------------
def test_an_application_sealed_by_the_key_holder_is_delivered(backoffice, key_holder, client, guide, tmp_path):
    person = applicant(701)
    outbox = Outbox(tmp_path / "outbox.sqlite", client, terminal_id=TERMINAL)
    sender = sender_for(outbox, signed_client(backoffice, client))
    try:
        item = outbox.put(APPLICATION, application_for(guide, person), uuid.uuid4().hex,
                          applicant=person["document_number"])
        stored = sqlite3.connect(outbox.path).execute("SELECT payload FROM items WHERE id = ?", (item.id,)).fetchone()
        assert person["document_number"].encode() not in stored[0]  # sealed, not in clear
        assert [i.id for i in outbox.for_applicant(person["document_number"])] == [item.id]
        # The key holder's key and arithmetic are the outbox's own: its file opens the row.
        local = Outbox(outbox.path, load_or_create_key(key_holder.outbox_key_file), terminal_id=TERMINAL)
        assert local.payload(item)["applicant"]["document_number"] == person["document_number"]
        local.close()
        delivery = sender.deliver_now(item)
        assert delivery.status == DELIVERED, delivery.error
        assert outbox.get(item.id).case_number == delivery.value[0].number
    finally:
        sender.stop()
        outbox.close()


def test_a_configured_kiosk_builds_its_outbox_on_the_key_holder(backoffice, key_holder, guide, tmp_path):
    """As the app does (kiosk/offline.py): no outbox key is made or read on the kiosk's side."""
    from kiosk.offline import build_outbox, outbox_paths

    config = load_config(environ={}, overrides={
        "kiosk.var_dir": str(tmp_path), "backoffice.url": backoffice.url,
        "backoffice.terminal_secret_file": str(tmp_path / "etc" / "terminal.secret"),
        "backoffice.key_holder_socket": str(key_holder.socket)})
    signer = config.key_holder()
    outbox, sender = build_outbox(config, signed_client(backoffice, signer, config.terminal_id))
    try:
        person = applicant(703)
        item = outbox.put(APPLICATION, application_for(guide, person), uuid.uuid4().hex,
                          applicant=person["document_number"])
        assert sender.deliver_now(item).status == DELIVERED
        assert not outbox_paths(config)[1].exists()  # the kiosk's own key file was never made
    finally:
        sender.stop()
        outbox.close()
        signer.close()


def test_a_payload_bound_to_another_row_does_not_open(client):
    sealed = client.seal(b"application\0key-1", b'{"a": 1}')
    assert client.open(b"application\0key-1", sealed) == b'{"a": 1}'
    with pytest.raises(OutboxKeyError):
        client.open(b"application\0key-2", sealed)


def test_the_outbox_key_is_made_once_and_private(key_holder, client):
    client.applicant_hash("46902319500101001X")
    key_file = key_holder.outbox_key_file
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = key_file.read_text()
    key_holder.stop()
    key_holder.start()
    assert key_file.read_text() == first


# --- restarts -----------------------------------------------------------------------------
def test_a_restarted_key_holder_is_reconnected_to(backoffice, key_holder, client, guide, tmp_path):
    api = signed_client(backoffice, client)
    outbox = Outbox(tmp_path / "outbox.sqlite", client, terminal_id=TERMINAL)
    sender = sender_for(outbox, api)
    try:
        assert api.whoami()["id"] == TERMINAL
        person = applicant(702)
        item = outbox.put(APPLICATION, application_for(guide, person), uuid.uuid4().hex,
                          applicant=person["document_number"])
        key_holder.stop()
        # Down: nothing is signed or opened, the item waits (it is not parked as unreadable).
        with pytest.raises(BackofficeUnavailable, match="key holder"):
            api.whoami()
        assert sender.deliver_now(item).status == QUEUED
        assert outbox.get(item.id).state == "pending" and "key holder" in outbox.get(item.id).last_error
        key_holder.start()
        assert api.whoami()["id"] == TERMINAL  # the same client, on a fresh connection
        outbox.make_due()
        assert sender.deliver_now(item).status == DELIVERED
    finally:
        sender.stop()
        outbox.close()


# --- refusals -----------------------------------------------------------------------------
def raw_connection(key_holder) -> socket.socket:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(10)
    connection.connect(str(key_holder.socket))
    return connection


@pytest.mark.parametrize("header_length, data_length",
                         [(protocol.MAX_HEADER_BYTES + 1, 0), (2, protocol.MAX_DATA_BYTES + 1)])
def test_an_oversized_message_is_refused_and_the_key_holder_goes_on(key_holder, client, header_length, data_length):
    with raw_connection(key_holder) as connection:
        connection.sendall(protocol.PREFIX.pack(header_length, data_length))  # announced, never sent
        answer, _ = receive_message(connection)
        assert answer["error"] == TOO_LARGE
        assert receive_message(connection) is None  # and that connection is closed
    assert key_holder.alive()
    assert client.applicant_hash("46902319500101001X")


def test_the_client_does_not_send_what_would_be_refused(client):
    with pytest.raises(KeyHolderRefused) as refused:
        client.seal(b"application\0key", bytes(protocol.MAX_DATA_BYTES + 1))
    assert refused.value.code == TOO_LARGE


def test_a_request_it_does_not_know_is_refused(key_holder):
    with raw_connection(key_holder) as connection:
        for request in ({"op": "read_secret"}, {"op": "sign", "method": "GET", "path": "no-slash"}):
            send_message(connection, request)
            answer, data = receive_message(connection)
            assert answer["error"] == "bad_request" and data == b""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
def test_a_peer_of_another_uid_is_refused(key_holder, client):
    readable, writable = os.pipe()
    child = os.fork()
    if child == 0:  # the child: another user, asking for a signature
        try:
            os.close(readable)
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            with raw_connection(key_holder) as connection:
                try:
                    send_message(connection, {"op": "applicant_hash", "value": "46902319500101001X"})
                except BrokenPipeError:
                    pass  # refused at once, maybe before the request went out: the answer is still there
                message = receive_message(connection)
            os.write(writable, str(message[0].get("error") if message else "closed").encode())
        except BaseException as exc:  # noqa: BLE001  (reported to the parent, whatever it is)
            os.write(writable, f"child failed: {exc!r}".encode())
        finally:
            os._exit(0)
    os.close(writable)
    with os.fdopen(readable) as reading:
        seen = reading.read()
    os.waitpid(child, 0)
    assert seen == "refused"
    assert key_holder.alive() and client.applicant_hash("46902319500101001X")


# --- the rotated secret -------------------------------------------------------------------
def admin_session(backoffice) -> requests.Session:
    session = requests.Session()
    token = session.post(f"{backoffice.url}/v1/auth/token", json={"username": "admin", "password": DEMO_PASSWORD},
                         timeout=10).json()["access_token"]
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def test_a_rotated_secret_goes_into_the_key_holder_and_signs_at_once(backoffice, tmp_path):
    from kiosk.ops.fleet import Fleet

    terminal_id = f"CM-KH-{uuid.uuid4().hex[:8]}"
    made = admin_session(backoffice).post(f"{backoffice.url}/v1/terminals", json={"id": terminal_id, "name": "密钥"},
                                          headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=10)
    assert made.status_code == 201, made.text
    first = made.json()["secret"]
    folder = Path(tempfile.mkdtemp(prefix="keyholder-"))
    holder = KeyHolderProcess(folder, first).start()
    client = KeyHolderClient(holder.socket)
    try:
        kiosk_secret_file = tmp_path / "kiosk" / "terminal.secret"  # where a kiosk without one keeps it
        config = load_config(environ={}, overrides={
            "kiosk.var_dir": str(tmp_path / "kiosk"), "kiosk.terminal_id": terminal_id,
            "backoffice.url": backoffice.url, "backoffice.terminal_secret_file": str(kiosk_secret_file),
            "backoffice.key_holder_socket": str(holder.socket)})
        api = signed_client(backoffice, client, terminal_id)
        app = SimpleNamespace(kiosk_config=config, devices=None, controller=SimpleNamespace(api=api))
        Fleet(app, call_on_main=lambda fn: fn()).rotate_secret()
        second = holder.secret_file.read_text().strip()
        assert second != first and stat.S_IMODE(holder.secret_file.stat().st_mode) == 0o600
        assert not kiosk_secret_file.exists()  # never written where the kiosk could read it
        assert api.whoami()["id"] == terminal_id  # signed with the new one: the overlap ends
        with pytest.raises(BackofficeRefused) as refused:
            signed_client(backoffice, first, terminal_id).whoami()
        assert refused.value.status == 401
    finally:
        client.close()
        holder.stop()
        shutil.rmtree(folder, ignore_errors=True)

"""The back office's QR signing key rotated with an overlap, through the real server and
the kiosk's verifier: receipts printed under the old key still track while it is kept as
retired, new codes name the new key, a kiosk that knew only the old key learns the new
one when it meets it, and once the old key is dropped its codes open nothing."""
from __future__ import annotations

import json
import time
import uuid

import pytest

from backoffice.security.qr import QrSigner
from demo.embedded_backoffice import EmbeddedBackoffice
from domain import tokens
from services.api import BackofficeClient, BackofficeRefused
from services.qrtokens import load_verifier
from tests.api.submissions import application
from tests.e2e.outbox_support import FOOD, applicant

OLD, NEW = bytes(range(32)), bytes(range(100, 132))
TERMINAL = "CM-KIOSK-0001"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    var = tmp_path_factory.mktemp("bo-keys")
    bo = EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log")
    yield bo
    bo.stop()


def run_with(server, seed: bytes, retired: tuple[bytes, ...] = ()) -> BackofficeClient:
    server.stop()
    server.environ = {"BACKOFFICE_SIGNING_SEED": seed.hex(),
                      "BACKOFFICE_SIGNING_SEEDS_RETIRED": ",".join(r.hex() for r in retired)}
    server.start()
    return BackofficeClient(server.url, timeout=10, terminal_id=TERMINAL,
                            secret=server.terminal_secret_file.read_text().strip())


def printed_receipt(api: BackofficeClient, n: int) -> str:
    guide = api.guide(FOOD)
    _case, receipt = api.submit(application(guide, applicant(n)), uuid.uuid4().hex)
    return receipt.tracking_token


def claims(token: str) -> dict:
    return json.loads(tokens.unb64url(token.split(".")[1]))


def test_rotation_keeps_printed_codes_until_the_old_key_is_dropped(server, tmp_path):
    api = run_with(server, OLD)
    old_code = printed_receipt(api, 501)
    payload = claims(old_code)
    assert payload["kid"] == QrSigner(OLD).key_id
    assert 729 * 86400 <= payload["exp"] - int(time.time()) <= 730 * 86400  # a receipt's code expires
    kiosk = load_verifier(api, tmp_path / "qr-key.json")
    assert kiosk is not None and kiosk.key_ids == [QrSigner(OLD).key_id]

    api = run_with(server, NEW, retired=(OLD,))
    published = api.qr_keys()
    assert list(published) == [QrSigner(NEW).key_id, QrSigner(OLD).key_id]
    assert api.track(old_code).number  # printed before the rotation, still tracks
    new_code = printed_receipt(api, 502)
    assert claims(new_code)["kid"] == QrSigner(NEW).key_id
    assert kiosk.verify(new_code).kind == "case"  # the kiosk fetched the new key when it met it
    assert kiosk.key_ids == list(published)

    api = run_with(server, NEW)
    with pytest.raises(BackofficeRefused) as refused:
        api.track(old_code)
    assert refused.value.status == 422
    assert api.track(new_code).number
    restarted_kiosk = load_verifier(api, tmp_path / "qr-key.json")
    with pytest.raises(tokens.TokenInvalid):
        restarted_kiosk.verify(old_code)


def test_offline_the_kiosk_uses_the_keys_it_kept(server, tmp_path):
    api = run_with(server, NEW)
    code = printed_receipt(api, 503)
    assert load_verifier(api, tmp_path / "qr-key.json") is not None
    server.stop()
    offline = load_verifier(BackofficeClient(server.url, timeout=1), tmp_path / "qr-key.json")
    assert offline is not None and offline.verify(code).subject

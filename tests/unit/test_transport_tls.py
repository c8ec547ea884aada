"""The kiosk's transport to the back office against a real TLS server on loopback: the
county CA trusted from ca_file, a certificate pin, and plain http refused beyond loopback
before any connection is made."""
from __future__ import annotations

import datetime as dt
import email.utils
import http.server
import ipaddress
import json
import ssl
import sys
import threading
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.config import load_config
from services.api import BackofficeClient, BackofficeUnavailable
from services.transport import (
    PIN_MISMATCH,
    UNTRUSTED_CERTIFICATE,
    PlainHttpRefused,
    TransportSettings,
    check_url,
    normalise_pin,
)

HEALTH = {"status": "ok", "database": "sqlite"}
SERVER_AHEAD_S = 600  # the test server's Date header runs ten minutes ahead


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Chengmai County"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject: str, key, issuer_name: x509.Name, issuer_key, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False,
            decipher_only=False), critical=True)
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                                        critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A county CA, the back office's certificate it signed, and an unrelated certificate."""
    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Chengmai County test CA", ca_key, _name("Chengmai County test CA"), ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate("127.0.0.1", server_key, ca.subject, ca_key, ca=False)
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = _certificate("127.0.0.1", other_key, ca.subject, ca_key, ca=False)
    (folder / "ca.pem").write_bytes(_pem(ca))
    (folder / "server.pem").write_bytes(_pem(server) + _pem(ca))
    (folder / "server.key").write_bytes(server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return {"ca_file": folder / "ca.pem", "cert_file": folder / "server.pem", "key_file": folder / "server.key",
            "server_pin": server.fingerprint(hashes.SHA256()).hex(),
            "other_pin": other.fingerprint(hashes.SHA256()).hex()}


class _Health(http.server.BaseHTTPRequestHandler):
    requests_seen: list[str]

    def do_GET(self):
        self.requests_seen.append(self.path)
        body = json.dumps(HEALTH).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def date_time_string(self, timestamp=None):
        return email.utils.formatdate(time.time() + SERVER_AHEAD_S, usegmt=True)

    def log_message(self, *_args):
        pass


@pytest.fixture(scope="module")
def tls_server(pki):
    handler = type("Health", (_Health,), {"requests_seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki["cert_file"], pki["key_file"])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"https://127.0.0.1:{server.server_address[1]}"
    server.requests_seen = handler.requests_seen
    yield server
    server.shutdown()
    server.server_close()


def _health(url: str, **transport) -> dict:
    client = BackofficeClient(url, timeout=5, transport=TransportSettings(**transport))
    try:
        return client.health()
    finally:
        client.close()


def test_the_county_ca_from_ca_file_is_trusted(tls_server, pki):
    assert _health(tls_server.url, ca_file=pki["ca_file"]) == HEALTH


def test_without_the_county_ca_the_server_is_refused(tls_server):
    with pytest.raises(BackofficeUnavailable) as info:
        _health(tls_server.url)
    assert str(info.value) == UNTRUSTED_CERTIFICATE


def test_a_matching_pin_is_accepted_in_any_spelling(tls_server, pki):
    spelled = ":".join(pki["server_pin"][i:i + 2] for i in range(0, 64, 2)).upper()
    assert _health(tls_server.url, ca_file=pki["ca_file"], pin_sha256=spelled) == HEALTH


def test_a_pin_mismatch_is_refused_with_its_own_reason_and_no_request_sent(tls_server, pki):
    before = len(tls_server.requests_seen)
    with pytest.raises(BackofficeUnavailable) as info:
        _health(tls_server.url, ca_file=pki["ca_file"], pin_sha256=pki["other_pin"])
    assert str(info.value) == PIN_MISMATCH
    assert len(tls_server.requests_seen) == before  # the handshake ended it: nothing fell back


def test_the_servers_date_header_sets_the_clock_offset(tls_server, pki):
    client = BackofficeClient(tls_server.url, timeout=5, transport=TransportSettings(ca_file=pki["ca_file"]))
    assert not client.clock.known
    client.health()
    client.close()
    assert client.clock.known
    assert abs(client.clock.offset_s - SERVER_AHEAD_S) < 3  # a Date names whole seconds


def test_a_malformed_pin_is_a_configuration_error():
    with pytest.raises(ValueError):
        normalise_pin("sha256/abc")
    with pytest.raises(ValueError):
        load_config(environ={"KIOSK__BACKOFFICE__PIN_SHA256": "12:34"})


# --- plain http ----------------------------------------------------------------------------
_connections: list[tuple] = []


def _watch_connections(event: str, args: tuple) -> None:
    if event == "socket.connect":
        _connections.append(args[1])


sys.addaudithook(_watch_connections)  # audit hooks cannot be removed: it only appends


@pytest.mark.parametrize("url", ["http://192.0.2.1:8700", "http://backoffice.example:8700", "http://10.0.0.5"])
def test_plain_http_beyond_loopback_is_refused_before_connecting(url):
    _connections.clear()
    with pytest.raises(PlainHttpRefused) as info:
        BackofficeClient(url, timeout=1)
    assert "allow_plain_http" in str(info.value)
    with pytest.raises(PlainHttpRefused):
        load_config(environ={"KIOSK__BACKOFFICE__URL": url})
    assert _connections == []


def test_plain_http_is_allowed_when_configured_or_to_loopback():
    config = load_config(environ={"KIOSK__BACKOFFICE__URL": "http://192.0.2.1:8700",
                                  "KIOSK__BACKOFFICE__ALLOW_PLAIN_HTTP": "true"})
    assert config.backoffice_transport.allow_plain_http is True
    BackofficeClient(config.backoffice_url, transport=config.backoffice_transport).close()
    for url in ("http://127.0.0.1:8700", "http://127.3.2.1", "http://[::1]:8700", "http://localhost:8700",
                "https://192.0.2.1"):
        assert check_url(url) == url
    with pytest.raises(ValueError):
        check_url("ftp://127.0.0.1/")

"""The shipped reverse proxy (deploy/nginx/chengmai-backoffice.conf) as the real nginx on
loopback, with a test county CA's certificate, in front of a real back office: the kiosk's
own client pinning that CA signs a call through it, a client without the CA is refused,
/metrics and the API's documents are not reachable, an oversized body is refused by the
proxy before it reaches the back office, and the back office logs the client's address.
"""
from __future__ import annotations

import http.client
import io
import random
import ssl
import zipfile

import pytest
import requests

from backoffice.body_limits import SMALL_BODY
from backoffice.diagnostics import MAX_BUNDLE_BYTES
from services.api import BackofficeClient, BackofficeUnavailable
from services.transport import UNTRUSTED_CERTIFICATE, TransportSettings
from tests.nginx_proxy import NGINX, NGINX_MISSING, NginxProxy, write_test_pki

pytestmark = pytest.mark.skipif(NGINX is None, reason=NGINX_MISSING)

TERMINAL = "CM-KIOSK-0001"
CLIENT_ADDRESS = "127.0.0.7"  # a loopback address of the client's own, unlike nginx's 127.0.0.1


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return write_test_pki(tmp_path_factory.mktemp("county-pki"))


@pytest.fixture(scope="module")
def proxy(tmp_path_factory, backoffice, pki):
    with NginxProxy(tmp_path_factory.mktemp("nginx"), upstream_port=backoffice.port,
                    certificate=pki["certificate"], key=pki["key"]) as running:
        yield running


def _kiosk_client(proxy, backoffice, **transport) -> BackofficeClient:
    return BackofficeClient(proxy.url, timeout=10, terminal_id=TERMINAL,
                            secret=backoffice.terminal_secret_file.read_text().strip(),
                            transport=TransportSettings(**transport))


def _backoffice_log(backoffice) -> str:
    return backoffice.log_file.read_text(errors="replace")


def test_the_kiosk_client_pinning_the_county_ca_signs_a_call_through_the_proxy(proxy, backoffice, pki):
    client = _kiosk_client(proxy, backoffice, ca_file=pki["ca"], pin_sha256=pki["pin"])
    try:
        assert client.whoami()["id"] == TERMINAL  # the signature survived the proxy: path, query and body as sent
        assert client.health()["status"] == "ok"
    finally:
        client.close()


def test_a_client_that_does_not_trust_the_county_ca_is_refused(proxy, backoffice):
    client = _kiosk_client(proxy, backoffice)  # the system's CA store only
    with pytest.raises(BackofficeUnavailable) as refused:
        client.health()
    client.close()
    assert str(refused.value) == UNTRUSTED_CERTIFICATE


@pytest.mark.parametrize("path", ["/metrics", "/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect",
                                  "/%6detrics"])
def test_metrics_and_the_api_documents_are_not_exposed(proxy, pki, path):
    answer = requests.get(proxy.url + path, verify=pki["ca"], timeout=10)
    assert answer.status_code == 404
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json() == {"type": "about:blank", "title": "Not found", "status": 404}


def test_metrics_stay_reachable_on_the_back_office_itself(backoffice):
    assert requests.get(backoffice.url + "/metrics", timeout=10).status_code == 200  # the county's monitoring


def test_plain_http_is_sent_to_https(proxy):
    answer = requests.get(f"http://127.0.0.1:{proxy.http_port}/v1/terminals/me?x=1", allow_redirects=False,
                          timeout=10)
    assert answer.status_code == 301
    assert answer.headers["Location"] == "https://127.0.0.1/v1/terminals/me?x=1"


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_old_protocol_versions_are_refused(proxy, pki):
    context = ssl.create_default_context(cafile=str(pki["ca"]))
    context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
    connection = http.client.HTTPSConnection("127.0.0.1", proxy.https_port, context=context, timeout=10)
    connection.request("GET", "/health")
    assert connection.getresponse().status == 200  # 1.2 is still spoken
    connection.close()
    context = ssl.create_default_context(cafile=str(pki["ca"]))
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("ALL:@SECLEVEL=0")  # the client would; the proxy must not
    connection = http.client.HTTPSConnection("127.0.0.1", proxy.https_port, context=context, timeout=10)
    with pytest.raises(ssl.SSLError):
        connection.request("GET", "/health")
    connection.close()
    # Refused by the proxy, not by this client's own library: nginx says why in its log,
    # written before its one worker takes the next connection.
    assert requests.get(proxy.url + "/health", verify=pki["ca"], timeout=10).ok
    assert "unsupported protocol" in (proxy.folder / "error.log").read_text()


def _posted(backoffice, path: str) -> int:
    """How many POSTs to `path` the back office's access log has."""
    return _backoffice_log(backoffice).count(f"POST {path} ")


def test_a_body_over_the_routes_limit_is_refused_by_the_proxy(proxy, backoffice, pki):
    for path, body, headers in (
            ("/v1/presence/codes", b"{" + b" " * SMALL_BODY + b"}", {"Content-Type": "application/json"}),
            ("/v1/terminals/diagnostics", b"x" * (MAX_BUNDLE_BYTES + 1),
             {"X-Terminal-Id": TERMINAL, "X-Signature": "0" * 64})):
        before = _posted(backoffice, path)
        answer = requests.post(proxy.url + path, data=body, headers=headers, verify=pki["ca"], timeout=60)
        assert answer.status_code == 413, path
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.json()["detail"].startswith("refused by the proxy")
        assert "nginx/" not in answer.headers["Server"]  # server_tokens off
        # The back office logs a request before it answers; the proxy answered without it.
        assert _posted(backoffice, path) == before, path


def test_a_large_routes_body_within_its_limit_reaches_the_back_office(proxy, backoffice, pki):
    """A signed diagnostics bundle far over the small ceiling, within its route's: the
    kiosk's client uploads it through the proxy and the back office stores it."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:
        bundle.writestr("kiosk.log", random.Random(7).randbytes(16 * SMALL_BODY))  # 1 MiB that does not shrink
    client = _kiosk_client(proxy, backoffice, ca_file=pki["ca"], pin_sha256=pki["pin"])
    try:
        stored = client.upload_diagnostics(archive.getvalue())
    finally:
        client.close()
    assert stored["size"] == len(archive.getvalue()) > 16 * SMALL_BODY


def test_the_back_office_logs_the_clients_address_not_the_proxys_nor_a_claimed_one(proxy, backoffice, pki):
    context = ssl.create_default_context(cafile=str(pki["ca"]))
    connection = http.client.HTTPSConnection("127.0.0.1", proxy.https_port, context=context, timeout=10,
                                             source_address=(CLIENT_ADDRESS, 0))
    connection.request("GET", "/ready?from=forwarded-test", headers={"X-Forwarded-For": "203.0.113.9"})
    response = connection.getresponse()
    assert response.status in (200, 503)
    response.read()
    # nginx logs a request once it has answered it, before it reads the next one on the
    # connection: an answer to a second request means the first one's line is written.
    connection.request("GET", "/health")
    connection.getresponse().read()
    connection.close()
    lines = [line for line in _backoffice_log(backoffice).splitlines() if "GET /ready" in line]
    assert lines and f"{CLIENT_ADDRESS}:" in lines[-1], lines[-1:]
    assert "203.0.113.9" not in _backoffice_log(backoffice)
    proxy_lines = [line for line in proxy.access_log.read_text().splitlines() if "GET /ready" in line]
    assert proxy_lines and proxy_lines[-1].startswith(f"{CLIENT_ADDRESS} "), proxy_lines[-1:]
    assert "from=forwarded-test" not in proxy.access_log.read_text()  # the proxy's log keeps paths only

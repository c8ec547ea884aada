"""Two back-office hosts behind the shipped reverse proxy, as the README's "Several
processes and hosts" sets them up: two servers on one PostgreSQL with the same keys, the
real nginx with the shipped site listing both in its upstream, and the kiosk's own client
through it (TLS, the county CA pinned). Requests are spread over both hosts; one host
stopped, the other answers everything, and nothing sent is lost or made twice."""
from __future__ import annotations

import uuid

import pytest

from demo.embedded_backoffice import EmbeddedBackoffice
from services.api import BackofficeClient
from services.transport import TransportSettings
from tests.api.conftest import TERMINAL
from tests.api.database import query
from tests.api.metrics_scrape import heartbeats_counted
from tests.api.submissions import WANG, application
from tests.api.together import started_together
from tests.nginx_proxy import NGINX, NGINX_MISSING, NginxProxy, write_test_pki
from tests.presence import confirm

pytestmark = pytest.mark.skipif(NGINX is None, reason=NGINX_MISSING)

ITEM = "469023-XK-SCJG-0031"
REPORT = {"app_version": "1.0.0", "uptime_s": 60, "devices": {}}


@pytest.fixture(scope="module")
def hosts(postgres_server, tmp_path_factory):
    var = tmp_path_factory.mktemp("hosts")  # one var folder: the same keys and terminal secret on both
    url = postgres_server.create_database("several_hosts")
    first = EmbeddedBackoffice(database=var / "unused.db", database_url=url, log_file=var / "host1.log")
    second = EmbeddedBackoffice(database=var / "unused.db", database_url=url, log_file=var / "host2.log",
                                seed_demo=False)
    with started_together(first, second):
        yield first, second


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return write_test_pki(tmp_path_factory.mktemp("county-pki"))


@pytest.fixture(scope="module")
def proxy(hosts, pki, tmp_path_factory):
    with NginxProxy(tmp_path_factory.mktemp("nginx"), upstream_port=[host.port for host in hosts],
                    certificate=pki["certificate"], key=pki["key"]) as running:
        yield running


@pytest.fixture(scope="module")
def kiosk(hosts, proxy, pki):
    client = BackofficeClient(proxy.url, timeout=10, terminal_id=TERMINAL,
                              secret=hosts[0].terminal_secret_file.read_text().strip(),
                              transport=TransportSettings(ca_file=pki["ca"], pin_sha256=pki["pin"]))
    yield client
    client.close()


def test_the_proxy_spreads_the_kiosks_requests_over_both_hosts(hosts, kiosk):
    before = [heartbeats_counted(host) for host in hosts]
    for _ in range(10):
        assert "commands" in kiosk.heartbeat(REPORT)
    served = [heartbeats_counted(host) - already for host, already in zip(hosts, before)]
    assert sum(served) == 10 and all(count > 0 for count in served), served


def test_a_host_that_stops_is_skipped_and_nothing_is_lost_or_made_twice(hosts, proxy, kiosk):
    guide = kiosk.guide(ITEM)
    grant = confirm(kiosk, hosts[0].phone_inbox, WANG["document_number"])
    hosts[1].stop()  # a host goes down: its connections are refused from now on
    for _ in range(6):
        assert "commands" in kiosk.heartbeat(REPORT)
    key = uuid.uuid4().hex
    first, _receipt = kiosk.submit(application(guide, WANG), key, grant=grant)
    again, _receipt = kiosk.submit(application(guide, WANG), key, grant=grant)  # the kiosk's retry of the same
    assert first.number == again.number
    assert query(hosts[0], "SELECT count(*) FROM cases WHERE number = :number", number=first.number) == [(1,)]
    # The stopped host was still listed and tried: the proxy found it refusing and went on.
    assert "Connection refused) while connecting to upstream" in (proxy.folder / "error.log").read_text()

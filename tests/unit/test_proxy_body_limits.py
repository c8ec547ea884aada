"""The TLS proxy's body ceilings (deploy/nginx/chengmai-backoffice.conf) are the back
office's own (backoffice/body_limits.py), route for route: a smaller one would refuse
submissions the back office takes, a larger one would carry bodies across only to be refused."""
from __future__ import annotations

import re
from pathlib import Path

from backoffice.body_limits import LIMITS, SMALL_BODY

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "chengmai-backoffice.conf"
_SIZE = re.compile(r"^\s*client_max_body_size\s+(\d+)([kKmM]?)\s*;", re.MULTILINE)
_EXACT_LOCATION = re.compile(r"^\s*location\s*=\s*(\S+)\s*\{(.*?)^\s*\}", re.MULTILINE | re.DOTALL)


def _bytes(number: str, unit: str) -> int:
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]


def _https_server(text: str) -> str:
    """The server block that listens with TLS (the other one only redirects)."""
    start = text.index("listen 443 ssl")
    return text[text.rindex("server {", 0, start):]


def proxy_limits() -> tuple[int, dict[str, int]]:
    """The server's default ceiling and each exact location's own."""
    server = _https_server(CONFIG.read_text())
    routes = {path: _bytes(*size.groups()) for path, body in _EXACT_LOCATION.findall(server)
              if (size := _SIZE.search(body))}
    outside_locations = _EXACT_LOCATION.sub("", server)
    defaults = [_bytes(*m.groups()) for m in _SIZE.finditer(outside_locations)]
    assert len(defaults) == 1, f"expected one server-wide client_max_body_size, found {defaults}"
    return defaults[0], routes


def test_the_proxys_default_ceiling_is_the_back_offices_small_body():
    default, _ = proxy_limits()
    assert default == SMALL_BODY


def test_every_large_route_has_the_same_ceiling_at_the_proxy():
    _, routes = proxy_limits()
    back_office = {}
    for method, pattern, limit in LIMITS:
        # An nginx exact location covers a literal path only: a pattern with wildcards needs
        # a regex location, which this test (and the config) would have to learn.
        assert re.escape(pattern.pattern).replace("\\-", "-") == pattern.pattern, pattern.pattern
        assert method == "POST", (method, pattern.pattern)
        back_office[pattern.pattern] = limit
    assert routes == back_office


def test_the_parser_reads_nginx_sizes():
    assert _bytes("64", "k") == SMALL_BODY and _bytes("8", "M") == 8 << 20 and _bytes("262144", "") == 256 * 1024

"""What a scrape of a back office's /metrics says, for tests that count requests."""
from __future__ import annotations

import requests


def heartbeats_counted(server) -> float:
    """The heartbeats answered 200, as one scrape of /metrics tells them (a server of
    several workers counts every worker's)."""
    text = requests.get(f"{server.url}/metrics", timeout=10).text
    line = next((line for line in text.splitlines() if line.startswith("backoffice_requests_total{")
                 and 'route="/v1/terminals/heartbeat"' in line and 'status="200"' in line), None)
    return float(line.rsplit(" ", 1)[1]) if line else 0.0

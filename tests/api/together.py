"""Several back offices on one database, started at once as a county's hosts would be."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from demo.embedded_backoffice import EmbeddedBackoffice


@contextlib.contextmanager
def started_together(*servers: EmbeddedBackoffice, timeout: float = 120) -> Iterator[tuple[EmbeddedBackoffice, ...]]:
    """Starts them all at once (each `serve --migrate`: the migration runs once, under its
    lock) and stops them all afterwards, also when one did not start. The first made the
    passport test PKI beforehand, so they do not both write it."""
    servers[0].passport_pki()
    with ThreadPoolExecutor(len(servers)) as pool:
        failures = [f.exception() for f in [pool.submit(server.start, timeout) for server in servers]]
    try:
        for failure in failures:
            if failure is not None:
                raise failure
        for server in servers:
            server.kind = "postgresql"
        yield servers
    finally:
        for server in servers:
            server.stop()

"""A back office of the module's own (module scope): the chaos tests kill and restart it,
so it is never the session's shared one."""
from __future__ import annotations

import pytest

from demo.embedded_backoffice import EmbeddedBackoffice


@pytest.fixture(scope="module")
def backoffice(tmp_path_factory):
    var = tmp_path_factory.mktemp("bo")
    bo = EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log")
    bo.start()
    yield bo
    bo.stop()

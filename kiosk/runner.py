"""`kiosk-run` (what `make run` calls): the embedded back office plus the kiosk in demo
mode with simulated devices. Without a display it runs the demo tour and exits 0."""
from __future__ import annotations

import sys

from .embedded_backoffice import EmbeddedBackoffice
from .paths import REPO_ROOT


def main(argv: list[str] | None = None) -> int:
    var = REPO_ROOT / "var"
    backoffice = EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log")
    print(f"back office: starting on {backoffice.url}", flush=True)
    with backoffice:
        print(f"back office: ready ({backoffice.url}, SQLite {backoffice.database})", flush=True)
        from .__main__ import main as kiosk_main

        return kiosk_main(["--backoffice-url", backoffice.url, *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    sys.exit(main())

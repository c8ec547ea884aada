"""A stand-in for the kiosk process in the SIGKILL test: it keeps applications and sends
them through the real outbox and sender, printing each kept reference, until it is killed.

python -m tests.e2e.outbox_writer OUTBOX KEYFILE URL SECRETFILE GUIDE_JSON START COUNT
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from services.api import BackofficeClient
from services.deliveries import APPLICATION, deliverers
from services.outbox import Outbox, load_or_create_key
from services.outbox_sender import Backoff, OutboxSender
from tests.e2e.outbox_support import applicant, application_for

TERMINAL = "CM-KIOSK-0001"


def main() -> None:
    outbox_path, key_file, url, secret_file, guide_file, start, count = sys.argv[1:8]
    api = BackofficeClient(url, timeout=3, terminal_id=TERMINAL, secret=Path(secret_file).read_text().strip())
    outbox = Outbox(Path(outbox_path), load_or_create_key(Path(key_file)), terminal_id=TERMINAL)
    sender = OutboxSender(outbox, deliverers(api), Backoff(base_s=0.05, cap_s=0.5))
    guide = json.loads(Path(guide_file).read_text())
    for n in range(int(start), int(start) + int(count)):
        person = applicant(n)
        item = outbox.put(APPLICATION, application_for(guide, person), f"writer-{n}",
                          applicant=person["document_number"])
        print(n, item.reference, flush=True)  # kept: the citizen would now be told so
        sender.deliver_now(item, wait_s=5)


if __name__ == "__main__":
    main()

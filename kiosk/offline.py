"""Offline-first plumbing for the app, no Kivy: the outbox, its sender, the catalogue's
local copy and whether the back office answered lately, built from kiosk.toml:

    [catalogue]
    refresh_s = 3600                # the kiosk's copy of the catalogue, refreshed while online

    [outbox]
    path = "outbox/outbox.sqlite"   # relative to var_dir
    key_file = ""                   # default: outbox.key beside the terminal secret
    retry_base_s = 2                # first retry; doubles up to retry_cap_s, with jitter
    retry_cap_s = 300
    max_attempts = 10               # server errors before an item is parked for staff

On an installed kiosk the terminal secret and the outbox key live in /etc, the outbox in
/var/lib: a copied disk image of the data alone does not open the applications in it.
There the key holder ([backoffice] key_holder_socket) keeps the outbox key, and seals
and opens for the outbox; key_file is then its file, not read by the kiosk.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

from kiosk.config import KioskConfig
from services.api import BackofficeClient
from services.catalogue_cache import CatalogueCache, CatalogueRefresher
from services.deliveries import deliverers
from services.outbox import Outbox, OutboxSealer, load_or_create_key
from services.outbox_sender import Backoff, OutboxSender

log = logging.getLogger(__name__)


class Reachability:
    """Whether the back office answered the last request anyone made (the client reports
    every one: BackofficeClient.on_reachable). Changes are reported once, to the callback
    (the top bar's title)."""

    def __init__(self, on_change: Callable[[bool], None] = lambda _online: None):
        self.online = True
        self._on_change = on_change
        self._lock = threading.Lock()

    def report(self, online: bool) -> None:
        with self._lock:
            changed, self.online = online != self.online, online
        if changed:
            log.info("back office reachability changed", extra={"online": online})
            self._on_change(online)


def outbox_paths(config: KioskConfig) -> tuple[Path, Path]:
    section = config.raw.get("outbox", {})
    path = config.var_dir / str(section.get("path", "outbox/outbox.sqlite"))
    key_file = section.get("key_file") or ""
    key = Path(key_file) if key_file else config.terminal_secret_file.parent / "outbox.key"
    if not key.is_absolute():
        key = config.var_dir / key
    return path, key


def build_outbox(config: KioskConfig, api: BackofficeClient,
                 key_holder: OutboxSealer | None = None) -> tuple[Outbox, OutboxSender]:
    """With a key holder the outbox seals through it and this process never reads the key."""
    section = config.raw.get("outbox", {})
    path, key_file = outbox_paths(config)
    key_holder = key_holder if key_holder is not None else config.key_holder()
    sealer = key_holder if key_holder is not None else load_or_create_key(key_file)
    outbox = Outbox.open(path, sealer, terminal_id=config.terminal_id)
    backoff = Backoff(base_s=float(section.get("retry_base_s", 2)), cap_s=float(section.get("retry_cap_s", 300)),
                      max_attempts=int(section.get("max_attempts", 10)))
    sender = OutboxSender(outbox, deliverers(api), backoff)
    return outbox, sender


def build_catalogue(config: KioskConfig, api: BackofficeClient) -> tuple[CatalogueCache, CatalogueRefresher]:
    section = config.raw.get("catalogue", {})
    cache = CatalogueCache(api, config.var_dir / "cache" / "catalogue.json")
    return cache, CatalogueRefresher(cache, refresh_s=float(section.get("refresh_s", 3600)))

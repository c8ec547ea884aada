"""Kiosk updates from afar: signed release bundles (domain/release_manifest.py, build.py), checked on the
kiosk (verify.py), installed beside the running version and switched by a symlink
(layout.py, also the unit's start guard), watched on probation and rolled back by itself
(updater.py). The back office only stores and hands out what the county signed
(backoffice/releases.py); the kiosk trusts the signature, never the transport."""

"""`kiosk-diag`: maintenance commands for a technician at the kiosk or over SSH.

Each module in this package that defines `register(subparsers)` adds one device group
(e.g. `kiosk-diag idcard ...`); modules are discovered, so adding a device adds a file
and touches nothing else.
"""

"""Maintenance mode's core, without Kivy: who may enter (PIN with lockout, maintenance
card allowlist), whether the kiosk serves citizens, and an audit file of both.

Everything lives under `<var_dir>/maintenance/`: `pin.hash`, `lockout.json`,
`service_state.json` (each written atomically, mode 0600) and `audit.jsonl` (appended).
No PIN, digit of a PIN or card identifier is ever written anywhere in clear.
"""

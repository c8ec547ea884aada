"""Encryption at rest, keyed lookups, passwords, terminal signatures, staff tokens, QR tokens."""

"""The key holder: a small process, run as its own user, that holds the terminal secret and
the outbox key and signs and seals for the kiosk over a Unix socket (server.py), and the
kiosk's side of it (client.py). The wire format is protocol.py."""

"""Texts to citizens' phones: registered templates (templates.py), providers behind one
interface (providers.py), and a durable send table with retries (gateway.py). One-time
codes for presence grants go through it now; case notices will."""

"""Identity document readers: one facade, backends chosen by the hardware profile."""
from .facade import CardEvent, CardInserted, CardReadError, CardRemoved, IdCardBackend, IdCardReader

__all__ = ["CardEvent", "CardInserted", "CardReadError", "CardRemoved", "IdCardBackend", "IdCardReader"]

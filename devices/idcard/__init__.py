"""Identity document readers: one facade, backends chosen by the hardware profile."""
from .facade import CardEvent, CardInserted, CardPresented, CardReadError, CardRemoved, IdCardBackend, IdCardReader

__all__ = ["CardEvent", "CardInserted", "CardPresented", "CardReadError", "CardRemoved", "IdCardBackend",
           "IdCardReader"]

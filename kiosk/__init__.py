"""Self-service kiosk of the Chengmai County one-window service reform."""

__version__ = "0.1.0"

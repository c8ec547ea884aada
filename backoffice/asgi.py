"""ASGI entry point for production: `uvicorn backoffice.asgi:app --workers N` (settings
from the environment; run `kiosk-backoffice migrate` once before starting)."""
from .app import create_app

app = create_app()

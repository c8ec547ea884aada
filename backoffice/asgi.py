"""ASGI entry point for production: `uvicorn backoffice.asgi:app --workers N` (settings
from the environment; run `kiosk-backoffice migrate` once before starting)."""
from .app import create_app
from .logging_setup import install_on_running_server

install_on_running_server()
app = create_app()

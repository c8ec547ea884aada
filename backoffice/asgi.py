"""ASGI entry point for another ASGI server (`uvicorn backoffice.asgi:app`): settings from
the environment; run `kiosk-backoffice migrate` once before starting. The service runs
`kiosk-backoffice serve --workers N` instead (backoffice.app.worker_app in each worker)."""
from .app import create_app
from .logging_setup import install_on_running_server

install_on_running_server()
app = create_app()

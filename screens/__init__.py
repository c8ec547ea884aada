"""One module per screen, each with its .kv rules. Screens read the session and call the
controller; they never import device drivers or the HTTP client."""
from pathlib import Path

KV_DIR = Path(__file__).resolve().parent

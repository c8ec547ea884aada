"""The demo kiosk the probes measure, started the same way for each: its own var dir, the
demo profile, the back office on loopback, Kivy headless. Kivy is imported only after
kivy_env.prepare, so a probe module imports this freely."""
from __future__ import annotations

import tempfile
from pathlib import Path


def start_demo_kiosk(url: str, secret_file: str, prefix: str):
    """A prepared KioskApp (build done, no main loop): the caller drives it."""
    from kiosk.config import load_config
    from kiosk.runtime import kivy_env

    var = Path(tempfile.mkdtemp(prefix=prefix))
    config = load_config(environ={}, overrides={"kiosk.var_dir": str(var), "backoffice.url": url,
                                                "backoffice.terminal_secret_file": secret_file,
                                                "kiosk.hardware_profile": "demo"})
    kivy_env.prepare(var, config.profile.window_size, headless=True)
    from kiosk.app import KioskApp

    app = KioskApp(config)
    app._run_prepare()
    return app

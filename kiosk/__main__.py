"""`python -m kiosk`: start the kiosk (a window, or the headless demo tour)."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kiosk.config import load_config
from kiosk.logs import configure_logging
from kiosk.runtime import kivy_env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk", description=__doc__)
    parser.add_argument("--config", type=Path, help="kiosk TOML file (default config/kiosk.toml)")
    parser.add_argument("--backoffice-url", help="override [backoffice] url")
    parser.add_argument("--var-dir", type=Path, help="runtime files (default var/)")
    parser.add_argument("--backoffice-secret-file", type=Path, help="the terminal's HMAC secret file")
    parser.add_argument("--profile", help="hardware profile in config/profiles/ (default from the config)")
    parser.add_argument("--tour", type=Path, metavar="DIR",
                        help="run the scripted demo tour offscreen and write screenshots to DIR")
    args = parser.parse_args(argv)

    overrides = {}
    if args.backoffice_url:
        overrides["backoffice.url"] = args.backoffice_url
    if args.var_dir:
        overrides["kiosk.var_dir"] = str(args.var_dir.resolve())
    if args.backoffice_secret_file:
        overrides["backoffice.terminal_secret_file"] = str(args.backoffice_secret_file.resolve())
    if args.profile:
        overrides["kiosk.hardware_profile"] = args.profile
    try:
        config = load_config(args.config, overrides)
    except ValueError as exc:  # e.g. plain http to a remote back office: said, never downgraded
        print(f"kiosk: configuration refused: {exc}", file=sys.stderr)
        return 2
    configure_logging(config.var_dir / "log")
    if args.tour is None and not kivy_env.has_display():
        if not config.demo:  # a county's kiosk: never the demo tour against its real back office
            print("kiosk: no display to show the kiosk on (DISPLAY is not set). Start it in its X session "
                  "(the chengmai-kiosk user service), or pass --tour DIR to run the demo tour on purpose.",
                  file=sys.stderr)
            return 2
        args.tour = config.var_dir / "tour"  # the demo with nobody to see a window: show the tour instead
    kivy_env.prepare(config.var_dir, config.profile.window_size, headless=args.tour is not None)

    from kiosk.app import KioskApp  # imports Kivy: only after the environment is prepared

    app = KioskApp(config)
    if args.tour is None:
        app.run()
        return app.exit_code  # 75 after a restart asked for in maintenance mode

    from demo.tour import run_tour

    app._run_prepare()  # build and open the window, without a main loop (the tour's frames do the rest)
    try:
        shots = run_tour(app, args.tour)
    finally:
        app.stop()
    for path in shots:
        print(path)
    print((args.tour / "journeys.md").read_text(encoding="utf-8"))
    logging.getLogger(__name__).info("tour finished", extra={"screens": len(shots)})
    return 0


if __name__ == "__main__":
    sys.exit(main())

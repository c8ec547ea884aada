"""`kiosk-backoffice serve | seed`: run the county back office or load demo data."""
from __future__ import annotations

import argparse
import logging
import sys

from .settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk-backoffice", description=__doc__)
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite under var/)")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--seed-demo", action="store_true", help="load demo data if empty")

    sub.add_parser("seed", help="load demo people's cases if the database is empty")

    args = parser.parse_args(argv)
    settings = Settings.from_env(args.database_url)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from .app import create_app  # FastAPI is imported only when a command needs it

    app = create_app(settings)
    if args.command == "seed" or getattr(args, "seed_demo", False):
        from .seed import seed_demo

        with app.state.sessions() as session:
            count = seed_demo(session, settings.lookup_key)
        print(f"seeded {count} demo cases" if count else "database already has cases; seed skipped")
        if args.command == "seed":
            return 0

    import uvicorn

    # Access logs are off: request lines carry query strings, which may hold ID numbers.
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())

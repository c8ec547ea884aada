"""`kiosk-backoffice serve | migrate | seed | load-catalogue | calendar | create-staff |
enroll-totp | rotate-terminal-secret | backup | backup-info | restore | disable-staff |
enable-staff | register-terminal | disable-terminal | enable-terminal | sweep | audit export |
audit verify | face match`."""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from . import face_cli
from .logging_setup import configure_logging, uvicorn_log_config
from .metrics import MULTIPROCESS_DIR
from .settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk-backoffice", description=__doc__)
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite under var/)")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--workers", type=_at_least_one, default=1, metavar="N",
                       help="server processes, each with its own connections (PostgreSQL only: SQLite "
                            "serves from one process); about one per core")
    serve.add_argument("--forwarded-allow-ips", default="127.0.0.1",
                       help="comma-separated addresses whose X-Forwarded-For/-Proto are believed: the TLS "
                            "proxy's (deploy/nginx); anyone else's claim is ignored")
    serve.add_argument("--migrate", action="store_true", help="upgrade the schema first")
    serve.add_argument("--seed-demo", action="store_true", help="load demo data where tables are empty")
    serve.add_argument("--terminal-secret-file", type=Path,
                       help="with --seed-demo: register the demo terminal and write its secret here")

    migrate = sub.add_parser("migrate", help="upgrade (or downgrade) the database schema")
    migrate.add_argument("revision", nargs="?", default="head")
    migrate.add_argument("--down", action="store_true", help="downgrade to REVISION (default base)")

    seed = sub.add_parser("seed", help="load the catalogue and demo data where tables are empty")
    seed.add_argument("--terminal-secret-file", type=Path)
    catalogue = sub.add_parser("load-catalogue", help="load or refresh the item catalogue from a data file")
    catalogue.add_argument("path", type=Path)
    catalogue.add_argument("--check", action="store_true", help="only check the file: every problem, nothing loaded")

    _calendar_parser(sub)
    audit_log = sub.add_parser("audit", help="the keyed audit chain: export it, or check an export with the key")
    audit_verbs = audit_log.add_subparsers(dest="verb", required=True)
    exported = audit_verbs.add_parser("export", help="the chain as JSON lines, each with its MAC")
    exported.add_argument("--after-id", type=int, default=0, help="only entries after this one")
    exported.add_argument("--output", type=Path, help="a file (default: standard output)")
    checked = audit_verbs.add_parser("verify", help="check an export with the audit key (exit 1 when broken); "
                                                    "without a file, the database's chain")
    checked.add_argument("file", type=Path, nargs="?")

    staff = sub.add_parser("create-staff", help="add a staff account (password asked, or BACKOFFICE_NEW_PASSWORD)")
    staff.add_argument("username")
    staff.add_argument("--role", required=True, choices=("clerk", "approver", "supervisor", "admin"))
    staff.add_argument("--department", default="")

    backup = sub.add_parser("backup", help="an online backup of the database into a new folder under DIR; with "
                                           "--keys, the keys too, sealed with BACKOFFICE_BACKUP_PASSPHRASE")
    backup.add_argument("folder", type=Path)
    backup.add_argument("--keys", action="store_true", help="also the keys, sealed with the passphrase")
    backup.add_argument("--keep", type=_at_least_one, metavar="N",
                        help="then delete all but the newest N backups in DIR")
    info = sub.add_parser("backup-info", help="a backup's manifest and how many cases were received after it "
                                              "was taken (restoring it would lose them), as JSON")
    info.add_argument("backup", type=Path)
    restored = sub.add_parser("restore", help="put a backup's database back (the server stopped) and end every "
                                              "staff token; --keys-to FILE writes its keys as settings")
    restored.add_argument("backup", type=Path)
    restored.add_argument("--keys-to", type=Path, help="where to write the backup's keys (BACKOFFICE_* lines, 0600)")

    rotated = sub.add_parser("rotate-terminal-secret", help="a new secret for a terminal, printed once; the old "
                                                            "one keeps working for the overlap or until the new "
                                                            "one is used")
    rotated.add_argument("terminal_id")

    enrol = sub.add_parser("enroll-totp", help="give a staff account a new authenticator secret (an earlier one "
                                               "stops working); prints it once, with the otpauth:// address to scan")
    enrol.add_argument("username")

    terminal = sub.add_parser("register-terminal", help="register a terminal; prints its secret once")
    terminal.add_argument("terminal_id")
    terminal.add_argument("--name", default="")
    terminal.add_argument("--location", default="")

    for verb, who, text in (
            ("disable-terminal", "terminal_id", "cut a terminal off at once: its requests are refused"),
            ("enable-terminal", "terminal_id", "let a disabled terminal back"),
            ("disable-staff", "username", "disable a staff account: its sign-ins and tokens are refused"),
            ("enable-staff", "username", "let a disabled staff account sign in again")):
        switch = sub.add_parser(verb, help=text)
        switch.add_argument(who)
        if verb.startswith("disable"):
            switch.add_argument("--reason", default="", help="why, for the audit log")

    sub.add_parser("sweep", help="supervision sweep: overdue marks, expired 容缺 terminations, alerts")
    _release_parser(sub)
    face_cli.add_parser(sub)

    args = parser.parse_args(argv)
    settings = Settings.from_env(args.database_url)
    configure_logging()
    if args.command == "face":  # the model on two files: no database, no server
        return face_cli.run_face(args, settings.face_match_threshold)

    from . import migrations_runner

    if args.command == "migrate":
        if args.down:
            migrations_runner.downgrade(settings.database_url, args.revision if args.revision != "head" else "base")
        else:
            migrations_runner.upgrade(settings.database_url, args.revision)
        print(f"schema at {migrations_runner.current_revision(_engine(settings))}")
        return 0
    if args.command == "serve" and args.workers > 1 and settings.database_url.startswith("sqlite"):
        print("kiosk-backoffice serve: SQLite serves from one process; --workers needs PostgreSQL "
              "(BACKOFFICE_DATABASE_URL)", file=sys.stderr)
        return 2
    if args.command == "serve" and args.migrate:
        migrations_runner.upgrade(settings.database_url)

    from .app import create_app
    from .routes.deps import context_for

    app = create_app(settings)
    sessions = app.state.sessions

    if args.command in ("seed",) or (args.command == "serve" and args.seed_demo):
        from .seed import seed_demo

        secret_file = args.terminal_secret_file
        secret = _read_or_new_secret(secret_file) if secret_file else None
        with sessions() as session:
            result = seed_demo(session, context_for(app, session), terminal_secret=secret)
        if secret_file and "terminal_secret" in result:
            secret_file.parent.mkdir(parents=True, exist_ok=True)
            secret_file.write_text(result.pop("terminal_secret"))
            secret_file.chmod(0o600)
        if args.command == "seed":
            print("seed: " + (json.dumps(result, ensure_ascii=False) if result else "nothing to do"))
            return 0
        logging.getLogger(__name__).info("demo data seeded", extra={k: json.dumps(v) for k, v in result.items()})
    if args.command == "load-catalogue":
        return _load_catalogue(sessions, args)
    if args.command == "calendar":
        from .calendar_cli import run_calendar

        with sessions() as session:
            return run_calendar(session, context_for(app, session), args)
    if args.command == "audit":
        return _audit(sessions, settings, args)
    if args.command == "create-staff":
        return _create_staff(sessions, args)
    if args.command in ("backup", "restore", "backup-info"):
        return _backup_or_restore(settings, sessions, args)
    if args.command == "rotate-terminal-secret":
        from .terminals import rotate_secret

        with sessions() as session:
            rotation = rotate_secret(session, app.state.vault, args.terminal_id, settings.terminal_secret_overlap_s,
                                     "system:cli")
        if rotation is None:
            print(f"no terminal {args.terminal_id}", file=sys.stderr)
            return 1
        secret, until = rotation
        print(json.dumps({"id": args.terminal_id, "secret": secret,
                          "previous_valid_until": until.isoformat() + "Z" if until else None}))
        return 0
    if args.command == "enroll-totp":
        from .auth import enroll_second_factor
        from .security.totp import provisioning_uri

        with sessions() as session:
            secret = enroll_second_factor(session, app.state.vault, args.username, "system:cli")
        if secret is None:
            print(f"no staff account {args.username}", file=sys.stderr)
            return 1
        print(json.dumps({"username": args.username, "secret": secret,
                          "uri": provisioning_uri(secret, args.username)}, ensure_ascii=False))
        return 0
    if args.command == "register-terminal":
        from .terminals import register

        with sessions() as session:
            secret = register(session, app.state.vault, args.terminal_id, args.name, args.location, "system:cli")
            session.commit()
        print(json.dumps({"id": args.terminal_id, "secret": secret}))
        return 0
    if args.command in ("disable-terminal", "enable-terminal", "disable-staff", "enable-staff"):
        from .staff_accounts import set_disabled as set_staff_disabled
        from .terminals import set_disabled as set_terminal_disabled

        noun, name, setter = (("terminal", args.terminal_id, set_terminal_disabled) if "terminal" in args.command
                              else ("staff account", args.username, set_staff_disabled))
        disable = args.command.startswith("disable")
        with sessions() as session:
            if not setter(session, name, disable, getattr(args, "reason", ""), "system:cli"):
                print(f"no {noun} {name}", file=sys.stderr)
                return 1
        print(f"{name} {'disabled' if disable else 'enabled'}")
        return 0
    if args.command == "release":
        return _release(sessions, args)
    if args.command == "sweep":
        from .supervision import sweep

        with sessions() as session:
            print(json.dumps(sweep(session, context_for(app, session))))
        return 0

    import uvicorn

    # The access log has every request, its path only (logging_setup.PathOnly).
    # The proxy's forwarded address is the client's, in the access log and for metrics_from:
    # without it every request through the proxy would look like this machine's own.
    options = dict(host=args.host, port=args.port, access_log=True, log_level="info",
                   log_config=uvicorn_log_config(), proxy_headers=True,
                   forwarded_allow_ips=args.forwarded_allow_ips)
    if args.workers == 1:
        uvicorn.run(app, **options)
        return 0
    # Each worker is a new process that builds its own app from the environment: the URL
    # given here goes there too, and this process's connections are not inherited.
    os.environ["BACKOFFICE_DATABASE_URL"] = settings.database_url
    app.state.engine.dispose()
    # The workers' request counts, summed by whichever answers a scrape (app._install_metrics);
    # a new folder each start, so no count of an earlier run is added in.
    counts = tempfile.mkdtemp(prefix="backoffice-metrics-")
    os.environ[MULTIPROCESS_DIR] = counts
    try:
        uvicorn.run("backoffice.app:worker_app", factory=True, workers=args.workers, **options)
    finally:
        shutil.rmtree(counts, ignore_errors=True)
    return 0


def _release_parser(sub) -> None:
    release = sub.add_parser("release", help="kiosk releases: publish a signed one, roll it out by rings, "
                                             "see where each stands")
    verbs = release.add_subparsers(dest="verb", required=True)
    published = verbs.add_parser("publish", help="store a release built by kiosk-release (the manifest and "
                                                 "the tarball beside it) for the kiosks to fetch")
    published.add_argument("manifest", type=Path, help="chengmai-kiosk-VERSION.manifest.json")
    published.add_argument("--tarball", type=Path, help="default: the manifest's tarball, in the same folder")
    rolled = verbs.add_parser("rollout", help="queue `update VERSION`: --ring 0 for one kiosk, then --ring all "
                                              "(refused until ring 0 runs it healthy)")
    rolled.add_argument("version")
    rolled.add_argument("--ring", choices=("0", "all"), required=True)
    rolled.add_argument("--terminal", default="", help="ring 0's kiosk")
    verbs.add_parser("status", help="the published releases, their ring 0 and how many kiosks run each")


def _release(sessions, args) -> int:
    from domain.release_manifest import ManifestError, parse

    from . import releases
    from .errors import ApiError

    try:
        with sessions() as session:
            if args.verb == "publish":
                manifest = args.manifest.read_bytes()
                tarball = args.tarball or args.manifest.parent / parse(manifest).tarball
                done = releases.publish(session, manifest, tarball.read_bytes(), "system:cli")
                print(json.dumps({"version": done.version, "sequence": done.sequence, "size": done.size}))
            elif args.verb == "rollout":
                queued = releases.rollout(session, args.version, args.ring, "system:cli", args.terminal)
                print(json.dumps({"version": args.version, "ring": args.ring, "queued": queued}))
            else:
                print(json.dumps({"releases": releases.listing(session)}, ensure_ascii=False, indent=2))
    except (ApiError, ManifestError, OSError) as exc:
        print(f"release {args.verb}: {getattr(exc, 'detail', None) or exc}", file=sys.stderr)
        return 1
    return 0


def _calendar_parser(sub) -> None:
    calendar = sub.add_parser("calendar", help="the working-day calendar: import a year's arrangement, list, "
                                               "set or delete days, see how far ahead it knows")
    verbs = calendar.add_subparsers(dest="verb", required=True)
    imported = verbs.add_parser("import", help="import the State Council's holiday arrangement for a year "
                                               "(deploy/calendar/README.md); declares the year")
    imported.add_argument("file", type=Path)
    imported.add_argument("--check", action="store_true", help="validate only, change nothing")
    listed = verbs.add_parser("list", help="the imported years and the override days")
    listed.add_argument("--year", type=int)
    listed.add_argument("--json", action="store_true")
    day = verbs.add_parser("set", help="set one day by hand (a typhoon closure, a day given back)")
    day.add_argument("day", type=_iso_date)
    day.add_argument("kind", choices=("working", "rest"))
    day.add_argument("--reason", default="")
    deleted = verbs.add_parser("delete", help="delete one day's override")
    deleted.add_argument("day", type=_iso_date)
    verbs.add_parser("status", help="how far ahead the calendar knows every day; exit 1 while "
                                    "supervisors should be warned")


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def _iso_date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _engine(settings):
    from .db import make_engine

    return make_engine(settings.database_url)


def _read_or_new_secret(path: Path) -> str:
    import secrets

    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    return secrets.token_urlsafe(32)


def _audit(sessions, settings, args) -> int:
    from . import audit

    if args.verb == "export":
        with sessions() as session:
            if args.output is None:
                count = audit.export(session, sys.stdout, args.after_id)
            else:
                with open(args.output, "w", encoding="utf-8") as out:
                    count = audit.export(session, out, args.after_id)
        print(f"exported {count} entries", file=sys.stderr)
        return 0
    if args.file is not None:
        with open(args.file, encoding="utf-8") as lines:
            intact, checked, broken = audit.verify_export(settings.audit_key, lines)
    else:
        with sessions() as session:
            intact, checked, broken = audit.verify_chain(session)
    print(json.dumps({"intact": intact, "checked": checked, "first_broken_id": broken}))
    return 0 if intact else 1


def _backup_or_restore(settings, sessions, args) -> int:
    from . import backup

    passphrase = os.environ.get("BACKOFFICE_BACKUP_PASSPHRASE", "")
    try:
        if args.command == "backup":
            if args.keys and not passphrase:
                if not sys.stdin.isatty():  # a timer's run: nobody to ask, and no backup of unsealed keys
                    raise backup.BackupError("--keys needs BACKOFFICE_BACKUP_PASSPHRASE (at least 12 characters)")
                passphrase = getpass.getpass("passphrase for the keys: ")
            print(backup.take(settings, args.folder, passphrase if args.keys else ""))
            if args.keep is not None:
                from .backup_retention import prune

                for old in prune(args.folder, args.keep):
                    print(f"deleted {old}", file=sys.stderr)
            return 0
        if args.command == "backup-info":
            manifest = backup.read_manifest(args.backup)
            print(json.dumps({**manifest, "cases_since": backup.cases_since(args.backup, sessions)}))
            return 0
        if args.keys_to:
            manifest = backup.read_manifest(args.backup)
            if not manifest.get("keys"):
                print("this backup holds no keys", file=sys.stderr)
                return 1
            keys = backup.open_keys((args.backup / manifest["keys"]).read_bytes(),
                                    passphrase or getpass.getpass("passphrase of the keys: "))
            descriptor = os.open(args.keys_to, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.writelines(f"{name}={value}\n" for name, value in keys.items())
        print(json.dumps(backup.restore(settings, args.backup, sessions)))
        return 0
    except backup.BackupError as exc:
        print(f"kiosk-backoffice {args.command}: {exc}", file=sys.stderr)
        return 1


def _load_catalogue(sessions, args) -> int:
    import socket

    from . import locks
    from .catalogue import LOAD_LOCK, load_catalogue
    from .catalogue_check import CatalogueInvalid, read_catalogue

    try:
        if args.check:
            data, _raw = read_catalogue(args.path)
            print(f"{args.path}: can be loaded ({len(data['items'])} items)")
            return 0
        with sessions() as session:
            # Two loads at once would both take the next version number.
            holder = f"{socket.gethostname()}:{os.getpid()}"
            if not locks.try_acquire(session, LOAD_LOCK, holder, ttl_s=600):
                print("another catalogue load is running; nothing changed: try again when it has finished",
                      file=sys.stderr)
                return 1
            try:
                print(json.dumps(load_catalogue(session, args.path, actor="system:cli")))
            finally:
                session.rollback()  # whatever a failed load left, so the release commits only itself
                locks.release(session, LOAD_LOCK, holder)
    except CatalogueInvalid as invalid:
        print(f"{args.path}: not loaded, nothing changed ({len(invalid.problems)} problem(s)):", file=sys.stderr)
        for problem in invalid.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


def _create_staff(sessions, args) -> int:
    from .staff_accounts import PASSWORD_MIN, AccountRefused, create

    password = os.environ.get("BACKOFFICE_NEW_PASSWORD") or getpass.getpass("password: ")
    try:
        with sessions() as session:
            create(session, args.username, password, args.role, args.department, "system:cli")
    except AccountRefused as refused:
        print({"password": f"password must have at least {PASSWORD_MIN} characters",
               "taken": f"there is already an account {args.username}",
               "username": "a username is 2-64 letters, digits, '.', '_' or '-'",
               "department": f"no department {args.department!r} in the catalogue"}.get(refused.reason, refused.reason),
              file=sys.stderr)
        return 2
    print(f"created {args.role} {args.username}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

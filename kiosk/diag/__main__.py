"""Entry point of `kiosk-diag`. Exit codes: 0 ok; others are defined per command."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import kiosk.diag as package


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-diag", description="Kiosk device diagnostics")
    groups = parser.add_subparsers(dest="group", required=True, metavar="DEVICE")
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        if hasattr(module, "register"):
            module.register(groups)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

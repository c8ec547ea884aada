"""Every logging call site of the kiosk and the back office, found by walking the source,
logs no personal data: each one's record is built with its real message template and its
real `extra` keys, every %-argument, f-string value, `extra` value and exception message
filled with an ID number, a mobile number or a Chinese name, and written through the
kiosk's real log handler (its filter and JSON formatter). None of the samples may survive."""
from __future__ import annotations

import ast
import io
import json
import logging
import logging.config
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from backoffice.logging_setup import configure_logging as configure_backoffice_logging
from backoffice.logging_setup import uvicorn_log_config
from domain.scrub import PersonalDataFilter
from kiosk.logs import configure_logging
from kiosk.paths import REPO_ROOT as ROOT

PACKAGES = ("kiosk", "services", "devices", "screens", "backoffice")
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "warn": logging.WARNING,
          "error": logging.ERROR, "exception": logging.ERROR, "critical": logging.CRITICAL,
          "fatal": logging.CRITICAL, "log": logging.WARNING}
RECEIVER = re.compile(r"^_*(log|logger|logging)$", re.IGNORECASE)
SPECIFIER = re.compile(r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[a-zA-Z%])")

ID_NUMBER = "469023195801041234"
MOBILE = "13812345678"
NAME = "王建国"
SAMPLES = {"id": ID_NUMBER, "mobile": MOBILE, "name": NAME}
# What must not be in a line: the sample itself, and for an ID number its birth date.
FORBIDDEN = {"id": (ID_NUMBER, "19580104"), "mobile": (MOBILE,), "name": (NAME, NAME[1:])}
UNKNOWN_EXTRA = "detail"  # stands for the keys of an `extra` that is not a literal dict


@dataclass
class CallSite:
    path: Path
    line: int
    level: int
    template: str | None  # None: the message itself is computed at run time
    pieces: list = field(default_factory=list)  # an f-string: literal text and None for each value
    n_args: int = 0
    extra_keys: list[str] = field(default_factory=list)
    exc_info: bool = False

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _is_log_call(node: ast.Call) -> bool:
    func = node.func
    if not isinstance(func, ast.Attribute) or func.attr not in LEVELS:
        return False
    receiver = func.value
    if isinstance(receiver, ast.Name):
        return bool(RECEIVER.match(receiver.id))
    if isinstance(receiver, ast.Attribute):  # self.log, self._logger
        return bool(RECEIVER.match(receiver.attr))
    if isinstance(receiver, ast.Call):  # logging.getLogger(__name__).info(...)
        inner = receiver.func
        return isinstance(inner, ast.Attribute) and inner.attr == "getLogger"
    return False


def _call_site(path: Path, node: ast.Call) -> CallSite:
    method = node.func.attr
    args = list(node.args[1:] if method == "log" else node.args)
    site = CallSite(path, node.lineno, LEVELS[method], None, exc_info=method == "exception")
    message = args[0] if args else next((k.value for k in node.keywords if k.arg == "msg"), None)
    if isinstance(message, ast.Constant) and isinstance(message.value, str):
        site.template = message.value
    elif isinstance(message, ast.JoinedStr):
        site.pieces = [v.value if isinstance(v, ast.Constant) else None for v in message.values]
    site.n_args = max(len(args) - 1, 0)
    for keyword in node.keywords:
        if keyword.arg == "exc_info":
            site.exc_info = not (isinstance(keyword.value, ast.Constant) and not keyword.value.value)
        elif keyword.arg == "extra":
            site.extra_keys = _extra_keys(keyword.value)
    return site


def _extra_keys(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Dict):
        keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        return keys + ([UNKNOWN_EXTRA] if len(keys) < len(node.keys) else [])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return [k.arg for k in node.keywords if k.arg] + ([UNKNOWN_EXTRA] if node.args else [])
    return [UNKNOWN_EXTRA]


def find_call_sites() -> list[CallSite]:
    sites = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            sites += [_call_site(path, node) for node in ast.walk(tree)
                      if isinstance(node, ast.Call) and _is_log_call(node)]
    return sites


def _argument(conv: str, sample: str):
    if conv in "diouxXc":
        return int(MOBILE)  # a number cannot carry a name or an X; the mobile number it is
    if conv in "eEfFgG":
        return float(MOBILE)
    return sample


def _message_and_args(site: CallSite, sample: str):
    if site.pieces:
        return "".join(sample if p is None else p for p in site.pieces), ()
    if site.template is None:
        return sample, ()
    specifiers = [m for m in SPECIFIER.finditer(site.template) if m.group("conv") != "%"]
    if any(m.group("key") for m in specifiers):
        return site.template, ({m.group("key"): _argument(m.group("conv"), sample) for m in specifiers},)
    convs = [m.group("conv") for m in specifiers]
    return site.template, tuple(_argument(convs[i] if i < len(convs) else "s", sample)
                                for i in range(site.n_args))


def _record(site: CallSite, sample: str) -> logging.LogRecord:
    message, args = _message_and_args(site, sample)
    exc_info = None
    if site.exc_info:
        try:
            raise RuntimeError(f"lookup failed for {sample}")
        except RuntimeError as exc:
            exc_info = (type(exc), exc, exc.__traceback__)
    module = ".".join(site.path.relative_to(ROOT).with_suffix("").parts)
    return logging.getLogger(module).makeRecord(
        module, site.level, str(site.path), site.line, message, args, exc_info,
        extra={key: sample for key in site.extra_keys})


@pytest.fixture
def kiosk_log(tmp_path):
    """The kiosk's real logging set-up; the root logger's handlers put back afterwards."""
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    configure_logging(tmp_path)
    handler = next(h for h in root.handlers if isinstance(h, logging.FileHandler))
    yield handler, tmp_path / "kiosk.jsonl"
    for h in root.handlers[:]:
        root.removeHandler(h)
        h.close()
    for h in saved:
        root.addHandler(h)
    root.setLevel(level)


SITES = find_call_sites()


def test_the_walker_finds_the_call_sites():
    assert len(SITES) > 50
    for package in PACKAGES:  # each package's sites, so a walker blind to one shows
        assert any(s.path.is_relative_to(ROOT / package) for s in SITES), package
    dynamic = [s for s in SITES if s.n_args or s.extra_keys or s.exc_info or s.template is None]
    assert len(dynamic) > 40  # sites that fill something in: the ones the samples test


def test_no_call_site_logs_personal_data(kiosk_log):
    handler, path = kiosk_log
    leaks, filled = [], 0
    for site in SITES:
        for kind, sample in SAMPLES.items():
            start = path.stat().st_size
            handler.handle(_record(site, sample))
            with path.open(encoding="utf-8") as log_file:
                log_file.seek(start)
                line = log_file.read()
            json.loads(line)  # one JSON line per record, whatever was filled in
            filled += kind == "id" and "4690**********1234" in line  # the sample arrived, masked
            leaks += [f"{site.where} ({kind}): {line.strip()}" for bad in FORBIDDEN[kind] if bad in line]
    assert not leaks, "personal data logged:\n" + "\n".join(sorted(set(leaks)))
    assert filled > 40  # the samples did reach the lines, masked


def test_the_back_office_logs_through_the_same_filter():
    root = logging.getLogger()
    saved = root.handlers[:]
    for h in saved:
        root.removeHandler(h)
    stream = io.StringIO()
    try:
        configure_backoffice_logging()
        assert all(any(isinstance(f, PersonalDataFilter) for f in h.filters) for h in root.handlers)
        for h in root.handlers:
            h.setStream(stream)
        root.warning("applicant %s called from %s", ID_NUMBER, MOBILE)
    finally:
        for h in root.handlers[:]:
            root.removeHandler(h)
        for h in saved:
            root.addHandler(h)
    assert ID_NUMBER not in stream.getvalue() and MOBILE not in stream.getvalue()
    assert "4690**********1234" in stream.getvalue()


def test_uvicorns_error_log_is_filtered_too(capsys):
    logging.config.dictConfig(uvicorn_log_config())
    try:
        logging.getLogger("uvicorn.error").error("Exception in ASGI application for %s", NAME)
        assert NAME not in capsys.readouterr().err
    finally:
        for name in ("uvicorn", "uvicorn.access"):
            logger = logging.getLogger(name)
            for h in logger.handlers[:]:
                logger.removeHandler(h)
            logger.propagate = True

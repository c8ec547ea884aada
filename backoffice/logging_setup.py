"""The back office's logs: JSON lines at INFO on standard error (the journal keeps them),
through the same personal-data filter as the kiosk's (domain.scrub). Requests appear by
their path only, with method, status and client as keys of their own, but for heartbeats
answered 200 (QuietHeartbeats); sign-ins, grants, refusals, sweeps and imports are logged
where they happen."""
from __future__ import annotations

import copy
import logging

from domain import scrub
from domain.json_logs import JsonLinesFormatter

JSON_FORMATTER = "domain.json_logs.JsonLinesFormatter"


def configure_logging(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    for old in root.handlers[:]:
        root.removeHandler(old)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLinesFormatter())
    root.addHandler(handler)
    scrub.install(root.handlers)


class PathOnly(logging.Filter):
    """uvicorn's access line with the request's path alone: a query string may carry a
    receipt's tracking token or a filter's value. (No ID number is ever in a URL: searches
    by applicant take it in the body.) The parts become keys of their own as well."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 5 and isinstance(args[2], str):
            path = args[2].split("?", 1)[0]
            record.args = args[:2] + (path,) + args[3:]
            record.client, record.method, record.path, record.status = str(args[0]), str(args[1]), path, args[4]
        return True


class QuietHeartbeats(logging.Filter):
    """No access line for a heartbeat answered 200. Every terminal sends one every 30 s, a
    province's fleet millions a day: such lines would bury the rest of the journal and cost
    a heartbeat a tenth of its CPU. /metrics counts them and the fleet view shows each
    terminal's last; a heartbeat answered anything else is logged as any request is."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        return not (isinstance(args, tuple) and len(args) >= 5 and args[4] == 200
                    and isinstance(args[2], str) and args[2].split("?", 1)[0] == HEARTBEAT_PATH)


HEARTBEAT_PATH = "/v1/terminals/heartbeat"


def uvicorn_log_config() -> dict:
    """uvicorn's own logging set-up: JSON lines, the personal-data filter on its error
    log, and its access log of requests with their paths only."""
    import uvicorn.config

    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    filters = config.setdefault("filters", {})
    filters["personal_data"] = {"()": scrub.PersonalDataFilter}
    filters["path_only"] = {"()": PathOnly}
    filters["quiet_heartbeats"] = {"()": QuietHeartbeats}
    config["formatters"] = {"json": {"()": JSON_FORMATTER}}
    for name in ("default", "access"):
        config["handlers"][name]["formatter"] = "json"
    config["handlers"]["default"]["filters"] = ["personal_data"]
    config["handlers"]["access"]["filters"] = ["path_only", "personal_data"]
    config["loggers"]["uvicorn.access"]["filters"] = ["quiet_heartbeats"]  # before any handler's work
    return config


def install_on_running_server() -> None:
    """For `uvicorn backoffice.asgi:app`: uvicorn has set up its handlers before it imports
    the app, so the filter and the JSON lines go onto them here."""
    logging.getLogger("uvicorn.access").addFilter(QuietHeartbeats())
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access"):
        handlers = logging.getLogger(name).handlers
        for handler in handlers:
            handler.setFormatter(JsonLinesFormatter())
            if name == "uvicorn.access":
                handler.addFilter(PathOnly())
        scrub.install(handlers)

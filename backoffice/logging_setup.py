"""The back office's logs go through the same personal-data filter as the kiosk's
(domain.scrub): masked ID, passport and mobile numbers, names filled in by call sites."""
from __future__ import annotations

import copy
import logging

from domain import scrub


def configure_logging(level: int = logging.WARNING) -> None:
    logging.basicConfig(level=level, format="%(message)s")
    scrub.install(logging.getLogger().handlers)


class PathOnly(logging.Filter):
    """uvicorn's access line with the request's path alone: a query string may carry a
    receipt's tracking token or a filter's value. (No ID number is ever in a URL: searches
    by applicant take it in the body.) The formatter's argument layout is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = args[:2] + (args[2].split("?", 1)[0],) + args[3:]
        return True


def uvicorn_log_config() -> dict:
    """uvicorn's own logging set-up: the personal-data filter on its error log, and its
    access log of requests with their paths only."""
    import uvicorn.config

    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    filters = config.setdefault("filters", {})
    filters["personal_data"] = {"()": scrub.PersonalDataFilter}
    filters["path_only"] = {"()": PathOnly}
    config["handlers"]["default"]["filters"] = ["personal_data"]
    config["handlers"]["access"]["filters"] = ["path_only"]
    return config


def install_on_running_server() -> None:
    """For `uvicorn backoffice.asgi:app`: uvicorn has set up its handlers before it imports
    the app, so the filter goes onto them here."""
    for name in ("", "uvicorn", "uvicorn.error"):
        scrub.install(logging.getLogger(name).handlers)

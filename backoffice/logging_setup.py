"""The back office's logs go through the same personal-data filter as the kiosk's
(domain.scrub): masked ID, passport and mobile numbers, names filled in by call sites."""
from __future__ import annotations

import copy
import logging

from domain import scrub


def configure_logging(level: int = logging.WARNING) -> None:
    logging.basicConfig(level=level, format="%(message)s")
    scrub.install(logging.getLogger().handlers)


def uvicorn_log_config() -> dict:
    """uvicorn's own logging set-up with the filter on its error log's handler. Its access
    log keeps its formatter's argument layout, so it stays off (query strings carry ID numbers)."""
    import uvicorn.config

    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["personal_data"] = {"()": scrub.PersonalDataFilter}
    config["handlers"]["default"]["filters"] = ["personal_data"]
    return config


def install_on_running_server() -> None:
    """For `uvicorn backoffice.asgi:app`: uvicorn has set up its handlers before it imports
    the app, so the filter goes onto them here."""
    for name in ("", "uvicorn", "uvicorn.error"):
        scrub.install(logging.getLogger(name).handlers)

"""Every answer the API tests receive is checked against the back office's own
/openapi.json: the body of a documented status must match the documented schema, so the
journeys of tests/api (real cases, corrections, licences, the fleet) prove the success
schemas that random requests from schemathesis rarely reach."""
from __future__ import annotations

from urllib.parse import urlsplit

import requests
import schemathesis


class DocumentedAnswers:
    """A requests response hook: raises when an answer contradicts the document."""

    def __init__(self, base_url: str):
        self.schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
        self.checked = 0

    def __call__(self, response: requests.Response, *_args, **_kwargs) -> requests.Response:
        request = response.request
        operation = self.schema.find_operation_by_path(request.method, urlsplit(request.url).path)
        if operation is not None:  # the document, /metrics and unknown paths are not operations
            operation.validate_response(response)
            self.checked += 1
        return response

    def watch(self, session: requests.Session) -> requests.Session:
        session.hooks["response"].append(self)
        return session

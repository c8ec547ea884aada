"""Domain errors the API turns into problem+json answers."""
from __future__ import annotations


class ApiError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str = "", **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(ApiError):
    status = 404
    title = "Not found"


class Conflict(ApiError):
    status = 409
    title = "Conflict"


class Invalid(ApiError):
    status = 422
    title = "Invalid request"


class Unauthorized(ApiError):
    status = 401
    title = "Unauthorized"

    def __init__(self, detail: str = "", **extra):
        super().__init__(detail, **extra)
        self.headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(ApiError):
    status = 403
    title = "Forbidden"


class Gone(ApiError):
    status = 410
    title = "Gone"


class TooMany(ApiError):
    """429 with Retry-After: the caller may try again after `retry_after` seconds."""
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str = "", retry_after: int = 60, **extra):
        super().__init__(detail, retry_after_s=retry_after, **extra)
        self.headers = {"Retry-After": str(retry_after)}


class Unavailable(ApiError):
    """503: a service the request needs (the courier) cannot be reached; nothing was done."""
    status = 503
    title = "Service unavailable"

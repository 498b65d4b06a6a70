"""Typed Python client for the Neo Service Layer HTTP API (depends only on httpx).

``Client`` blocks, ``AsyncClient`` awaits; both raise ``ApiError`` subclasses on errors.
"""

from nsl.client.base import Credentials
from nsl.client.clients import AsyncClient, Client
from nsl.client.errors import (
    ApiError,
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    Unauthorized,
    ValidationError,
)
from nsl.client.results import CreatedKey, JsonObject, Page, TokenPair, TotpEnrollment

__all__ = [
    "ApiError",
    "AsyncClient",
    "BadRequest",
    "Client",
    "Conflict",
    "CreatedKey",
    "Credentials",
    "FieldError",
    "Forbidden",
    "JsonObject",
    "NotFound",
    "Page",
    "PayloadTooLarge",
    "RateLimited",
    "ServerError",
    "TokenPair",
    "TotpEnrollment",
    "Unauthorized",
    "ValidationError",
]

"""Errors of the oracle service (codes ``oracle.<reason>``)."""

from __future__ import annotations

from nsl.core.errors import BadRequest, Conflict, FieldIssue, NotFound, RateLimited, Unavailable


class InvalidInput(BadRequest):
    """Bad input the service checks itself: 400 naming the field and the rule."""

    code = "oracle.invalid_input"

    @classmethod
    def on(cls, field: str, rule: str, message: str) -> InvalidInput:
        return cls(f"{field}: {message}", fields=[FieldIssue(field, rule, message)])


class FeedNotFound(NotFound):
    code = "oracle.feed_not_found"


class RequestNotFound(NotFound):
    code = "oracle.request_not_found"


class FeedExists(Conflict):
    code = "oracle.feed_exists"


class NoReport(NotFound):
    """The feed has no final round yet."""

    code = "oracle.no_report"


class NodeUnavailable(Unavailable):
    """This node's keys are not loaded (the service is not started)."""

    code = "oracle.node_unavailable"


class UsageLimited(RateLimited):
    code = "oracle.rate_limited"

"""Errors of the events service (codes ``events.<reason>``)."""

from __future__ import annotations

from nsl.core.errors import Conflict, NotFound, ValidationFailed


class InvalidInput(ValidationFailed):
    code = "events.invalid"


class SubscriptionNotFound(NotFound):
    """No such subscription, or it belongs to someone else."""

    code = "events.not_found"


class DeliveryNotFound(NotFound):
    code = "events.delivery_not_found"


class NotRetryable(Conflict):
    """Only a dead-lettered delivery of a live event can be sent again."""

    code = "events.not_retryable"


class QuotaExceeded(Conflict):
    code = "events.quota_exceeded"


class WrongDelivery(Conflict):
    """The operation needs another delivery type (e.g. polling a webhook subscription)."""

    code = "events.wrong_delivery"


def not_found(subscription_id: str) -> SubscriptionNotFound:
    return SubscriptionNotFound(f"no event subscription {subscription_id!r} of yours")

"""Errors of the notifications service (codes ``notifications.<reason>``)."""

from __future__ import annotations

from nsl.core.errors import Conflict, NotFound, ValidationFailed


class InvalidInput(ValidationFailed):
    code = "notifications.invalid"


class ChannelNotFound(NotFound):
    """No such channel, or it belongs to someone else."""

    code = "notifications.channel_not_found"


class TemplateNotFound(NotFound):
    code = "notifications.template_not_found"


class SubscriptionNotFound(NotFound):
    code = "notifications.subscription_not_found"


class NotificationNotFound(NotFound):
    code = "notifications.not_found"


class NotRetryable(Conflict):
    """Only a dead-lettered notification can be sent again."""

    code = "notifications.not_retryable"


class QuotaExceeded(Conflict):
    code = "notifications.quota_exceeded"


class NameTaken(Conflict):
    code = "notifications.name_taken"

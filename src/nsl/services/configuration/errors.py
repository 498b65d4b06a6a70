"""Errors of the configuration service (codes ``configuration.<reason>``)."""

from __future__ import annotations

from nsl.core.errors import Conflict, Forbidden, NotFound, NslError


class EntryNotFound(NotFound):
    code = "configuration.not_found"


class SchemaNotFound(NotFound):
    code = "configuration.schema_not_found"


class ReadOnlyEntry(Conflict):
    code = "configuration.read_only"


class ConcurrentChange(Conflict):
    code = "configuration.concurrent_change"


class RevealForbidden(Forbidden):
    code = "configuration.reveal_forbidden"


class ValueUnreadable(NslError):
    """A stored value that cannot be read: sealed under another master key, or damaged."""

    code = "configuration.value_unreadable"

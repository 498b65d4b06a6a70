"""Errors of the storage service (codes ``storage.<reason>``)."""

from __future__ import annotations

from nsl.core.errors import Conflict, Forbidden, NotFound, NslError, PayloadTooLarge


class ObjectNotFound(NotFound):
    """No such object (or version), or one the caller may not know exists."""

    code = "storage.not_found"


class AccessDenied(Forbidden):
    """The caller may read the object but not do this to it."""

    code = "storage.forbidden"


class QuotaExceeded(PayloadTooLarge):
    """The upload would take the owner past its byte or object quota (``extra`` has usage)."""

    code = "storage.quota_exceeded"


class ObjectTooLarge(PayloadTooLarge):
    code = "storage.too_large"


class ConcurrentChange(Conflict):
    code = "storage.concurrent_change"


class IntegrityFailure(NslError):
    """Stored bytes that fail authentication or the content hash: never returned to anyone."""

    status = 500
    code = "storage.integrity"
    title = "Stored object failed its integrity check"


class ChunkMissing(IntegrityFailure):
    """A chunk the version's record says exists is not in the chunk store."""


class UploadAbandoned(Conflict):
    """The upload went silent past ``abandoned_upload_s`` and the purge task reclaimed it."""

    code = "storage.upload_abandoned"

"""Errors of backups and restores (codes ``backup.<reason>``)."""

from __future__ import annotations

from nsl.core.errors import Conflict, NotFound, NslError, ValidationFailed


class InvalidInput(ValidationFailed):
    code = "backup.invalid"


class BackupNotFound(NotFound):
    code = "backup.not_found"


class BackupIntegrity(NslError):
    """A stored object or manifest was tampered with, truncated or reordered."""

    status = 500
    code = "backup.integrity"
    title = "Backup failed its integrity check"


class BackupWrongKey(NslError):
    """The backup was made under another master key or recovery key than the one given."""

    status = 500
    code = "backup.wrong_key"
    title = "Backup was encrypted under another key"


class BackupFailed(NslError):
    """No target could be written, or the source could not be read."""

    status = 500
    code = "backup.failed"
    title = "Backup failed"


class TargetNotEmpty(Conflict):
    """A restore target holds data; ``--force`` overwrites it."""

    code = "backup.target_not_empty"


class NotSupported(ValidationFailed):
    """The configured engine or method has no such operation (names the setting)."""

    code = "backup.not_supported"

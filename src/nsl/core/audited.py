"""One use case's audit entry and operation metrics, recorded when it ends (failures included).

``async with AuditScope(...) as scope``: set ``scope.target``/``data_hash``/``details`` as the
use case learns them; on the way out the entry is appended with outcome ``ok`` or the error
code, and only then does the operation count as done. An entry that cannot be written fails
the use case.
"""

from __future__ import annotations

from typing import Any, Self

from nsl.core.audit import AuditEntry, AuditTrail, data_digest
from nsl.core.errors import NslError
from nsl.core.service import Operation


def outcome_of(exc: BaseException | None) -> str:
    if exc is None:
        return "ok"
    return exc.code if isinstance(exc, NslError) else "internal.error"


class AuditScope:
    """Counts the operation and appends its audit entry when the block ends."""

    def __init__(
        self,
        audit: AuditTrail,
        operation: Operation,
        service: str,
        action: str,
        actor: str,
        target: str,
        refusal: NslError | None = None,
    ) -> None:
        self._audit = audit
        self._operation = operation
        self._refusal = refusal
        self.service = service
        self.action = action
        self.actor = actor
        self.target = target
        self.data_hash: str | None = None
        self.details: dict[str, Any] = {}

    def data(self, payload: bytes) -> None:
        """Keep the payload's hash (never the payload)."""
        self.data_hash = data_digest(payload)

    def entry_target(self) -> str:
        return self.target

    async def __aenter__(self) -> Self:
        """Start; a refusal known up front (e.g. the caller's role) is recorded and raised."""
        await self._operation.__aenter__()
        if self._refusal is not None:
            await self.__aexit__(type(self._refusal), self._refusal, None)
            raise self._refusal
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        failure = exc
        try:
            if exc is None or isinstance(exc, Exception):
                entry = AuditEntry(
                    self.actor,
                    self.service,
                    self.action,
                    self.entry_target(),
                    outcome_of(exc),
                    self.data_hash,
                    self.details,
                )
                await self._audit.record(entry)
        except Exception as audit_failure:
            failure = audit_failure
            raise
        finally:
            await self._operation.__aexit__(
                type(failure) if failure is not None else None, failure, tb
            )

"""One use case's audit entry and metrics, recorded when it ends (failures included).

The entry names the request (``request/<request_id>``) or proof checked, the outcome (``ok``
or the error code) and a hash of alpha, never alpha itself.
"""

from __future__ import annotations

from typing import Any

from nsl.core.audit import AuditEntry, AuditTrail, data_digest
from nsl.core.errors import NslError
from nsl.core.service import Operation

SERVICE = "randomness"
SYSTEM_ACTOR = "system:randomness"


class AuditScope:
    """``async with``: counts the operation and appends its audit entry on the way out."""

    def __init__(
        self,
        audit: AuditTrail,
        operation: Operation,
        action: str,
        actor: str,
        target: str,
        data: bytes,
    ) -> None:
        self._audit = audit
        self._operation = operation
        self.action = action
        self.actor = actor
        self.target = target
        self.data_hash = data_digest(data)
        self.details: dict[str, Any] = {}

    async def __aenter__(self) -> AuditScope:
        await self._operation.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> None:
        failure = exc
        try:
            if exc is None or isinstance(exc, Exception):
                outcome = "ok" if exc is None else _code(exc)
                entry = AuditEntry(
                    self.actor,
                    SERVICE,
                    self.action,
                    self.target,
                    outcome,
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


def _code(exc: Exception) -> str:
    return exc.code if isinstance(exc, NslError) else "internal.error"

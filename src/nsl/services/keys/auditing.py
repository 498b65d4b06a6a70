"""One use case's audit entry and metrics: recorded when it ends, failures included.

The entry names the key and version (``key/<id>/v<n>``), the outcome (``ok`` or the error
code) and a hash of the data involved, never the data.
"""

from __future__ import annotations

from typing import Any

from nsl.core.audit import AuditEntry, AuditTrail, data_digest
from nsl.core.errors import NslError
from nsl.core.service import Operation

SERVICE = "keys"
SYSTEM_ACTOR = "system:keys"


class AuditScope:
    """``async with``: counts the operation and appends its audit entry on the way out."""

    __slots__ = (
        "_audit",
        "_operation",
        "_refusal",
        "action",
        "actor",
        "data_hash",
        "details",
        "key_id",
        "version",
    )

    def __init__(
        self,
        audit: AuditTrail,
        operation: Operation,
        action: str,
        actor: str,
        key_id: str,
        refusal: NslError | None = None,
    ) -> None:
        self._audit = audit
        self._refusal = refusal
        self._operation = operation
        self.action = action
        self.actor = actor
        self.key_id = key_id
        self.version: int | None = None
        self.data_hash: str | None = None
        self.details: dict[str, Any] = {}

    def data(self, payload: bytes) -> None:
        self.data_hash = data_digest(payload)

    @property
    def target(self) -> str:
        base = f"key/{self.key_id}"
        return base if self.version is None else f"{base}/v{self.version}"

    async def __aenter__(self) -> AuditScope:
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

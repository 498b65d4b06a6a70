"""The keys service's audit scope: entries name the key and version (``key/<id>/v<n>``)."""

from __future__ import annotations

from nsl.core.audit import AuditTrail
from nsl.core.audited import AuditScope as BaseScope
from nsl.core.errors import NslError
from nsl.core.service import Operation

SERVICE = "keys"
SYSTEM_ACTOR = "system:keys"


class AuditScope(BaseScope):
    """Set ``version`` once it is known; the target follows."""

    def __init__(
        self,
        audit: AuditTrail,
        operation: Operation,
        action: str,
        actor: str,
        key_id: str,
        refusal: NslError | None = None,
    ) -> None:
        super().__init__(audit, operation, SERVICE, action, actor, f"key/{key_id}", refusal)
        self.key_id = key_id
        self.version: int | None = None

    def entry_target(self) -> str:
        return self.target if self.version is None else f"{self.target}/v{self.version}"

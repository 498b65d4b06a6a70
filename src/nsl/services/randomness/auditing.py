"""The randomness service's audit scope: entries name the request (``request/<id>``) or the
proof checked, and keep a hash of alpha, never alpha itself."""

from __future__ import annotations

from nsl.core.audit import AuditTrail
from nsl.core.audited import AuditScope
from nsl.core.service import Operation

SERVICE = "randomness"
SYSTEM_ACTOR = "system:randomness"


def audit_scope(
    audit: AuditTrail, operation: Operation, action: str, actor: str, target: str, data: bytes
) -> AuditScope:
    scope = AuditScope(audit, operation, SERVICE, action, actor, target)
    scope.data(data)
    return scope

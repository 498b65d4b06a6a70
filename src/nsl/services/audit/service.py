"""Audit use cases: search entries and verify the chain. Writing happens in every service
through ``ctx.audit``; this service only reads."""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi import APIRouter

from nsl.adapters.audit import AuditQuery, query_entries, verify_chain
from nsl.adapters.models import AuditRow
from nsl.core.errors import ValidationFailed
from nsl.core.service import ServiceBase

MAX_PAGE_SIZE = 500


class AuditService(ServiceBase):
    name: ClassVar[str] = "audit"
    phase: ClassVar[int] = 1
    depends_on: ClassVar[tuple[str, ...]] = ("auth",)
    description: ClassVar[str] = "hash-chained audit log of key, secret and randomness operations"

    def routes(self) -> APIRouter:
        from nsl.services.audit.router import build_router

        return build_router(self)

    async def entries(self, query: AuditQuery, page: int, page_size: int) -> dict[str, Any]:
        async with self.operation("entries"):
            if page < 1:
                raise ValidationFailed.on("page", "min", "page starts at 1")
            if not 1 <= page_size <= MAX_PAGE_SIZE:
                raise ValidationFailed.on("page_size", "range", f"between 1 and {MAX_PAGE_SIZE}")
            total, rows = await query_entries(
                self.ctx.database, query, (page - 1) * page_size, page_size
            )
            return {
                "items": [_view(row) for row in rows],
                "total": total,
                "page": page,
                "page_size": page_size,
            }

    async def verify(self) -> dict[str, Any]:
        async with self.operation("verify"):
            return (await verify_chain(self.ctx.database)).as_dict()


def _view(row: AuditRow) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "recorded_at": row.recorded_at.isoformat(),
        "actor": row.actor,
        "service": row.service,
        "action": row.action,
        "target": row.target,
        "outcome": row.outcome,
        "data_hash": row.data_hash,
        "details": row.details,
        "prev_hash": row.prev_hash,
        "entry_hash": row.entry_hash,
    }

"""Use cases on path policies (admins only): list, create, delete. Changes are audited."""

from __future__ import annotations

from typing import Any

from nsl.core.ids import new_id
from nsl.core.security import Principal
from nsl.services.secrets import policy, rules
from nsl.services.secrets.base import SecretsBase
from nsl.services.secrets.errors import PolicyNotFound
from nsl.services.secrets.models import SecretPolicyRecord
from nsl.services.secrets.repository import SecretsRepository
from nsl.services.secrets.schemas import CreatePolicy
from nsl.services.secrets.views import page, policy_view


class PolicyUseCases(SecretsBase):
    async def list_policies(self, *, page_number: int = 1, page_size: int = 50) -> dict[str, Any]:
        async with self.operation("list_policies"):
            rules.check_page(page_number, page_size)
            async with self.ctx.database.session() as session:
                repo = SecretsRepository(session)
                total = await repo.count_policies()
                rows = await repo.policies((page_number - 1) * page_size, page_size)
                items = [policy_view(r) for r in rows]
            return page(items, total, page_number, page_size)

    async def create_policy(self, body: CreatePolicy, *, principal: Principal) -> dict[str, Any]:
        async with (
            self.operation("create_policy"),
            self.audited(principal, "create_policy", "") as note,
        ):
            policy_id = new_id()
            note.target, note.details = f"policy/{policy_id}", _facts(body)
            row = SecretPolicyRecord(
                id=policy_id,
                pattern=policy.check_pattern(body.pattern),
                subject=policy.check_subject(body.subject),
                capabilities=sorted(c.value for c in policy.check_capabilities(body.capabilities)),
                effect=body.effect,
                description=body.description,
                created_at=self.ctx.clock.now(),
                created_by=principal.id,
            )
            async with self.ctx.database.session() as session:
                SecretsRepository(session).add(row)
            return policy_view(row)

    async def delete_policy(self, policy_id: str, *, principal: Principal) -> None:
        async with (
            self.operation("delete_policy"),
            self.audited(principal, "delete_policy", "") as note,
        ):
            note.target = f"policy/{policy_id[:64]}"
            async with self.ctx.database.session() as session:
                repo = SecretsRepository(session)
                row = await repo.policy(policy_id)
                if row is None:
                    raise PolicyNotFound(f"no secrets policy {policy_id[:64]!r}")
                note.details = _facts(row)
                await repo.remove_policy(row)


def _facts(what: CreatePolicy | SecretPolicyRecord) -> dict[str, Any]:
    """What an audit entry keeps of a policy (bounded: the input may be invalid)."""
    return {
        "pattern": what.pattern[: policy.PATTERN_MAX],
        "subject": what.subject[:200],
        "capabilities": [str(c)[:16] for c in what.capabilities][:16],
        "effect": what.effect,
    }

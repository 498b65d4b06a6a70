"""Export and import: a JSON document of an environment's entries, applied all or nothing.

Export masks secret values unless revealed (admin/operator/service with ``reveal``); a revealed
export holds secrets in clear and must be handled as a secret itself. Import refuses masked
secret values, checks every entry before writing any, and in ``replace`` mode deletes the
entries (within the document's ``prefix``, if any) that the document does not name.
"""

from __future__ import annotations

from typing import Any

from nsl.core.errors import FieldIssue, ValidationFailed
from nsl.core.security import Principal
from nsl.services.configuration import rules
from nsl.services.configuration.base import ConfigurationBase
from nsl.services.configuration.models import ConfigurationEntry
from nsl.services.configuration.repository import ConfigurationRepository
from nsl.services.configuration.schemas import ImportDocument
from nsl.services.configuration.views import entry_view
from nsl.services.configuration.writes import Change, Writer


class TransferUseCases(ConfigurationBase):
    """Export and import of whole environments or prefixes."""

    async def export(
        self,
        *,
        principal: Principal,
        prefix: str | None = None,
        environment: str | None = None,
        reveal: bool = False,
    ) -> dict[str, Any]:
        async with self.operation("export"):
            env = self.environment(environment)
            prefix = rules.check_prefix(prefix) if prefix else None
            self.check_reveal(reveal, principal)
            async with self.ctx.database.session() as session:
                rows = await ConfigurationRepository(session).entries(env, prefix)
                entries = [entry_view(r, await self.value_of(r, reveal)) for r in rows]
            return {
                "environment": env,
                "exported_at": self.ctx.clock.now(),
                "prefix": prefix,
                "revealed": reveal,
                "entries": entries,
            }

    async def apply_import(
        self, document: ImportDocument, env: str, principal: Principal
    ) -> dict[str, Any]:
        """Check every entry, then (unless ``dry_run``) apply them in one transaction."""
        prefix = rules.check_prefix(document.prefix) if document.prefix else None
        async with self.ctx.database.session() as session:
            repo = ConfigurationRepository(session)
            writer = self.writer(repo)
            changes = await _plan(writer, document, env, prefix, principal)
            removals: list[ConfigurationEntry] = []
            if document.mode == "replace":
                named = {c.key for c in changes}
                removals = [e for e in await repo.entries(env, prefix) if e.key not in named]
                for entry in removals:
                    writer.check_delete(entry, principal, document.force)
            if not document.dry_run:
                for change in changes:
                    if not change.unchanged:
                        await writer.apply_set(change, principal)
                for entry in removals:
                    await writer.apply_delete(entry, principal)
        return {
            "environment": env,
            "mode": document.mode,
            "dry_run": document.dry_run,
            "created": [c.key for c in changes if c.existing is None],
            "updated": [c.key for c in changes if c.existing is not None and not c.unchanged],
            "unchanged": [c.key for c in changes if c.unchanged],
            "deleted": [e.key for e in removals],
        }


async def _plan(
    writer: Writer, document: ImportDocument, env: str, prefix: str | None, principal: Principal
) -> list[Change]:
    """Check every entry; raise one 422 naming every invalid field (``entries[i].<field>``)."""
    issues: list[FieldIssue] = []
    changes: list[Change] = []
    seen: set[str] = set()
    for index, item in enumerate(document.entries):
        where = f"entries[{index}]"
        if item.key in seen:
            issues.append(FieldIssue(f"{where}.key", "unique", "appears more than once"))
            continue
        seen.add(item.key)
        if prefix and not item.key.startswith(prefix):
            issues.append(
                FieldIssue(f"{where}.key", "in_prefix", f"is outside the prefix {prefix!r}")
            )
            continue
        try:
            change = await writer.plan_set(
                env,
                item.key,
                item.value,
                secret=item.secret,
                description=item.description,
                read_only=item.read_only,
                scope=item.scope,
                principal=principal,
                force=document.force,
                compare=True,
            )
        except ValidationFailed as exc:  # gathered so one answer names every invalid entry
            issues.extend(FieldIssue(f"{where}.{f.field}", f.rule, f.message) for f in exc.fields)
            continue
        changes.append(change)
    if issues:
        raise ValidationFailed(
            f"{len(issues)} problem(s) in the import document; nothing was imported",
            code="configuration.import_invalid",
            fields=issues,
        )
    return changes

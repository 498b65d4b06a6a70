"""Use cases on a secret's metadata: read, change (creating the secret), delete with every
version, and the listing of paths the caller may see."""

from __future__ import annotations

from typing import Any

from nsl.core.security import Principal
from nsl.services.secrets import rules
from nsl.services.secrets.data import DataUseCases
from nsl.services.secrets.models import SecretRecord
from nsl.services.secrets.policy import Capability, Effect
from nsl.services.secrets.repository import SecretsRepository
from nsl.services.secrets.schemas import WriteMetadata
from nsl.services.secrets.views import metadata_view, page, summary_view


class MetadataUseCases(DataUseCases):
    async def metadata(self, path: str, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("read_metadata"), self.audited(principal, "read_metadata", path):
            rules.check_path(path)
            async with self.ctx.database.session() as session:
                repo = SecretsRepository(session)
                secret = await self.access(repo, principal, path, Capability.METADATA)
                return await self._metadata_view(repo, secret)

    async def set_metadata(
        self, path: str, body: WriteMetadata, *, principal: Principal
    ) -> dict[str, Any]:
        """Change the given fields (a new path is created, owned by the caller)."""
        async with (
            self.operation("write_metadata"),
            self.audited(principal, "write_metadata", path) as note,
        ):
            rules.check_path(path)
            if body.custom_metadata is not None:
                rules.check_custom_metadata(body.custom_metadata)
            note.details = {"fields": sorted(body.model_fields_set)}
            return await self.retrying(lambda: self._set_metadata_once(path, body, principal))

    async def _set_metadata_once(
        self, path: str, body: WriteMetadata, principal: Principal
    ) -> dict[str, Any]:
        async with self.ctx.database.session() as session:
            repo = SecretsRepository(session)
            secret = await repo.secret(path, lock=True)
            if secret is None:
                secret = await self.create(repo, path, principal, None)
            else:
                await self.authorize(repo, principal, secret, path, Capability.METADATA)
            if body.max_versions is not None:
                secret.max_versions = body.max_versions or None
            if body.cas_required is not None:
                secret.cas_required = body.cas_required
            if body.custom_metadata is not None:
                secret.custom_metadata = dict(body.custom_metadata)
            if body.rotation_period_days is not None:
                secret.rotation_period_days = body.rotation_period_days
                current = await repo.version(secret.id, secret.current_version)
                secret.rotation_due_at = self.rotation_due(
                    secret, current.created_at if current else None
                )
            secret.updated_at, secret.updated_by = self.ctx.clock.now(), principal.id
            await repo.flush()
            await repo.prune(secret.id, self.max_versions(secret), secret.current_version)
            return await self._metadata_view(repo, secret)

    async def delete_metadata(self, path: str, *, principal: Principal) -> None:
        """Remove the secret and every version of it."""
        async with (
            self.operation("delete_metadata"),
            self.audited(principal, "delete_metadata", path) as note,
        ):
            rules.check_path(path)
            async with self.ctx.database.session() as session:
                repo = SecretsRepository(session)
                secret = await self.access(repo, principal, path, Capability.DESTROY, lock=True)
                note.details = {"versions": secret.current_version}
                await repo.remove_secret(secret)

    async def list_secrets(
        self,
        *,
        principal: Principal,
        prefix: str | None = None,
        page_number: int = 1,
        page_size: int = 50,
    ) -> dict[str, Any]:
        """Paths under ``prefix`` the caller owns or may ``list``, with metadata (no values)."""
        async with self.operation("list"):
            rules.check_page(page_number, page_size)
            start = rules.check_prefix(prefix)
            async with self.ctx.database.session() as session:
                repo = SecretsRepository(session)
                granted = await self.rules_for(repo, principal)
                listers = any(
                    r.effect is Effect.ALLOW and Capability.LIST in r.capabilities for r in granted
                )
                rows = await repo.listing(start, None if listers else principal.id)
            visible = [s for s in rows if Capability.LIST in self.granted(s, principal, granted)]
            offset = (page_number - 1) * page_size
            items = [self._summary(s) for s in visible[offset : offset + page_size]]
            return page(items, len(visible), page_number, page_size)

    def _summary(self, secret: SecretRecord) -> dict[str, Any]:
        return summary_view(secret, self.max_versions(secret), self.rotation_days(secret))

    async def _metadata_view(self, repo: SecretsRepository, secret: SecretRecord) -> dict[str, Any]:
        versions = await repo.versions(secret.id)
        return metadata_view(
            secret, versions, self.max_versions(secret), self.rotation_days(secret)
        )

"""Configuration use cases: read (cached), list, history, set, delete; export/import; schemas.

Reads of an entry are served from the cache as the serialized, masked view; every write
invalidates the key after its transaction commits. Secret values are sealed at rest and shown
only to admin, operator and service callers that ask with ``reveal``.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import orjson
from fastapi import APIRouter

from nsl.core.security import Principal
from nsl.core.service import FastRoute
from nsl.services.configuration import rules
from nsl.services.configuration.base import cache_key
from nsl.services.configuration.errors import EntryNotFound
from nsl.services.configuration.hotpath import EntryReadApp
from nsl.services.configuration.repository import ConfigurationRepository
from nsl.services.configuration.router import build_router
from nsl.services.configuration.schema_registry import SchemaUseCases
from nsl.services.configuration.schemas import ImportDocument, SetEntry
from nsl.services.configuration.transfer import TransferUseCases
from nsl.services.configuration.values import MASK
from nsl.services.configuration.views import entry_view, page, version_view

log = logging.getLogger(__name__)


class ConfigurationService(TransferUseCases, SchemaUseCases):
    """Versioned configuration per environment, with sealed secrets, history and JSON Schemas."""

    name: ClassVar[str] = "configuration"
    phase: ClassVar[int] = 1
    depends_on: ClassVar[tuple[str, ...]] = ("auth",)
    description: ClassVar[str] = "versioned configuration with encrypted secrets"

    def routes(self) -> APIRouter:
        return build_router(self)

    def fast_routes(self) -> list[FastRoute]:
        return [
            FastRoute(
                "/api/v1/configuration/{key:path}",
                lambda scope: EntryReadApp.key_of(scope) is not None,
                EntryReadApp(self),
            )
        ]

    # reads ------------------------------------------------------------------------------
    async def read_bytes(
        self,
        key: str,
        *,
        principal: Principal,
        environment: str | None = None,
        reveal: bool = False,
    ) -> bytes:
        """The entry's JSON view, serialized (the cached hot path when not revealing)."""
        async with self.operation("get"):
            env = self.environment(environment)
            self.check_reveal(reveal, principal)
            slot = cache_key(env, key)
            if not reveal:
                cached = await self.ctx.cache.get(slot)
                if cached is not None:  # only valid keys are ever cached
                    return cached
            rules.check_key(key)
            if reveal:
                return orjson.dumps(await self._load_view(env, key, reveal=True))
            return await self.fills.run(slot, lambda: self._fill(slot, env, key))

    async def _fill(self, slot: str, env: str, key: str) -> bytes:
        """Load the masked view and cache it, unless a write (in any process) raced the load."""
        token = await self.ctx.cache.fill_token(slot)
        body = orjson.dumps(await self._load_view(env, key, reveal=False))
        await self.ctx.cache.fill(slot, body, token)
        return body

    async def get(
        self,
        key: str,
        *,
        principal: Principal,
        environment: str | None = None,
        reveal: bool = False,
    ) -> dict[str, Any]:
        """The entry as a dict (for in-process callers)."""
        view: dict[str, Any] = orjson.loads(
            await self.read_bytes(key, principal=principal, environment=environment, reveal=reveal)
        )
        return view

    async def list_entries(
        self,
        *,
        principal: Principal,
        prefix: str | None = None,
        environment: str | None = None,
        page_number: int = 1,
        page_size: int = 50,
        reveal: bool = False,
    ) -> dict[str, Any]:
        async with self.operation("list"):
            env = self.environment(environment)
            rules.check_page(page_number, page_size)
            prefix = rules.check_prefix(prefix) if prefix else None
            self.check_reveal(reveal, principal)
            async with self.ctx.database.session() as session:
                repo = ConfigurationRepository(session)
                total = await repo.count(env, prefix)
                rows = await repo.entries(env, prefix, (page_number - 1) * page_size, page_size)
                items = [entry_view(r, await self.value_of(r, reveal)) for r in rows]
            return page(items, total, page_number, page_size)

    async def history(
        self,
        key: str,
        *,
        principal: Principal,
        environment: str | None = None,
        limit: int | None = None,
        reveal: bool = False,
    ) -> dict[str, Any]:
        """Versions of ``key``, newest first (deletions included, with ``deleted: true``)."""
        async with self.operation("history"):
            env = self.environment(environment)
            rules.check_key(key)
            limit = limit if limit is not None else self.ctx.settings.configuration.history_limit
            rules.check_limit(limit)
            self.check_reveal(reveal, principal)
            async with self.ctx.database.session() as session:
                rows = await ConfigurationRepository(session).versions(env, key, limit)
            if not rows:
                raise EntryNotFound(f"no configuration {key!r} in {env} and no history of it")
            items = [version_view(r, await self.value_of(r, reveal)) for r in rows]
            return {"key": key, "environment": env, "items": items}

    # writes -----------------------------------------------------------------------------
    async def set(
        self,
        key: str,
        body: SetEntry,
        *,
        principal: Principal,
        environment: str | None = None,
        force: bool = False,
    ) -> dict[str, Any]:
        """Store a new version of ``key`` (read-only entries: admin with ``force`` only)."""
        async with self.operation("set"):
            env = self.environment(environment)
            view = await self.retrying(lambda: self._set_once(env, key, body, principal, force))
            await self.invalidate([(env, key)])
            log.info("configuration %s:%s v%d set by %s", env, key, view["version"], principal.id)
            return view

    async def _set_once(
        self, env: str, key: str, body: SetEntry, principal: Principal, force: bool
    ) -> dict[str, Any]:
        async with self.ctx.database.session() as session:
            writer = self.writer(ConfigurationRepository(session))
            change = await writer.plan_set(
                env,
                key,
                body.value,
                secret=body.secret,
                description=body.description,
                read_only=body.read_only,
                scope=body.scope,
                principal=principal,
                force=force,
            )
            row = await writer.apply_set(change, principal)
            return entry_view(row, MASK if row.secret else body.value)

    async def delete(
        self, key: str, *, principal: Principal, environment: str | None = None, force: bool = False
    ) -> None:
        async with self.operation("delete"):
            env = self.environment(environment)
            rules.check_key(key)
            version = await self.retrying(lambda: self._delete_once(env, key, principal, force))
            await self.invalidate([(env, key)])
            log.info("configuration %s:%s deleted (v%d) by %s", env, key, version, principal.id)

    async def _delete_once(self, env: str, key: str, principal: Principal, force: bool) -> int:
        async with self.ctx.database.session() as session:
            repo = ConfigurationRepository(session)
            entry = await repo.entry(env, key, lock=True)
            if entry is None:
                raise EntryNotFound(f"no configuration {key!r} in {env}")
            writer = self.writer(repo)
            writer.check_delete(entry, principal, force)
            return await writer.apply_delete(entry, principal)

    async def import_document(
        self, document: ImportDocument, *, principal: Principal, environment: str | None = None
    ) -> dict[str, Any]:
        """Apply an export document atomically; the target environment is ``environment``, else
        the document's, else this process's."""
        async with self.operation("import"):
            env = self.environment(environment if environment is not None else document.environment)
            result = await self.retrying(lambda: self.apply_import(document, env, principal))
            if not document.dry_run:
                keys = [*result["created"], *result["updated"], *result["deleted"]]
                await self.invalidate([(env, k) for k in keys])
                log.info(
                    "configuration %s: import of %d changes by %s", env, len(keys), principal.id
                )
            return result

    async def _load_view(self, env: str, key: str, *, reveal: bool) -> dict[str, Any]:
        async with self.ctx.database.session() as session:
            row = await ConfigurationRepository(session).entry(env, key)
        if row is None:
            raise EntryNotFound(f"no configuration {key!r} in {env}")
        return entry_view(row, await self.value_of(row, reveal, raw=True))

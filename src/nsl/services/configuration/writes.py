"""Writes in one transaction: check a change, then store the new version, its history and event.

Checking (``plan_set``, ``check_delete``) writes nothing, so an import can check every entry
before applying any. Applying keeps the last ``history_limit`` versions per key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from nsl.core.clock import Clock
from nsl.core.ids import new_id
from nsl.core.ports import Outbox
from nsl.core.security import Principal, Role
from nsl.core.settings import ConfigurationSettings
from nsl.services.configuration import rules, values
from nsl.services.configuration.codec import Stored, ValueCodec
from nsl.services.configuration.errors import ReadOnlyEntry
from nsl.services.configuration.models import ConfigurationEntry, ConfigurationVersion
from nsl.services.configuration.repository import ConfigurationRepository
from nsl.services.configuration.validation import validate_value

CHANGED = "configuration.changed"
DELETED = "configuration.deleted"
T = TypeVar("T")


@dataclass(frozen=True)
class Change:
    """A checked set, ready to apply (or found to change nothing)."""

    environment: str
    key: str
    data: bytes
    secret: bool
    description: str
    read_only: bool
    scope: str
    existing: ConfigurationEntry | None
    unchanged: bool


class Writer:
    """Checks and applies changes on one repository (one transaction)."""

    def __init__(
        self,
        repo: ConfigurationRepository,
        codec: ValueCodec,
        outbox: Outbox,
        clock: Clock,
        settings: ConfigurationSettings,
    ) -> None:
        self.repo = repo
        self.codec = codec
        self.outbox = outbox
        self.clock = clock
        self.settings = settings

    async def plan_set(
        self,
        environment: str,
        key: str,
        value: Any,
        *,
        secret: bool | None,
        description: str | None,
        read_only: bool | None,
        scope: str | None,
        principal: Principal,
        force: bool,
        compare: bool = False,
    ) -> Change:
        """Check a set of ``key`` (``compare``: also find whether it would change anything)."""
        rules.check_key(key)
        existing = await self.repo.entry(environment, key, lock=True)
        sealed = rules.sensitive_name(key) or _keep(secret, existing, "secret", False)
        description = rules.check_description(_keep(description, existing, "description", ""))
        scope = rules.check_scope(_keep(scope, existing, "scope", "global"))
        read_only = _keep(read_only, existing, "read_only", False)
        if sealed or (existing is not None and existing.secret):
            values.refuse_mask(value)
        data = values.serialize(value, self.settings.max_value_bytes)
        schema = await self.repo.schema_for_key(environment, key)
        if schema is not None:
            validate_value(schema.document, value, prefix=schema.prefix, secret=sealed)
        flags = (sealed, description, scope, read_only)
        unchanged = compare and existing is not None and await self._same(existing, flags, data)
        if existing is not None and existing.read_only and not unchanged:
            _guard_read_only(existing, principal, force)
        return Change(
            environment, key, data, sealed, description, read_only, scope, existing, unchanged
        )

    async def _same(
        self, entry: ConfigurationEntry, flags: tuple[bool, str, str, bool], data: bytes
    ) -> bool:
        if (entry.secret, entry.description, entry.scope, entry.read_only) != flags:
            return False
        stored = _stored(entry)
        current = await self.codec.load(
            stored, environment=entry.environment, key=entry.key, version=entry.version
        )
        return current == data

    def check_delete(self, entry: ConfigurationEntry, principal: Principal, force: bool) -> None:
        if entry.read_only:
            _guard_read_only(entry, principal, force)

    async def apply_set(self, change: Change, principal: Principal) -> ConfigurationEntry:
        env, key, existing = change.environment, change.key, change.existing
        version = (existing.version if existing else await self.repo.last_version(env, key)) + 1
        stored = await self.codec.store(
            change.data, secret=change.secret, environment=env, key=key, version=version
        )
        now = self.clock.now()
        row = existing or ConfigurationEntry(id=new_id(), environment=env, key=key, created_at=now)
        row.value_json, row.value_sealed = stored.json, stored.sealed
        row.secret, row.read_only, row.scope = change.secret, change.read_only, change.scope
        row.description, row.version = change.description, version
        row.updated_at, row.updated_by = now, principal.id
        if existing is None:
            self.repo.add(row)
        await self._record(env, key, version, stored, change.secret, principal, deleted=False)
        payload = {"environment": env, "key": key, "version": version, "actor": principal.id}
        await self.outbox.add(
            self.repo.session, CHANGED, {**payload, "secret": change.secret, "scope": change.scope}
        )
        return row

    async def apply_delete(self, entry: ConfigurationEntry, principal: Principal) -> int:
        env, key, version = entry.environment, entry.key, entry.version + 1
        await self.repo.remove(entry)
        await self._record(
            env, key, version, Stored(None, None), entry.secret, principal, deleted=True
        )
        payload = {"environment": env, "key": key, "version": version, "actor": principal.id}
        await self.outbox.add(self.repo.session, DELETED, payload)
        return version

    async def _record(
        self,
        env: str,
        key: str,
        version: int,
        stored: Stored,
        secret: bool,
        principal: Principal,
        *,
        deleted: bool,
    ) -> None:
        self.repo.add(
            ConfigurationVersion(
                id=new_id(),
                environment=env,
                key=key,
                version=version,
                value_json=stored.json,
                value_sealed=stored.sealed,
                secret=secret,
                deleted=deleted,
                changed_at=self.clock.now(),
                changed_by=principal.id,
            )
        )
        await self.repo.flush()
        await self.repo.prune(env, key, self.settings.history_limit, version)


def _stored(entry: ConfigurationEntry) -> Stored:
    return Stored(entry.value_json, entry.value_sealed)


def _keep(given: T | None, existing: ConfigurationEntry | None, attr: str, default: T) -> T:
    """The given value, else the existing entry's, else the default for a new entry."""
    if given is not None:
        return given
    if existing is not None:
        current: T = getattr(existing, attr)
        return current
    return default


def _guard_read_only(entry: ConfigurationEntry, principal: Principal, force: bool) -> None:
    if not (force and Role.ADMIN in principal.roles):
        raise ReadOnlyEntry(
            f"{entry.key!r} is read-only: only an admin passing force=true may change or delete it"
        )

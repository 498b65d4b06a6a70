"""What the configuration use cases share: lifecycle (enclave codec), writer, masks, cache."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import orjson

from nsl.core.context import ServiceContext
from nsl.core.errors import Unavailable
from nsl.core.health import Check, Status
from nsl.core.masterkey import KEY_FILE, resolve_master_key
from nsl.core.sealing import AesGcmSealer, derive_key
from nsl.core.security import Principal, Role
from nsl.core.service import ServiceBase
from nsl.core.settings import Settings
from nsl.core.singleflight import SingleFlight
from nsl.services.configuration import rules
from nsl.services.configuration.codec import Stored, ValueCodec
from nsl.services.configuration.errors import ConcurrentChange, RevealForbidden
from nsl.services.configuration.models import ConfigurationEntry, ConfigurationVersion
from nsl.services.configuration.repository import ConfigurationRepository
from nsl.services.configuration.values import MASK
from nsl.services.configuration.writes import Writer

READ_ROLES = frozenset(Role)
WRITE_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.SERVICE})
REVEAL_ROLES = WRITE_ROLES
WRITE_ATTEMPTS = 5
T = TypeVar("T")


def cache_key(environment: str, key: str) -> str:
    return f"configuration:entry:v1:{environment}:{key}"


LEGACY_SEALING_PURPOSE = "nsl/configuration/values/v1"


class ConfigurationBase(ServiceBase):
    """Lifecycle and helpers; the use cases live in the subclasses."""

    _codec: ValueCodec | None = None

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.fills: SingleFlight[str, bytes] = SingleFlight()

    async def on_start(self) -> None:
        legacy = await asyncio.to_thread(_legacy_sealer, self.ctx.settings)
        codec = ValueCodec(self.ctx.enclave, legacy)
        # Seal once now: the sealing key is then resident, and a broken enclave fails the start.
        await codec.store(b"{}", secret=True, environment="-", key="-", version=0)
        self._codec = codec

    async def on_stop(self) -> None:
        self._codec = None

    async def checks(self) -> list[Check]:
        loaded = self._codec is not None
        return [Check("configuration.sealing", Status.OK if loaded else Status.DOWN)]

    @property
    def codec(self) -> ValueCodec:
        if self._codec is None:
            raise Unavailable(
                "the configuration service is not started", code="configuration.stopped"
            )
        return self._codec

    def environment(self, value: str | None) -> str:
        return rules.check_environment(value, self.ctx.settings.env)

    def writer(self, repo: ConfigurationRepository) -> Writer:
        ctx = self.ctx
        return Writer(repo, self.codec, ctx.outbox, ctx.clock, ctx.settings.configuration)

    def check_reveal(self, reveal: bool, principal: Principal) -> None:
        if reveal and not principal.has_any(REVEAL_ROLES):
            raise RevealForbidden(
                "revealing secret values needs the role admin, operator or service"
            )

    async def value_of(
        self, row: ConfigurationEntry | ConfigurationVersion, reveal: bool, *, raw: bool = False
    ) -> Any:
        """The row's value: the mask for an unrevealed secret, else the value (``raw``: as JSON)."""
        if isinstance(row, ConfigurationVersion) and row.deleted:
            return None
        if row.secret and not reveal:
            return MASK
        stored = Stored(row.value_json, row.value_sealed)
        data = await self.codec.load(
            stored, environment=row.environment, key=row.key, version=row.version
        )
        return orjson.Fragment(data) if raw else orjson.loads(data)

    async def retrying(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run a write transaction again when a concurrent writer got there first (last wins)."""
        for _ in range(WRITE_ATTEMPTS - 1):
            try:
                return await attempt()
            except ConcurrentChange:
                continue
        return await attempt()

    async def invalidate(self, keys: list[tuple[str, str]]) -> None:
        """Drop cached views of written keys (every process); in-flight loads will not refill."""
        if keys:
            await self.ctx.cache.delete(*(cache_key(env, key) for env, key in keys))


def _legacy_sealer(settings: Settings) -> AesGcmSealer | None:
    """The pre-enclave sealer, when the platform master key that sealed old values exists."""
    if settings.master_key is None and not (Path(settings.data_dir) / KEY_FILE).exists():
        return None
    return AesGcmSealer(derive_key(resolve_master_key(settings), LEGACY_SEALING_PURPOSE))

"""Two auth services sharing a database and Redis (as two processes would): a revocation or a
principal change in one is seen by the other without waiting for cache entries to expire."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from auth_harness import make_context, make_settings
from tests.polling import eventually

from nsl.adapters.cache_memory import MemoryCache
from nsl.adapters.cache_redis import TieredCache
from nsl.core.clock import ManualClock
from nsl.core.errors import NslError
from nsl.core.metrics import Metrics
from nsl.services.auth.passwords import Passwords
from nsl.services.auth.service import AuthService

# Long enough that only an invalidation, never an expiry, can explain a refusal in these tests.
CACHE_S = 3600.0


@pytest.fixture
async def pair(
    database: Any, redis_url: str, redis_prefix: str, tmp_path: Path
) -> AsyncIterator[tuple[AuthService, AuthService]]:
    clock = ManualClock()
    services, caches = [], []
    for name in ("a", "b"):
        metrics = Metrics("test", "test")
        cache = TieredCache(
            MemoryCache(1000, CACHE_S, clock, metrics), redis_url, redis_prefix, CACHE_S, metrics
        )
        await cache.start()
        settings = make_settings(tmp_path / name, api_key_cache_s=CACHE_S)
        ctx = make_context(settings, database, clock, metrics, cache=cache)
        service = AuthService(ctx, passwords=Passwords(1, 8192, 1))
        await service.start()
        services.append(service)
        caches.append(cache)
    yield services[0], services[1]
    for service, cache in zip(services, caches, strict=True):
        await service.stop()
        await cache.close()


async def refused(service: AuthService, raw: str, code: str) -> bool:
    try:
        await service.authenticate_api_key(raw)
    except NslError as exc:
        return exc.code == code
    return False


async def test_revocation_in_one_process_reaches_the_other(
    pair: tuple[AuthService, AuthService],
) -> None:
    a, b = pair
    principal = await a.create_principal("dev", "user", ["developer"])
    record, raw = await a.create_api_key(principal.id, "k")
    assert (await b.authenticate_api_key(raw)).name == "dev"  # now cached in b

    await a.revoke_api_key(record.id)
    await eventually(lambda: refused(b, raw, "auth.revoked_api_key"))


async def test_disable_in_one_process_stops_bearer_tokens_in_the_other(
    pair: tuple[AuthService, AuthService],
) -> None:
    a, b = pair
    principal = await a.create_principal("dev", "user", ["developer"])
    _, raw = await a.create_api_key(principal.id, "k")
    pair_tokens = await b.exchange_token(api_key=raw)
    assert (await b.authenticate_bearer(pair_tokens.access_token)).id == principal.id

    await a.update_principal(principal.id, disabled=True)

    async def bearer_refused() -> bool:
        try:
            await b.authenticate_bearer(pair_tokens.access_token)
        except NslError as exc:
            return exc.code == "auth.principal_disabled"
        return False

    await eventually(bearer_refused)
    await eventually(lambda: refused(b, raw, "auth.principal_disabled"))

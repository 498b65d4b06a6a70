"""Fixtures: a started auth service on a real migrated database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from auth_harness import Harness, build_app, make_context, make_settings, now

from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics
from nsl.services.auth.passwords import Passwords
from nsl.services.auth.service import AuthService


@pytest.fixture
def clock() -> ManualClock:
    """Starts at the real current time, so PyJWT can check our tokens independently."""
    return ManualClock(now())


@pytest.fixture
async def harness(
    database: Any, tmp_path: Path, clock: ManualClock, metrics: Metrics
) -> AsyncIterator[Harness]:
    data_dir = tmp_path / "data"
    ctx = make_context(make_settings(data_dir), database, clock, metrics)
    # argon2id with light parameters keeps the many sign-ins of these tests fast; the default
    # parameters are checked in tests/unit/auth.
    service = AuthService(
        ctx, passwords=Passwords(time_cost=1, memory_cost_kib=8192, parallelism=1)
    )
    ctx.services["auth"] = service
    await service.start()
    transport = httpx.ASGITransport(app=build_app(service))
    http = httpx.AsyncClient(transport=transport, base_url="http://auth.test")
    yield Harness(service, http, database, clock, data_dir)
    await http.aclose()
    await service.stop()

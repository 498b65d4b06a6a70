"""Fixtures: the keys service on a real database (SQLite and PostgreSQL), and a gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from keys_harness import Api, make_settings, now, start_service, stop_service

from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics
from nsl.services.keys.service import KeysService


@pytest.fixture
def clock() -> ManualClock:
    """Real current time, so TOTP codes from pyotp match."""
    return ManualClock(now())


@pytest.fixture
async def keys(
    database: Any, tmp_path: Path, clock: ManualClock, metrics: Metrics
) -> AsyncIterator[KeysService]:
    service = await start_service(make_settings(tmp_path), database, clock, metrics)
    yield service
    await stop_service(service)


@pytest.fixture
async def api(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Api]:
    async with Api(make_settings(tmp_path), clock) as gateway:
        yield gateway

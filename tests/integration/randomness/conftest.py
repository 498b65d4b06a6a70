"""Fixtures: the randomness service on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from randomness_harness import make_settings, start_service, stop_service

from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics
from nsl.services.randomness.service import RandomnessService


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def randomness(
    database: Any, tmp_path: Path, clock: ManualClock, metrics: Metrics
) -> AsyncIterator[RandomnessService]:
    service = await start_service(make_settings(tmp_path), database, clock, metrics)
    yield service
    await stop_service(service)

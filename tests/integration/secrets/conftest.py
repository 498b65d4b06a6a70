"""Fixtures: a started secrets service on a real migrated database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from secrets_harness import Harness, make_settings, start_service, stop_service

from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def harness(
    database: Any, tmp_path: Path, clock: ManualClock, metrics: Metrics
) -> AsyncIterator[Harness]:
    service = await start_service(make_settings(tmp_path, max_versions=3), database, clock, metrics)
    h = Harness(service, database, clock)
    yield h
    await h.http.aclose()
    await stop_service(service)

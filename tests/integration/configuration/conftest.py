"""Fixtures: a started configuration service on a real migrated database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from config_harness import Harness, make_context, make_settings

from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics
from nsl.services.configuration.service import ConfigurationService


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def harness(
    database: Any, tmp_path: Path, clock: ManualClock, metrics: Metrics
) -> AsyncIterator[Harness]:
    service = ConfigurationService(
        make_context(make_settings(tmp_path, history_limit=3), database, clock, metrics)
    )
    await service.start()
    h = Harness(service, database, clock)
    yield h
    await h.http.aclose()
    await service.stop()

"""Fixtures: a started storage service on a real migrated database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from storage_harness import Harness, make_settings, start, stop

from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics

QUIET = 3600.0  # the purge task runs at start; tests drive it with run_task_once


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def harness(
    database: Any, tmp_path: Path, clock: ManualClock, metrics: Metrics
) -> AsyncIterator[Harness]:
    h = await start(make_settings(tmp_path, purge_interval_s=QUIET), database, clock, metrics)
    yield h
    await stop(h)

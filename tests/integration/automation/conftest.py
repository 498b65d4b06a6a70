"""Fixtures: database settings (SQLite file or PostgreSQL), a manual clock, a webhook receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from automation_harness import Receiver

from nsl.core.clock import ManualClock


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.param == "postgresql":
        return {"database": {"url": request.getfixturevalue("migrated_postgres_url")}}
    request.getfixturevalue("migrated_data_dir")
    return {}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    await hook.start()
    yield hook
    await hook.stop()

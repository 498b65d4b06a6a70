"""Fixtures: dev chains and database settings, a webhook receiver, a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from events_harness import Receiver

from nsl.core.clock import ManualClock


@pytest.fixture(params=["sqlite", "postgresql"])
def chains(request: pytest.FixtureRequest, dev_chains: Any) -> dict[str, Any]:
    """Settings overrides: the dev chains, and the database (SQLite file or PostgreSQL)."""
    overrides: dict[str, Any] = {"chains": dev_chains.settings_overrides()}
    if request.param == "postgresql":
        overrides["database"] = {"url": request.getfixturevalue("migrated_postgres_url")}
    else:
        request.getfixturevalue("migrated_data_dir")
    return overrides


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    await hook.start()
    yield hook
    await hook.stop()

"""Fixtures: loopback price sources and a manual clock; the oracle runs (registered or not)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from oracle_harness import PriceServer, ensure_registered

from nsl.core.clock import ManualClock


@pytest.fixture(autouse=True)
def _oracle_in_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    ensure_registered(monkeypatch)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def prices() -> AsyncIterator[PriceServer]:
    server = PriceServer()
    await server.start()
    yield server
    await server.stop()

"""Fixtures: a gateway (contracts + keys) pointed at the real dev chains, and principals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from contracts_harness import Api, make_settings


@pytest.fixture
async def api(dev_chains: Any, tmp_path: Path) -> AsyncIterator[Api]:
    async with Api(make_settings(tmp_path, dev_chains.settings_overrides())) as gateway:
        yield gateway

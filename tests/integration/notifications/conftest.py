"""Fixtures: database per stack (SQLite; PostgreSQL with Redis and RabbitMQ), a manual clock,
a local HTTP receiver and SMTP server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from notifications_harness import Receiver, Smtp

from nsl.core.clock import ManualClock


@pytest.fixture(params=["sqlite", "networked"])
def stack(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings overrides for one stack."""
    if request.param == "sqlite":
        request.getfixturevalue("migrated_data_dir")
        return {}
    unique = uuid.uuid4().hex[:8]
    return {
        "database": {"url": request.getfixturevalue("migrated_postgres_url")},
        "redis": {"url": request.getfixturevalue("redis_url"), "key_prefix": f"nsltest:{unique}:"},
        "rabbitmq": {
            "url": request.getfixturevalue("rabbitmq_url"),
            "exchange": f"nsl.test.{unique}",
            "queue_prefix": f"nsltest.{unique}",
        },
    }


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    await hook.start()
    yield hook
    await hook.stop()


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    server = Smtp("mailer", "s3cret-smtp-pass")
    server.controller.start()
    yield server
    server.controller.stop()

"""An in-process gateway on a started runtime: embedded (SQLite) or networked (PG, Redis, AMQP)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.contract.cases import delete_rabbit_objects

from nsl.adapters.bus_rabbitmq import RabbitBus
from nsl.core.settings import Settings
from nsl.gateway.app import create_app
from nsl.runtime import Runtime

ADMIN_KEY = "nsl_test_admin_" + "k" * 40


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "env": "test",
        "data_dir": tmp_path / "var",
        "bootstrap_admin_key": ADMIN_KEY,
        "http": {"cors_origins": ["https://app.example"]},
    }
    base.update(overrides)
    return Settings(**base)


@pytest.fixture(params=["embedded", "networked"])
def stack_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., Settings]:
    """A settings factory for one stack; call it with overrides."""
    # both start from a database already migrated to head (Runtime.start's upgrade is a no-op)
    stack: dict[str, Any] = {}
    if request.param == "embedded":
        request.getfixturevalue("migrated_data_dir")
    else:
        unique = uuid.uuid4().hex[:8]
        stack = {
            "database": {"url": request.getfixturevalue("migrated_postgres_url")},
            "redis": {
                "url": request.getfixturevalue("redis_url"),
                "key_prefix": f"nsltest:{unique}:",
            },
            "rabbitmq": {
                "url": request.getfixturevalue("rabbitmq_url"),
                "exchange": f"nsl.test.{unique}",
                "queue_prefix": f"nsltest.{unique}",
            },
        }

    def factory(**overrides: Any) -> Settings:
        return make_settings(tmp_path, **{**stack, **overrides})

    return factory


class Gateway:
    """A started runtime, its app and an HTTP client speaking to it in-process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runtime = Runtime(settings)
        self.app = create_app(settings, runtime=self.runtime)
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=("203.0.113.7", 5000)),
            base_url="http://gateway.test",
        )

    async def __aenter__(self) -> Gateway:
        await self.runtime.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()
        bus = self.runtime.adapters.bus
        queues = bus.queue_names if isinstance(bus, RabbitBus) else []
        await self.runtime.stop()
        rabbit = self.settings.rabbitmq
        if rabbit.url is not None:
            await delete_rabbit_objects(rabbit.url.get_secret_value(), rabbit.exchange, queues)

    def admin(self) -> dict[str, str]:
        return {"X-API-Key": ADMIN_KEY}


@pytest.fixture
async def gateway(stack_settings: Callable[..., Settings]) -> AsyncIterator[Gateway]:
    async with Gateway(stack_settings()) as gw:
        yield gw

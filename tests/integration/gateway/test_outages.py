"""Redis and RabbitMQ going away at runtime: requests go on, health degrades, no event is lost."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.integration.gateway.conftest import Gateway, make_settings
from tests.netfault import TcpProxy
from tests.polling import eventually

from nsl.core.ports import Event


async def test_broker_and_cache_outage(
    tmp_path: Path, fresh_postgres_url: str, redis_url: str, rabbitmq_url: str
) -> None:
    redis_proxy, amqp_proxy = TcpProxy("127.0.0.1", 6379), TcpProxy("127.0.0.1", 5672)
    await redis_proxy.start()
    await amqp_proxy.start()
    unique = uuid.uuid4().hex[:8]
    settings = make_settings(
        tmp_path,
        database={"url": fresh_postgres_url},
        redis={
            "url": redis_url.replace(":6379", f":{redis_proxy.port}"),
            "key_prefix": f"nslt:{unique}:",
        },
        rabbitmq={
            "url": rabbitmq_url.replace(":5672", f":{amqp_proxy.port}"),
            "exchange": f"nsl.test.{unique}",
            "queue_prefix": f"nsltest.{unique}",
        },
        outbox={"poll_interval_s": 0.1},
        # A write that missed Redis keeps the cache degraded while a stale L2 value may live.
        cache={"l2_ttl_s": 1},
    )
    received: list[Event] = []

    async def record(event: Event) -> None:
        received.append(event)

    async with Gateway(settings) as gw:
        await gw.runtime.adapters.bus.subscribe("outage-test", "configuration.#", record)
        await redis_proxy.cut()
        await amqp_proxy.cut()

        put = await gw.http.put(
            "/api/v1/configuration/outage.k", json={"value": 1}, headers=gw.admin()
        )
        assert put.status_code == 200
        get = await gw.http.get("/api/v1/configuration/outage.k", headers=gw.admin())
        assert get.status_code == 200 and get.json()["value"] == 1

        async def degraded() -> bool:
            body = (await gw.http.get("/health")).json()
            return bool(body["status"] == "degraded")

        await eventually(degraded, within=30)
        assert (await gw.http.get("/health/ready")).status_code == 200
        assert not any(e.payload.get("key") == "outage.k" for e in received)

        await redis_proxy.start()
        await amqp_proxy.start()

        async def delivered() -> bool:
            return any(e.payload.get("key") == "outage.k" for e in received)

        await eventually(delivered, within=60)

        async def healthy() -> bool:
            return bool((await gw.http.get("/health")).json()["status"] == "ok")

        await eventually(healthy, within=60)
    await redis_proxy.cut()
    await amqp_proxy.cut()

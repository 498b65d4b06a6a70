"""Concurrent writers and readers: no 5xx, no lost version, history consistent."""

from __future__ import annotations

import asyncio

from tests.integration.gateway.conftest import Gateway


async def test_concurrent_writes_to_one_key_lose_nothing(gateway: Gateway) -> None:
    async def put(i: int) -> int:
        response = await gateway.http.put(
            "/api/v1/configuration/race.k", json={"value": i}, headers=gateway.admin()
        )
        return response.status_code

    async def get() -> int:
        response = await gateway.http.get("/api/v1/configuration/race.k", headers=gateway.admin())
        return response.status_code

    statuses = await asyncio.gather(*(put(i) for i in range(25)), *(get() for _ in range(15)))
    assert all(s < 500 for s in statuses), statuses
    assert statuses[:25] == [200] * 25
    assert set(statuses[25:]) <= {200, 404}  # a read may come before the first write
    final = (await gateway.http.get("/api/v1/configuration/race.k", headers=gateway.admin())).json()
    assert final["version"] == 25
    history = await gateway.http.get(
        "/api/v1/configuration/race.k/history", headers=gateway.admin()
    )
    versions = [item["version"] for item in history.json()["items"]]
    assert versions == sorted(versions, reverse=True)
    assert len(set(versions)) == len(versions)

"""The in-process client other services use: same checks, quotas and encryption as the API."""

from __future__ import annotations

from collections.abc import AsyncIterator

from storage_harness import Harness

from nsl.core.security import Principal, Role
from nsl.services.storage.client import StorageClient


async def test_another_service_stores_and_reads_an_object(harness: Harness) -> None:
    ctx = harness.service.ctx
    ctx.services["storage"] = harness.service
    client = StorageClient(ctx)
    backup = Principal(
        id="svc-backup", name="backup", kind="service", roles=frozenset({Role.SERVICE})
    )

    async def body() -> AsyncIterator[bytes]:
        yield b"part one, "
        yield b"part two"

    stored = await client.put(backup, "dumps/2026-11-28", body())
    assert stored["owner"] == "svc-backup" and stored["size"] == 18
    read = b"".join([c async for c in await client.read(backup, "dumps/2026-11-28")])
    assert read == b"part one, part two"
    usage = (
        await harness.call("GET", "/usage", "root", "admin", params={"owner": "svc-backup"})
    ).json()
    assert usage["bytes"]["used"] == 18

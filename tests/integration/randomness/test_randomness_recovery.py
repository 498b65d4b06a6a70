"""A result is never dropped: pending requests left by a dead process are fulfilled by the
periodic task with the same answer; enclave failures are counted, and a proof that does not
verify is never answered."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from randomness_harness import (
    ALICE,
    P256,
    audit_entries,
    expected_values,
    make_settings,
    rows,
    start_service,
    stop_service,
)

from nsl.core.clock import ManualClock
from nsl.core.ids import new_id
from nsl.core.metrics import Metrics
from nsl.enclave.ecvrf import P256_SHA256_TAI
from nsl.services.randomness.errors import RequestFailed, SelfCheckFailed
from nsl.services.randomness.models import RandomnessRequest
from nsl.services.randomness.schemas import GenerateBody
from nsl.services.randomness.service import MAX_ATTEMPTS, STALE_AFTER_S, RandomnessService

TASK = "fulfil-pending"


async def insert_pending(
    service: RandomnessService,
    request_id: str,
    alpha: bytes,
    *,
    key_ref: str | None = None,
    public_key: bytes | None = None,
) -> None:
    """What a process that died right after admitting a request leaves behind."""
    key = service.keyring.key(P256)
    row = RandomnessRequest(
        id=new_id(),
        owner_id=ALICE.id,
        request_id=request_id,
        suite=P256,
        key_ref=key_ref or key.key_ref,
        public_key=public_key or key.public_key,
        alpha=alpha,
        count=50,
        min_value="10",
        max_value="20",
        status="pending",
        attempts=0,
        created_at=service.ctx.clock.now(),
    )
    async with service.ctx.database.session() as session:
        session.add(row)


async def status_of(database: Any, request_id: str) -> tuple[Any, ...]:
    found = await rows(
        database,
        "SELECT status, attempts, error FROM randomness_requests WHERE request_id = :r",
        r=request_id,
    )
    return tuple(found[0])


async def test_a_pending_request_of_a_dead_process_is_fulfilled_by_the_task(
    randomness: RandomnessService, database: Any, clock: ManualClock
) -> None:
    alpha = b"block 0xabc | request 42"
    await insert_pending(randomness, "orphan", alpha)
    await randomness.run_task_once(TASK)
    assert (await status_of(database, "orphan"))[0] == "pending"  # too young: maybe in flight
    clock.advance(STALE_AFTER_S + 1)
    await randomness.run_task_once(TASK)
    view = await randomness.get("orphan", principal=ALICE)
    assert view["status"] == "fulfilled" and view["fulfilled_at"] is not None
    beta = P256_SHA256_TAI.verify(
        bytes.fromhex(view["public_key"]), bytes.fromhex(view["proof"]), alpha
    )
    assert view["values"] == expected_values(beta, 50, 10, 20)
    # the owner replaying the request gets exactly the stored answer
    body = GenerateBody.model_validate(
        {"alpha": alpha.hex(), "count": 50, "min": 10, "max": 20, "request_id": "orphan"}
    )
    assert await randomness.generate(body, principal=ALICE) == view
    actions = [(e[0], e[1], e[2], e[3]) for e in await audit_entries(database)]
    assert actions == [
        ("system:randomness", "fulfil", "request/orphan", "ok"),
        ("p-alice", "generate", "request/orphan", "ok"),
    ]
    health = await randomness.health()
    task = next(c for c in health.checks if c.name == f"randomness.task.{TASK}")
    assert task.status.value == "ok"


async def test_an_enclave_failure_is_counted_and_finally_recorded_as_failed(
    randomness: RandomnessService, database: Any, clock: ManualClock
) -> None:
    await insert_pending(randomness, "lost-key", b"x", key_ref="no-such-enclave-key")
    clock.advance(STALE_AFTER_S + 1)
    await randomness.run_task_once(TASK)
    status, attempts, error = await status_of(database, "lost-key")
    assert (status, attempts, error) == ("pending", 1, "enclave.key_unknown")
    for _ in range(MAX_ATTEMPTS - 1):
        await randomness.run_task_once(TASK)
    assert await status_of(database, "lost-key") == ("failed", MAX_ATTEMPTS, "enclave.key_unknown")
    view = await randomness.get("lost-key", principal=ALICE)
    assert view["values"] is None and view["proof"] is None and view["beta"] is None
    body = GenerateBody.model_validate(
        {"alpha": "78", "count": 50, "min": 10, "max": 20, "request_id": "lost-key"}
    )
    with pytest.raises(RequestFailed):
        await randomness.generate(body, principal=ALICE)


async def test_a_proof_that_does_not_verify_is_never_answered(
    randomness: RandomnessService, database: Any, clock: ManualClock
) -> None:
    stranger = P256_SHA256_TAI.public_key((12345).to_bytes(32, "big"))
    await insert_pending(randomness, "mismatch", b"y", public_key=stranger)
    clock.advance(STALE_AFTER_S + 1)
    await randomness.run_task_once(TASK)
    assert await status_of(database, "mismatch") == (
        "failed",
        1,
        "randomness.self_check_failed",
    )
    view = await randomness.get("mismatch", principal=ALICE)
    assert view["values"] is None and view["beta"] is None


async def test_a_stored_key_that_does_not_match_the_enclave_stops_the_service_starting(
    database: Any, tmp_path: Path, clock: ManualClock, metrics: Metrics
) -> None:
    settings = make_settings(tmp_path)
    service = await start_service(settings, database, clock, metrics)
    await stop_service(service)
    stranger = P256_SHA256_TAI.public_key((777).to_bytes(32, "big"))
    async with database.session() as session:
        from sqlalchemy import update

        from nsl.services.randomness.models import RandomnessVrfKey

        await session.execute(
            update(RandomnessVrfKey)
            .where(RandomnessVrfKey.suite == P256)
            .values(public_key=stranger)
        )
    with pytest.raises(SelfCheckFailed):
        await start_service(settings, database, clock, Metrics("test", "test"))


async def test_processes_starting_together_share_one_key_per_suite(
    database: Any, tmp_path: Path, clock: ManualClock, metrics: Metrics
) -> None:
    settings = make_settings(tmp_path)
    first, second = await asyncio.gather(
        start_service(settings, database, clock, metrics),
        start_service(settings, database, clock, Metrics("test", "test")),
    )
    try:
        assert first.keyring.keys == second.keyring.keys
        assert len(await rows(database, "SELECT suite FROM randomness_vrf_keys")) == 2
        live = await rows(
            database,
            "SELECT id FROM enclave_items WHERE purpose = 'randomness/vrf' "
            "AND destroyed_at IS NULL",
        )
        assert sorted(r[0] for r in live) == sorted(k.key_ref for k in first.keyring.keys.values())
        body = GenerateBody.model_validate({"alpha": "0102", "count": 5})
        a = await first.generate(body, principal=ALICE)
        b = await second.generate(body, principal=ALICE)
        assert a["values"] == b["values"]
    finally:
        await stop_service(first)
        await stop_service(second)


async def test_a_restarted_service_keeps_its_keys(
    database: Any, tmp_path: Path, clock: ManualClock, metrics: Metrics
) -> None:
    settings = make_settings(tmp_path)
    service = await start_service(settings, database, clock, metrics)
    before = dict(service.keyring.keys)
    await stop_service(service)
    again = await start_service(settings, database, clock, Metrics("test", "test"))
    try:
        assert again.keyring.keys == before
    finally:
        await stop_service(again)

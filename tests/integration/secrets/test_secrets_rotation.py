"""Rotation reminders: one ``secrets.rotation_due`` event per version past its period, through
the outbox, and the gauge of due secrets (time moved with a ManualClock)."""

from __future__ import annotations

from datetime import timedelta

from secrets_harness import Harness

DAY = 24 * 3600.0
TOPIC = "secrets.rotation_due"


def gauge(harness: Harness) -> float | None:
    registry = harness.ctx.metrics.registry
    return registry.get_sample_value("nsl_secrets_rotation_due_secrets")  # type: ignore[no-any-return]


async def test_a_due_secret_is_announced_once_per_version(harness: Harness) -> None:
    written = harness.clock.now()
    await harness.put("app/db", {"k": "v1"})
    await harness.service.run_task_once("rotation")
    assert await harness.events(TOPIC) == [] and gauge(harness) == 0

    harness.clock.advance(30 * DAY - 1)
    await harness.service.run_task_once("rotation")
    assert await harness.events(TOPIC) == []

    harness.clock.advance(1)
    await harness.service.run_task_once("rotation")
    await harness.service.run_task_once("rotation")  # a second run announces nothing new
    events = await harness.events(TOPIC)
    due_at = (written + timedelta(days=30)).isoformat()
    assert events == [{"path": "app/db", "version": 1, "due_at": due_at, "owner": "alice"}]
    assert gauge(harness) == 1

    await harness.put("app/db", {"k": "v2"})  # rotated: not due any more
    await harness.service.run_task_once("rotation")
    assert gauge(harness) == 0 and len(await harness.events(TOPIC)) == 1
    harness.clock.advance(30 * DAY)
    await harness.service.run_task_once("rotation")
    assert [e["version"] for e in await harness.events(TOPIC)] == [1, 2]


async def test_the_period_is_per_secret_and_zero_turns_it_off(harness: Harness) -> None:
    await harness.put("fast", {"k": "v"})
    await harness.put("never", {"k": "v"})
    await harness.request("PUT", "/fast/metadata", json={"rotation_period_days": 1})
    await harness.request("PUT", "/never/metadata", json={"rotation_period_days": 0})
    harness.clock.advance(DAY)
    await harness.service.run_task_once("rotation")
    assert [e["path"] for e in await harness.events(TOPIC)] == ["fast"]
    harness.clock.advance(400 * DAY)
    await harness.service.run_task_once("rotation")
    assert [e["path"] for e in await harness.events(TOPIC)] == ["fast"]
    meta = (await harness.request("GET", "/never/metadata")).json()
    assert meta["rotation_due_at"] is None and meta["rotation_period_days"] == 0


async def test_deleted_current_versions_are_not_announced(harness: Harness) -> None:
    await harness.put("app/db", {"k": "v"})
    await harness.request("DELETE", "/app/db")
    harness.clock.advance(31 * DAY)
    await harness.service.run_task_once("rotation")
    assert await harness.events(TOPIC) == [] and gauge(harness) == 0


async def test_many_due_secrets_are_all_announced(harness: Harness) -> None:
    for i in range(12):
        await harness.put(f"bulk/{i:02d}", {"i": i})
    harness.clock.advance(31 * DAY)
    assert await harness.service.announce_rotations() == 12
    assert len({e["path"] for e in await harness.events(TOPIC)}) == 12
    assert await harness.service.announce_rotations() == 0
    assert gauge(harness) == 12

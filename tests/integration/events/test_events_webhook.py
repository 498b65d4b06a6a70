"""Webhook delivery on the real Neo X dev chain: exactly once, signed, after confirmations;
a failing receiver gets retries, then a dead letter that can be sent again."""

from __future__ import annotations

import hashlib
import hmac
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from events_harness import NX_ABI, Api, Emitter, Receiver, make_settings, stored_ids
from tests.chain_helpers import node_rpc

from nsl.core.clock import ManualClock


@pytest.fixture
async def emitter(
    tmp_path: Path, chains: dict[str, Any], dev_chains: Any
) -> AsyncIterator[Emitter]:
    sender = await Emitter(tmp_path, chains, "neo-x").open(dev_chains)
    await sender.deploy()
    yield sender
    await sender.close()


def valid_signature(secret: str, received: Any) -> bool:
    stamp = received.headers["X-NSL-Timestamp"]
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + received.body, hashlib.sha256)
    return hmac.compare_digest(received.headers["X-NSL-Signature"], "v1=" + mac.hexdigest())


async def test_an_emitted_event_is_delivered_once_with_a_valid_signature(
    tmp_path: Path, chains: dict[str, Any], clock: ManualClock, receiver: Receiver, emitter: Emitter
) -> None:
    async with Api(make_settings(tmp_path, chains), clock) as api:
        alice = await api.user("alice")
        sub = await api.subscribe(
            alice,
            chain="neo-x",
            contract=emitter.contract,
            event_name="Stored",
            filters={"key": 7},
            confirmations=0,
            abi=NX_ABI,
            delivery={"type": "webhook", "url": receiver.url},
        )
        secret = sub["delivery"]["secret"]
        assert secret.startswith("whsec_")
        again = await api.get(f"/subscriptions/{sub['id']}", alice)
        assert "secret" not in again["delivery"]  # shown once, never again

        wanted = await emitter.store(7, 1000, "hello")
        await emitter.store(8, 5, "filtered out")
        for _ in range(2):  # a second round finds nothing new
            await api.poll("neo-x")
            await api.deliver()

        assert len(receiver.requests) == 1
        got = receiver.requests[0]
        (event_id,) = stored_ids(wanted)
        assert got.headers["X-NSL-Event-Id"] == event_id
        assert got.headers["X-NSL-Timestamp"] == str(int(clock.now().timestamp()))
        assert valid_signature(secret, got)
        body = got.json
        assert body["type"] == "event" and body["subscription_id"] == sub["id"]
        assert body["event"]["event_id"] == event_id
        assert body["event"]["name"] == "Stored" and body["event"]["tx_hash"] == wanted.tx_hash
        assert (
            int(body["event"]["args"]["amount"]) == 1000
            and body["event"]["args"]["note"] == "hello"
        )
        assert body["event"]["block_number"] == wanted.block_number

        history = await api.get(f"/subscriptions/{sub['id']}/deliveries", alice)
        assert history["total"] == 1
        (delivery,) = history["items"]
        assert (delivery["status"], delivery["attempts"]) == ("delivered", 1)
        assert delivery["history"][0]["status_code"] == 200
        cursor = (await api.get(f"/subscriptions/{sub['id']}", alice))["cursor"]
        assert cursor["block_number"] >= wanted.block_number and cursor["block_hash"]

        sample = api.runtime.metrics.registry.get_sample_value
        delivered = {"mode": "webhook", "kind": "event", "outcome": "delivered"}
        assert sample("nsl_events_deliveries_total", delivered) == 1.0
        assert sample("nsl_events_delivery_latency_seconds_count", {"mode": "webhook"}) == 1.0
        assert sample("nsl_events_backlog_deliveries") == 0.0
        assert sample("nsl_events_poll_lag_blocks", {"chain": "neo-x"}) == 0.0
        health = {c.name: c for c in (await api.service.health()).checks}
        assert health["events.poll.neo-x"].status == "ok"
        assert health["events.poll.neo-x"].detail.startswith("0 blocks behind height")

        (row,) = await api.rows("SELECT * FROM events_subscriptions")
        assert row["webhook_secret_sealed"] and secret.encode() not in row["webhook_secret_sealed"]


async def test_confirmations_hold_delivery_until_enough_blocks_are_on_top(
    tmp_path: Path,
    chains: dict[str, Any],
    clock: ManualClock,
    receiver: Receiver,
    emitter: Emitter,
    dev_chains: Any,
) -> None:
    async with Api(make_settings(tmp_path, chains), clock) as api:
        alice = await api.user("alice")
        sub = await api.subscribe(
            alice,
            chain="neo-x",
            contract=emitter.contract,
            abi=NX_ABI,
            delivery={"type": "webhook", "url": receiver.url},
        )
        assert sub["confirmations"] == 2  # the Neo X default
        await emitter.store(11, 1)  # Hardhat mines one block per transaction
        await api.poll("neo-x")
        await api.deliver()
        assert receiver.requests == []
        await node_rpc(dev_chains.neo_x_url, "evm_mine")
        await api.poll("neo-x")
        await api.deliver()
        assert receiver.requests == []
        await node_rpc(dev_chains.neo_x_url, "evm_mine")
        await api.poll("neo-x")
        await api.deliver()
        assert len(receiver.requests) == 1


async def test_a_failing_webhook_is_retried_then_dead_lettered_and_can_be_sent_again(
    tmp_path: Path, chains: dict[str, Any], clock: ManualClock, receiver: Receiver, emitter: Emitter
) -> None:
    async with Api(make_settings(tmp_path, chains), clock) as api:
        alice = await api.user("alice")
        sub = await api.subscribe(
            alice,
            chain="neo-x",
            contract=emitter.contract,
            event_name="Stored",
            confirmations=0,
            abi=NX_ABI,
            delivery={"type": "webhook", "url": receiver.url},
        )
        secret = sub["delivery"]["secret"]
        receiver.statuses = [500, 503, 500]
        outcome = await emitter.store(21, 3)
        await api.poll("neo-x")
        await api.deliver()
        assert len(receiver.requests) == 1
        await api.deliver()  # not due yet: the backoff holds it
        assert len(receiver.requests) == 1
        (pending,) = (await api.get(f"/subscriptions/{sub['id']}/deliveries", alice))["items"]
        assert pending["status"] == "pending" and pending["last_error"] == "HTTP 500"
        clock.advance(2.0)  # the first retry waits 1-2 s (base 2 s, equal jitter)
        await api.deliver()
        assert len(receiver.requests) == 2
        clock.advance(4.0)
        await api.deliver()
        assert len(receiver.requests) == 3
        clock.advance(3600)
        await api.deliver()
        assert len(receiver.requests) == 3  # three attempts allowed: dead-lettered

        dead = await api.get(f"/subscriptions/{sub['id']}/dead-letters", alice)
        assert dead["total"] == 1
        (letter,) = dead["items"]
        assert letter["status"] == "dead" and letter["attempts"] == 3
        assert [h["status_code"] for h in letter["history"]] == [500, 503, 500]

        retried = await api.http.post(
            f"/api/v1/events/subscriptions/{sub['id']}/dead-letters/{letter['id']}/retry",
            headers=alice,
        )
        assert retried.status_code == 200, retried.text
        assert retried.json()["status"] == "pending"
        await api.deliver()
        assert len(receiver.requests) == 4
        (event_id,) = stored_ids(outcome)
        assert {r.headers["X-NSL-Event-Id"] for r in receiver.requests} == {event_id}
        assert valid_signature(secret, receiver.requests[-1])
        final = await api.get(f"/subscriptions/{sub['id']}/deliveries", alice)
        assert [d["status"] for d in final["items"]] == ["delivered"]
        assert (await api.get(f"/subscriptions/{sub['id']}/dead-letters", alice))["total"] == 0
        again = await api.http.post(
            f"/api/v1/events/subscriptions/{sub['id']}/dead-letters/{letter['id']}/retry",
            headers=alice,
        )
        assert again.status_code == 409 and again.json()["code"] == "events.not_retryable"


async def test_a_webhook_name_that_resolves_to_a_private_address_is_never_called(
    tmp_path: Path, chains: dict[str, Any], clock: ManualClock, receiver: Receiver, emitter: Emitter
) -> None:
    # the machine's own name resolves to loopback: accepted as a name, refused at delivery
    by_name = receiver.url.replace("127.0.0.1", socket.gethostname())
    settings = make_settings(tmp_path, chains, allow_private_webhooks=False)
    async with Api(settings, clock) as api:
        alice = await api.user("alice")
        sub = await api.subscribe(
            alice,
            chain="neo-x",
            contract=emitter.contract,
            event_name="Stored",
            confirmations=0,
            abi=NX_ABI,
            delivery={"type": "webhook", "url": by_name},
        )
        await emitter.store(31, 1)
        await api.poll("neo-x")
        await api.deliver()
        (pending,) = (await api.get(f"/subscriptions/{sub['id']}/deliveries", alice))["items"]
        assert pending["last_error"] == "outbound.private_address"
        assert receiver.requests == []

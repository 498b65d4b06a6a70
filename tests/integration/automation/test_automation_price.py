"""Oracle price-condition triggers with the oracle running in the same process, fed by real
HTTP price sources on loopback: an unknown feed is refused naming ``trigger.feed``; ``above``
fires when a new round moves the value over the threshold, ``crosses`` on each side change."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from automation_harness import Api, Receiver, make_settings

from nsl.core.clock import ManualClock

JOBS = "/api/v1/automation/jobs"
ORACLE = {
    "round_interval_s": 3600.0,
    "allow_loopback_sources": True,
    "source_timeout_s": 2.0,
    "latest_cache_s": 0,
}


class Prices:
    """Three sources on 127.0.0.1 answering ``{"price": <value>}``."""

    def __init__(self) -> None:
        self.value = "100"
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{name}", self._answer)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def _answer(self, request: web.Request) -> web.Response:
        return web.json_response({"price": self.value})

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


async def test_price_triggers_fire_on_rounds_crossing_the_threshold(
    tmp_path: Path, clock: ManualClock, receiver: Receiver
) -> None:
    prices = Prices()
    await prices.start()
    settings = make_settings(tmp_path, {"oracle": ORACLE})
    try:
        async with Api(settings, clock, extra=("oracle",)) as api:
            ann = await api.user("ann")
            sources = [{"name": n, "url": f"{prices.base}/{n}", "path": "$.price"} for n in "abc"]
            feed = {"name": "NEO/USD", "decimals": 8, "sources": sources}
            made = await api.http.post("/api/v1/oracle/feeds", json=feed, headers=api.admin())
            assert made.status_code == 201, made.text
            oracle = api.runtime.services["oracle"]

            async def round_() -> None:
                await oracle.run_task_once("rounds")

            await round_()
            action = {"type": "webhook", "url": receiver.url}
            unknown = {"type": "price", "feed": "XYZ/USD", "condition": "above", "threshold": "1"}
            refused = await api.http.post(
                JOBS, json={"name": "x", "trigger": unknown, "action": action}, headers=ann
            )
            assert refused.status_code == 422, refused.text
            assert refused.json()["errors"][0]["field"] == "trigger.feed"

            above = await api.create(
                ann,
                trigger={
                    "type": "price",
                    "feed": "NEO/USD",
                    "condition": "above",
                    "threshold": "110",
                },
                action=action,
            )
            crosses = await api.create(
                ann,
                trigger={
                    "type": "price",
                    "feed": "NEO/USD",
                    "condition": "crosses",
                    "threshold": "110",
                },
                action=action,
            )

            async def step() -> None:
                await api.service.run_task_once("watch")
                await api.tick()

            await step()  # 100: below; nothing fires (crosses only records the side)
            assert receiver.requests == []
            prices.value = "120"
            clock.advance(10)
            await round_()
            await step()
            await step()  # the same round does not fire twice
            fired = [r.json for r in receiver.requests]
            assert sorted(r["job_id"] for r in fired) == sorted([above["id"], crosses["id"]])
            assert {r["trigger"]["value"] for r in fired} == {"120.00000000"}
            prices.value = "100"
            clock.advance(10)
            await round_()
            await step()
            runs = {j["id"]: len(await api.executions(ann, j["id"])) for j in (above, crosses)}
            assert runs == {above["id"]: 1, crosses["id"]: 2}
    finally:
        await prices.stop()

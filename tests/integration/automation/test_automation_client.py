"""Every automation endpoint through the typed client (``nsl.client.AsyncClient``)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from automation_harness import Api, Receiver, make_settings

from nsl.client import AsyncClient
from nsl.client.errors import ValidationError
from nsl.core.clock import ManualClock


async def test_the_client_drives_a_job_through_its_life(
    tmp_path: Path, clock: ManualClock, receiver: Receiver
) -> None:
    async with Api(make_settings(tmp_path, {}), clock) as api:
        headers = await api.user("carol")
        transport = httpx.ASGITransport(app=api.app)
        async with AsyncClient(
            "http://gateway.test", api_key=headers["X-API-Key"], transport=transport
        ) as client:
            action = {"type": "webhook", "url": receiver.url}
            job = await client.create_automation_job("hooked", {"type": "webhook"}, action)
            job_id = job["id"]
            assert (await client.automation_job(job_id))["name"] == "hooked"
            assert (await client.list_automation_jobs())["total"] == 1
            changed = await client.update_automation_job(job_id, {"max_retries": 1})
            assert changed["max_retries"] == 1
            replaced = await client.replace_automation_job(
                job_id, {"name": "again", "trigger": {"type": "webhook"}, "action": action}
            )
            assert replaced["name"] == "again"
            assert (await client.pause_automation_job(job_id))["status"] == "paused"
            assert (await client.resume_automation_job(job_id))["status"] == "active"
            stamp = int(clock.now().timestamp())
            fired = await client.fire_automation_hook(job_id, job["secret"], {"n": 1}, stamp)
            assert fired["queued"] is True
            await api.tick()
            (execution,) = (await client.automation_executions(job_id))["items"]
            assert execution["status"] == "succeeded"
            assert receiver.requests[0].json["trigger"]["body"] == {"n": 1}
            assert (await client.cancel_automation_job(job_id))["status"] == "cancelled"
            with pytest.raises(ValidationError) as refused:
                await client.create_automation_job("bad", {"type": "cron", "cron": "nope"}, action)
            assert refused.value.fields[0].field == "trigger.cron"

"""Waits with a deadline: a process becoming ready, every process following a switch."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from nsl.runtime.rollout.follower import POLL_S, WaitFailed


async def wait_ready(
    client: httpx.AsyncClient,
    url: str,
    timeout_s: float,
    alive: Callable[[], bool] | None = None,
) -> dict[str, object]:
    """Poll ``url``/health/ready until 200; then return its ``/health`` report (with a version)."""
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise WaitFailed(f"the process at {url} exited while starting")
        try:
            response = await client.get(url + "/health/ready", timeout=2.0)
            if response.status_code == 200:
                health = await client.get(url + "/health", timeout=2.0)  # not rate limited
                body: dict[str, object] = health.json()
                if health.status_code == 200 and isinstance(body.get("version"), str):
                    return body
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        await asyncio.sleep(POLL_S)
    raise WaitFailed(f"{url} not ready after {timeout_s:.0f}s (last: {last})")

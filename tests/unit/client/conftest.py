"""Fixtures: either client (sync or async) wired to a recording ``httpx.MockTransport``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from client_fakes import BASE, Api, Recorder

from nsl.client import AsyncClient, Client


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(params=["sync", "async"])
def make_api(request: pytest.FixtureRequest, recorder: Recorder) -> Iterator[Callable[..., Api]]:
    """``make_api(**client_kwargs)`` -> ``api(method_name, *args, **kwargs)`` on either client."""
    closers: list[Callable[[], None]] = []

    def make(**kwargs: Any) -> Api:
        transport = httpx.MockTransport(recorder)
        if request.param == "sync":
            client = Client(BASE, transport=transport, **kwargs)
            closers.append(client.close)
            return lambda name, *a, **k: getattr(client, name)(*a, **k)
        aclient = AsyncClient(BASE, transport=transport, **kwargs)
        loop = asyncio.new_event_loop()
        closers.append(lambda: (loop.run_until_complete(aclient.aclose()), loop.close()))
        return lambda name, *a, **k: loop.run_until_complete(getattr(aclient, name)(*a, **k))

    yield make
    for close in closers:
        close()


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api(api_key="k-123")

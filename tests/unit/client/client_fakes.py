"""A recording mock transport standing in for the server's recorded HTTP contract."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

BASE = "http://nsl.test"


@dataclass
class Recorder:
    """Answers every request with ``response`` and keeps what was sent."""

    response: httpx.Response = field(default_factory=lambda: httpx.Response(200, json={}))
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.response

    def reply(self, status: int, body: Any = None, **kwargs: Any) -> None:
        if body is None:
            self.response = httpx.Response(status, **kwargs)
        else:
            self.response = httpx.Response(status, json=body, **kwargs)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def last_json(self) -> Any:
        return json.loads(self.last.content)


Api = Callable[..., Any]

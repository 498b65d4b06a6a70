"""Several RPC endpoints for one chain: health-scored choice, timeouts, retries with jitter and
a circuit breaker per endpoint.

A call runs on the best endpoint whose circuit is closed (or half-open and due for a probe);
a transport failure counts against that endpoint and the call moves on to the next one after
a short jittered pause, up to ``retries`` extra attempts. A node's definitive answer (an
``NslError`` such as :class:`~nsl.core.chain.ChainRejected`) is returned at once: another
node would say the same. When no attempt succeeds the caller gets ``chain.unavailable``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar
from urllib.parse import urlsplit

import aiohttp

from nsl.core.chain import ChainUnavailable, EndpointStatus
from nsl.core.clock import Clock
from nsl.core.health import Check, Status
from nsl.core.metrics import Metrics
from nsl.core.settings import ChainSettings
from nsl.core.tracing import Attributes, active_tracer

T = TypeVar("T")
Circuit = Literal["closed", "open", "half-open"]
R = TypeVar("R")

SCORE_WEIGHT = 0.3  # weight of the newest outcome in the moving success score
BACKOFF_BASE_S = 0.05
BACKOFF_CAP_S = 1.0
_NO_SPAN: AbstractContextManager[object] = nullcontext()


class EndpointFailure(Exception):
    """The endpoint, not the request, failed: refused, timed out, 5xx or a malformed answer."""


TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    EndpointFailure,
    TimeoutError,
    OSError,
    aiohttp.ClientError,
)


def endpoint_name(url: str) -> str:
    """``scheme://host:port`` of an endpoint URL: no user, password, path or query (API keys
    often sit there)."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


@dataclass
class _Endpoint(Generic[T]):
    name: str
    client: T
    score: float = 1.0
    latency_ms: float | None = None
    failures: int = 0
    opened_at: float | None = None
    probing: bool = False
    last_error: str | None = None


class EndpointPool(Generic[T]):
    """The endpoints of one chain, each with a client object ``T`` (an RPC client)."""

    def __init__(
        self,
        chain: str,
        clients: list[tuple[str, T]],
        settings: ChainSettings,
        metrics: Metrics,
        clock: Clock,
        *,
        transport_errors: tuple[type[BaseException], ...] = (),
    ) -> None:
        if not clients:
            raise ValueError(f"{chain}: no RPC endpoint configured")
        self.chain = chain
        self.settings = settings
        self.metrics = metrics
        self.clock = clock
        self._endpoints = [_Endpoint(name, client) for name, client in clients]
        self._transport = TRANSPORT_ERRORS + transport_errors
        self._random = random.SystemRandom()
        for endpoint in self._endpoints:
            self._publish(endpoint)

    @property
    def clients(self) -> list[T]:
        return [e.client for e in self._endpoints]

    async def run(self, operation: str, work: Callable[[T], Awaitable[R]]) -> R:
        """``work(client)`` on the healthiest endpoint, failing over on transport errors."""
        attempts = self.settings.retries + 1
        tried: list[str] = []
        last_error = "no endpoint available"
        for attempt in range(attempts):
            endpoint = self._choose(exclude=tried)
            if endpoint is None:
                break
            tried.append(endpoint.name)
            if attempt:
                await asyncio.sleep(self._backoff(attempt))
            started = self.clock.monotonic()
            try:
                with self._span(operation, endpoint.name, attempt):
                    async with asyncio.timeout(self.settings.timeout_s):
                        result = await work(endpoint.client)
            except self._transport as exc:
                last_error = _describe(exc, self.settings.timeout_s)
                self._failed(endpoint, operation, last_error)
                continue
            except BaseException:
                endpoint.probing = False
                raise
            self._succeeded(endpoint, operation, self.clock.monotonic() - started)
            return result
        raise ChainUnavailable(
            f"{self.chain}: every RPC endpoint failed for {operation} "
            f"(tried {', '.join(tried) or 'none'}): {last_error}",
            extra={"chain": self.chain, "endpoints": tried},
        )

    def statuses(self) -> list[EndpointStatus]:
        return [
            EndpointStatus(
                name=e.name,
                state=self._state(e),
                score=e.score,
                latency_ms=e.latency_ms,
                failures=e.failures,
                last_error=e.last_error,
            )
            for e in self._endpoints
        ]

    def check(self) -> Check:
        """``ok`` when every circuit is closed, ``degraded`` when some are open, ``down`` when
        all are."""
        states = [self._state(e) for e in self._endpoints]
        closed = states.count("closed")
        detail = f"{closed}/{len(states)} endpoints closed"
        if closed == len(states):
            status = Status.OK
        elif closed or "half-open" in states:
            status = Status.DEGRADED
        else:
            status = Status.DOWN
        return Check(f"chain:{self.chain}", status, detail)

    def _span(self, operation: str, endpoint: str, attempt: int) -> AbstractContextManager[object]:
        """A client span for one attempt when the caller is traced (endpoint names carry no
        credentials)."""
        tracer = active_tracer()
        if tracer is None:
            return _NO_SPAN
        attributes: Attributes = {
            "rpc.system": "jsonrpc",
            "rpc.method": operation,
            "nsl.chain": self.chain,
            "nsl.chain.endpoint": endpoint,
            "nsl.chain.attempt": attempt + 1,
        }
        return tracer.span(f"{self.chain} {operation}", attributes, kind="client")

    def _choose(self, exclude: list[str]) -> _Endpoint[T] | None:
        """Closed circuits by score then latency; an open circuit past its reset time gets one
        probe (half-open); as a last resort an open one, rather than failing untried."""
        candidates = [e for e in self._endpoints if e.name not in exclude]
        ready = [e for e in candidates if self._state(e) == "closed"]
        due = [e for e in candidates if self._state(e) == "half-open" and not e.probing]
        if due:
            due[0].probing = True
            return due[0]
        if ready:
            return max(ready, key=lambda e: (e.score, -(e.latency_ms or 0.0)))
        return None if not candidates else min(candidates, key=lambda e: e.opened_at or 0.0)

    def _state(self, endpoint: _Endpoint[T]) -> Circuit:
        if endpoint.opened_at is None:
            return "closed"
        if self.clock.monotonic() - endpoint.opened_at >= self.settings.breaker_reset_s:
            return "half-open"
        return "open"

    def _backoff(self, attempt: int) -> float:
        ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1))
        return self._random.uniform(0, ceiling)

    def _succeeded(self, endpoint: _Endpoint[T], operation: str, seconds: float) -> None:
        endpoint.score = (1 - SCORE_WEIGHT) * endpoint.score + SCORE_WEIGHT
        ms = seconds * 1000
        endpoint.latency_ms = (
            ms if endpoint.latency_ms is None else 0.8 * endpoint.latency_ms + 0.2 * ms
        )
        endpoint.failures = 0
        endpoint.opened_at = None
        endpoint.probing = False
        endpoint.last_error = None
        self._count(endpoint, operation, "ok", seconds)

    def _failed(self, endpoint: _Endpoint[T], operation: str, error: str) -> None:
        endpoint.score = (1 - SCORE_WEIGHT) * endpoint.score
        endpoint.failures += 1
        endpoint.last_error = error
        if endpoint.probing or endpoint.failures >= self.settings.breaker_failures:
            endpoint.opened_at = self.clock.monotonic()
        endpoint.probing = False
        self._count(endpoint, operation, "error", None)

    def _count(
        self, endpoint: _Endpoint[T], operation: str, outcome: str, seconds: float | None
    ) -> None:
        m = self.metrics
        m.chain_rpc_requests.labels(self.chain, endpoint.name, operation, outcome).inc()
        if seconds is not None:
            m.chain_rpc_latency.labels(self.chain, endpoint.name).observe(seconds)
        self._publish(endpoint)

    def _publish(self, endpoint: _Endpoint[T]) -> None:
        up = {"closed": 1.0, "half-open": 0.5, "open": 0.0}[self._state(endpoint)]
        self.metrics.chain_endpoint_up.labels(self.chain, endpoint.name).set(up)


def _describe(exc: BaseException, timeout_s: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out after {timeout_s:g} s"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"HTTP {exc.status}"  # its text would carry the URL, query string and all
    if isinstance(exc, aiohttp.InvalidURL):
        return "invalid endpoint URL"
    text = str(exc) or type(exc).__name__
    return text[:200]

"""Sans-I/O request descriptions (``Call``) and the sync/async sessions that execute them.

Endpoint methods are written once, returning a ``Call``; the ``endpoint`` descriptor makes
them plain methods on ``Client`` and coroutine methods on ``AsyncClient``.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, overload
from urllib.parse import quote

import httpx

from nsl.client.errors import raise_for_problem

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_TIMEOUT = 10.0
USER_AGENT = "nsl-client/1"


@dataclass
class Credentials:
    """What the client authenticates with: a bearer token wins over an API key."""

    api_key: str | None = None
    token: str | None = None

    def headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.api_key:
            return {"X-API-Key": self.api_key}
        return {}


@dataclass(frozen=True)
class Call(Generic[T]):
    """One HTTP exchange: the request to send and how to read its answer.

    Statuses in ``accept`` reach ``parse`` instead of raising; ``after`` may update the
    client's credentials with the parsed result (e.g. storing a fresh access token).
    """

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, Any] | None = None
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    accept: frozenset[int] = frozenset()
    after: Callable[[Credentials, T], None] | None = None
    content: bytes | None = None  # a raw body (e.g. one that is signed), instead of ``json``

    def build(
        self, http: httpx.Client | httpx.AsyncClient, credentials: Credentials
    ) -> httpx.Request:
        params = {k: v for k, v in (self.params or {}).items() if v is not None}
        return http.build_request(
            self.method,
            self.path,
            params=params or None,
            json=self.json,
            content=self.content,
            headers={**credentials.headers(), **self.headers},
        )

    def finish(self, response: httpx.Response, credentials: Credentials) -> T:
        if response.status_code not in self.accept:
            raise_for_problem(response)
        result = self.parse(response)
        if self.after is not None:
            self.after(credentials, result)
        return result


def drop_none(**fields: Any) -> dict[str, Any]:
    """The fields that were given (not ``None``): for bodies where omitted means unchanged."""
    return {name: value for name, value in fields.items() if value is not None}


def path_segment(value: str) -> str:
    """Percent-encode one path segment (``/`` included)."""
    return quote(str(value), safe="")


def key_path(key: str) -> str:
    """Percent-encode a hierarchical key, keeping its ``/`` separators (``{key:path}`` routes)."""
    if not key or key.startswith("/"):
        raise ValueError("key must be non-empty and must not start with '/'")
    return quote(key, safe="/")


class SyncSession:
    """Blocking transport: one ``httpx.Client`` and the credentials to send."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.credentials = Credentials(api_key=api_key, token=token)
        self._http = httpx.Client(
            base_url=base_url, timeout=timeout, transport=transport, headers=_default_headers()
        )

    def _execute(self, call: Call[T]) -> T:
        response = self._http.send(call.build(self._http, self.credentials))
        return call.finish(response, self.credentials)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncSession:
    """Non-blocking transport: one ``httpx.AsyncClient`` and the credentials to send."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.credentials = Credentials(api_key=api_key, token=token)
        self._http = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, transport=transport, headers=_default_headers()
        )

    async def _execute(self, call: Call[T]) -> T:
        response = await self._http.send(call.build(self._http, self.credentials))
        return call.finish(response, self.credentials)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class endpoint(Generic[P, T]):
    """Turns ``def m(self, ...) -> Call[T]`` into ``m(...) -> T`` (sync) or ``Awaitable[T]``."""

    def __init__(self, build: Callable[Concatenate[Any, P], Call[T]]) -> None:
        self.build = build
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: SyncSession, owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: AsyncSession, owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: object, owner: type[Any]) -> Any:
        if obj is None:
            return self
        if not isinstance(obj, SyncSession | AsyncSession):
            raise TypeError(f"{owner.__name__} has no session to send requests with")
        build, session = self.build, obj

        def method(*args: Any, **kwargs: Any) -> Any:
            return session._execute(build(session, *args, **kwargs))

        return functools.update_wrapper(method, build)


def _default_headers() -> dict[str, str]:
    return {"User-Agent": USER_AGENT, "Accept": "application/json"}

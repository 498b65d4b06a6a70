"""What other services use from secrets: reading a secret's data as a principal (its path
policies, audit and metrics apply as for an API call)."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from nsl.core.context import ServiceContext
from nsl.core.errors import Unavailable
from nsl.core.security import Principal


@runtime_checkable
class SecretReader(Protocol):
    async def read(
        self, path: str, *, principal: Principal, version: int | str | None = None
    ) -> dict[str, Any]: ...


class SecretsClient:
    """In-process access to the secrets service (looked up at call time: it may be disabled)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def read(
        self, path: str, *, principal: Principal, version: int | None = None
    ) -> dict[str, Any]:
        """The secret's data (a JSON object) at ``path``, current version unless ``version``."""
        service = self.ctx.services.get("secrets")
        if not isinstance(service, SecretReader):
            raise Unavailable(
                "the secrets service does not run in this process", code="secrets.unavailable"
            )
        view = await service.read(path, principal=principal, version=version)
        data: dict[str, Any] = view["data"]
        return data

"""What other services use from events: bus-delivered subscriptions made and removed on behalf
of a principal, with the events service's own rules, ownership and quotas."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from nsl.core.context import ServiceContext
from nsl.core.errors import Unavailable
from nsl.core.security import Principal
from nsl.services.events.schemas import CreateSubscription, DeliveryTarget
from nsl.services.events.views import bus_topic

__all__ = ["EventsClient", "bus_topic"]
BUS_PATTERN = "events.*"  # the topics of bus subscriptions: events.<subscription id>


@runtime_checkable
class SubscriptionSource(Protocol):
    async def create(self, body: CreateSubscription, *, principal: Principal) -> dict[str, Any]: ...

    async def delete(self, subscription_id: str, *, principal: Principal) -> None: ...


class EventsClient:
    """In-process access to the events service (looked up at call time: it may not run here)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def available(self) -> bool:
        return isinstance(self.ctx.services.get("events"), SubscriptionSource)

    def _service(self) -> SubscriptionSource:
        service = self.ctx.services.get("events")
        if not isinstance(service, SubscriptionSource):
            raise Unavailable(
                "the events service does not run in this process", code="events.unavailable"
            )
        return service

    async def subscribe(
        self,
        owner: Principal,
        *,
        chain: str,
        contract: str,
        event_name: str | None,
        filters: dict[str, Any] | None,
        confirmations: int | None,
        abi: list[dict[str, Any]] | None,
        description: str = "",
    ) -> dict[str, Any]:
        """A subscription owned by ``owner`` whose matched events are published on the bus
        topic ``bus_topic(id)``; refusals name the events API's fields (``contract``...)."""
        body = CreateSubscription(
            chain=chain,
            contract=contract,
            event_name=event_name,
            filters=filters,
            confirmations=confirmations,
            abi=abi,
            delivery=DeliveryTarget(type="bus"),
            description=description[:500],
        )
        return await self._service().create(body, principal=owner)

    async def cancel(self, owner: Principal, subscription_id: str) -> None:
        """Remove the subscription (not found: it is not, or no longer, ``owner``'s)."""
        await self._service().delete(subscription_id, principal=owner)

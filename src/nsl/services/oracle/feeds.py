"""The API's use cases (a mixin of :class:`OracleService`): feeds, rounds, the latest signed
report (cached), verification, this node, arbitrary requests and usage."""

from __future__ import annotations

from typing import Any

import orjson

from nsl.core.errors import Forbidden
from nsl.core.security import Principal, Role
from nsl.services.oracle import requests, rules, verify
from nsl.services.oracle.base import OracleBase, latest_key
from nsl.services.oracle.errors import (
    FeedExists,
    FeedNotFound,
    InvalidInput,
    NoReport,
    RequestNotFound,
)
from nsl.services.oracle.models import OracleFeed
from nsl.services.oracle.repository import Duplicate, OracleRepository
from nsl.services.oracle.schemas import FeedBody, FeedPatch, RequestBody, VerifyBody
from nsl.services.oracle.views import (
    feed_view,
    freshness,
    latest_view,
    page,
    request_view,
    round_view,
    unix_time,
)

MANAGERS = frozenset({Role.ADMIN, Role.OPERATOR})
STATUSES = ("active", "paused")


class FeedUseCases(OracleBase):
    async def _feed(self, name: str) -> OracleFeed:
        async with self.ctx.database.session() as session:
            feed = await OracleRepository(session).feed(name)
        if feed is None:
            raise FeedNotFound(f"no oracle feed {name!r}")
        return feed

    def _now_s(self) -> float:
        return self.ctx.clock.now().timestamp()

    async def create_feed(self, body: FeedBody, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("create_feed"):
            await self.meter.admit(principal)
            if not principal.has_any(MANAGERS):
                raise Forbidden("creating oracle feeds needs the admin or operator role")
            spec = rules.feed(body, self.settings)
            now = self.ctx.clock.now()
            row = OracleFeed(
                owner_id=principal.id,
                status="active",
                last_refusal=None,
                created_at=now,
                updated_at=now,
                **spec,
            )
            async with self.ctx.database.session() as session:
                repo = OracleRepository(session)
                if await repo.count_feeds() >= self.settings.max_feeds:
                    raise InvalidInput.on(
                        "name", "max_feeds", f"at most {self.settings.max_feeds} feeds"
                    )
                try:
                    await repo.add_feed(row)
                except Duplicate:
                    raise FeedExists(f"the feed {spec['name']!r} exists") from None
            return feed_view(row, None, self._now_s())

    async def update_feed(
        self, name: str, body: FeedPatch, *, principal: Principal
    ) -> dict[str, Any]:
        async with self.operation("update_feed"):
            await self.meter.admit(principal)
            if body.status is not None and body.status not in STATUSES:
                raise InvalidInput.on("status", "allowed_values", "active or paused")
            async with self.ctx.database.session() as session:
                repo = OracleRepository(session)
                feed = await repo.feed(name)
                if feed is None:
                    raise FeedNotFound(f"no oracle feed {name!r}")
                if feed.owner_id != principal.id and Role.ADMIN not in principal.roles:
                    raise Forbidden("only the feed's owner or an admin may change it")
                if body.status is not None:
                    feed.status = body.status
                if body.description is not None:
                    if len(body.description) > 500:
                        raise InvalidInput.on("description", "length", "at most 500 characters")
                    feed.description = body.description
                feed.updated_at = self.ctx.clock.now()
                latest = await repo.latest_final(name)
                return feed_view(feed, latest, self._now_s())

    async def get_feed(self, name: str, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("get_feed"):
            await self.meter.admit(principal)
            async with self.ctx.database.session() as session:
                repo = OracleRepository(session)
                feed = await repo.feed(name)
                if feed is None:
                    raise FeedNotFound(f"no oracle feed {name!r}")
                return feed_view(feed, await repo.latest_final(name), self._now_s())

    async def list_feeds(
        self, *, principal: Principal, page_number: int, page_size: int
    ) -> dict[str, Any]:
        async with self.operation("list_feeds"):
            await self.meter.admit(principal)
            rules.paging(page_number, page_size)
            async with self.ctx.database.session() as session:
                repo = OracleRepository(session)
                total = await repo.count_feeds()
                rows = await repo.feeds((page_number - 1) * page_size, page_size)
                items = [feed_view(f, await repo.latest_final(f.name), self._now_s()) for f in rows]
            return page(items, total, page_number, page_size)

    async def list_rounds(
        self, name: str, *, principal: Principal, page_number: int, page_size: int
    ) -> dict[str, Any]:
        async with self.operation("list_rounds"):
            await self.meter.admit(principal)
            rules.paging(page_number, page_size)
            await self._feed(name)
            async with self.ctx.database.session() as session:
                repo = OracleRepository(session)
                total = await repo.count_rounds(name)
                rows = await repo.rounds(name, (page_number - 1) * page_size, page_size)
            return page([round_view(r) for r in rows], total, page_number, page_size)

    async def latest_report(self, name: str) -> dict[str, Any] | None:
        """The latest signed report with its freshness (cached briefly), or None."""
        key = latest_key(name)
        cached = await self.ctx.cache.get(key) if self.settings.latest_cache_s else None
        if cached is not None:
            entry = orjson.loads(cached)
        else:
            async with self.ctx.database.session() as session:
                repo = OracleRepository(session)
                feed = await repo.feed(name)
                if feed is None:
                    raise FeedNotFound(f"no oracle feed {name!r}")
                latest = await repo.latest_final(name)
            members, threshold = self.signers()
            signers = {
                "threshold": threshold,
                "members": [{"neo_n3": m.n3.hex(), "neo_x": m.x.hex()} for m in members],
            }
            fresh = freshness(feed, latest, self._now_s())
            entry = {
                "report": None if latest is None else latest_view(feed, latest, signers),
                "heartbeat_s": feed.heartbeat_s,
                "refusal": fresh["refusal"],
            }
            if self.settings.latest_cache_s:
                await self.ctx.cache.set(key, orjson.dumps(entry), self.settings.latest_cache_s)
        report = entry["report"]
        if report is None:
            return None
        age = max(self._now_s() - report["timestamp"], 0.0)
        refusal = entry["refusal"]
        refused = refusal is not None and int(refusal.get("at", 0)) >= report["timestamp"]
        updated = unix_time(report["timestamp"])
        return {
            **report,
            "updated_at": updated,
            "age_s": int(age),
            "heartbeat_s": entry["heartbeat_s"],
            "stale": age > entry["heartbeat_s"] or refused,
        }

    async def latest(self, name: str, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("latest"):
            await self.meter.admit(principal)
            found = await self.latest_report(name)
            if found is None:
                raise NoReport(f"the feed {name!r} has no final round yet")
            return found

    async def verify_report(self, body: VerifyBody, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("verify"):
            await self.meter.admit(principal)
            members, threshold = self.signers()
            return verify.check(body, members, threshold)

    def node(self) -> dict[str, Any]:
        key = self.keys.own()
        members, threshold = self.signers()
        return {
            "node_id": key.node_id,
            "neo_n3": key.n3_public.hex(),
            "neo_x": key.x_public.hex(),
            "in_signer_set": any(m.n3 == key.n3_public for m in members),
            "signers": len(members),
            "quorum": threshold,
        }

    async def create_request(self, body: RequestBody, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("request"):
            await self.meter.admit(principal)
            return request_view(await requests.answer(self, body, principal))

    async def get_request(self, request_id: str, *, principal: Principal) -> dict[str, Any]:
        async with self.operation("get_request"):
            await self.meter.admit(principal)
            async with self.ctx.database.session() as session:
                row = await OracleRepository(session).request(request_id)
            if row is None or (row.owner_id != principal.id and Role.ADMIN not in principal.roles):
                raise RequestNotFound(f"no oracle request {request_id!r}")
            return request_view(row)

    async def usage(self, *, principal: Principal, principal_id: str | None) -> dict[str, Any]:
        async with self.operation("usage"):
            target = principal_id or principal.id
            if target != principal.id and Role.ADMIN not in principal.roles:
                raise Forbidden("only an admin may read another principal's usage")
            return await self.meter.report(target)

"""The keys service: keys that never leave the enclave, with versions, lifecycle, usage
counters, per-key rate limits and an audit entry for every operation.

Usage counters are kept in memory and flushed every ``usage_flush_interval_s`` and at stop:
a crash loses at most one flush interval of counts (never a key or a version).
"""

from __future__ import annotations

from typing import ClassVar

from fastapi import APIRouter

from nsl.core.context import ServiceContext
from nsl.core.service import FastRoute
from nsl.services.keys.crypto import CryptoUseCases
from nsl.services.keys.hotpath import TEMPLATE, KeyActionApp, matcher
from nsl.services.keys.router import build_router
from nsl.services.keys.tasks import MaintenanceTasks


class KeysService(CryptoUseCases, MaintenanceTasks):
    name: ClassVar[str] = "keys"
    phase: ClassVar[int] = 2
    depends_on: ClassVar[tuple[str, ...]] = ("auth",)
    description: ClassVar[str] = "keys in the enclave: sign, verify, encrypt, rotate, export"

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.schedule()

    async def on_stop(self) -> None:
        await self.flush_usage()

    def routes(self) -> APIRouter:
        return build_router(self)

    def fast_routes(self) -> list[FastRoute]:
        app = KeyActionApp(self)
        return [FastRoute(TEMPLATE + a, matcher(a), app) for a in KeyActionApp.ACTIONS]

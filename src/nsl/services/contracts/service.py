"""The contracts service: deploy, invoke, call and estimate on Neo N3 and Neo X, list what we
deployed and invoked, read live contract metadata and events; settle unconfirmed sends."""

from __future__ import annotations

from typing import ClassVar

from fastapi import APIRouter

from nsl.core.context import ServiceContext
from nsl.services.contracts.reads import ReadUseCases
from nsl.services.contracts.router import build_router
from nsl.services.contracts.settlement import SETTLE_TASK, SettlementUseCases
from nsl.services.contracts.transactions import TransactionUseCases


class ContractsService(TransactionUseCases, ReadUseCases, SettlementUseCases):
    name: ClassVar[str] = "contracts"
    phase: ClassVar[int] = 1
    depends_on: ClassVar[tuple[str, ...]] = ("auth",)
    description: ClassVar[str] = "smart contracts on Neo N3 and Neo X: deploy, invoke, call, events"

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        interval = ctx.settings.contracts.settle_interval_s
        self.every(interval, SETTLE_TASK, self.settle_unconfirmed)

    def routes(self) -> APIRouter:
        return build_router(self)

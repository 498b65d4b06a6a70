"""The contracts service: deploy, invoke, call and estimate on Neo N3 and Neo X, list what we
deployed and invoked, read live contract metadata and events."""

from __future__ import annotations

from typing import ClassVar

from fastapi import APIRouter

from nsl.services.contracts.reads import ReadUseCases
from nsl.services.contracts.router import build_router
from nsl.services.contracts.transactions import TransactionUseCases


class ContractsService(TransactionUseCases, ReadUseCases):
    name: ClassVar[str] = "contracts"
    phase: ClassVar[int] = 1
    depends_on: ClassVar[tuple[str, ...]] = ("auth",)
    description: ClassVar[str] = "smart contracts on Neo N3 and Neo X: deploy, invoke, call, events"

    def routes(self) -> APIRouter:
        return build_router(self)

"""The secrets service: Vault-KV-v2-like versioned secrets under enclave envelope encryption.

Paths are global; whoever creates a path owns it. Others act on it only through path
policies (default deny, deny wins). Every use case is audited; see the mixins for each group.
"""

from __future__ import annotations

from typing import ClassVar

from fastapi import APIRouter

from nsl.core.context import ServiceContext
from nsl.services.secrets.metadata import MetadataUseCases
from nsl.services.secrets.policies import PolicyUseCases
from nsl.services.secrets.rotation import TASK, RotationUseCases, due_gauge
from nsl.services.secrets.router import build_router


class SecretsService(MetadataUseCases, PolicyUseCases, RotationUseCases):
    name: ClassVar[str] = "secrets"
    phase: ClassVar[int] = 2
    depends_on: ClassVar[tuple[str, ...]] = ("auth",)
    description: ClassVar[str] = "versioned secrets under enclave envelope encryption"

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        due_gauge(ctx.metrics)
        self.every(self.settings.rotation_check_interval_s, TASK, self.announce_rotations)

    def routes(self) -> APIRouter:
        return build_router(self)

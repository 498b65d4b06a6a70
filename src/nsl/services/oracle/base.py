"""What the oracle's use cases share: this node's keys, the signer set and quorum, report
targets, the source fetcher, secrets for source headers, metrics and the usage meter."""

from __future__ import annotations

from typing import ClassVar

import orjson

from nsl.adapters.safehttp import SafeHttp
from nsl.core.context import ServiceContext
from nsl.core.security import Principal, Role
from nsl.core.service import ServiceBase
from nsl.core.settings import OracleSettings
from nsl.services.oracle import reports, rules
from nsl.services.oracle.errors import InvalidInput
from nsl.services.oracle.models import OracleFeed
from nsl.services.oracle.nodekeys import Member, NodeKeys, quorum, signer_set
from nsl.services.oracle.sources import SecretLookup
from nsl.services.oracle.telemetry import oracle_metrics
from nsl.services.oracle.usage import Meter
from nsl.services.secrets.client import SecretsClient


class OracleBase(ServiceBase):
    name: ClassVar[str] = "oracle"
    phase: ClassVar[int] = 3

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.keys = NodeKeys(ctx)
        self.telemetry = oracle_metrics(ctx.metrics)
        self.meter = Meter(ctx)
        self.http: SafeHttp = self._http()
        self.refused: dict[str, str] = {}
        self._networks: dict[str, int] = {}

    @property
    def settings(self) -> OracleSettings:
        return self.ctx.settings.oracle

    def _http(self) -> SafeHttp:
        return SafeHttp(
            rules.policy(self.settings),
            timeout_s=self.settings.source_timeout_s,
            max_bytes=self.settings.max_response_bytes,
        )

    # node set and targets ---------------------------------------------------------------
    def signers(self) -> tuple[list[Member], int]:
        members = signer_set(self.settings, self.keys.key)
        return members, quorum(self.settings, len(members))

    async def targets(self) -> list[reports.Target]:
        """Off-chain, then every configured consumer (network ids asked of the chains once)."""
        found = [reports.OFFCHAIN_TARGET]
        for consumer in self.settings.consumers:
            chain = consumer.chain
            if chain not in self._networks:
                self._networks[chain] = (await self.ctx.chains.get(chain).status()).network_id
            found.append(reports.Target(chain, self._networks[chain], consumer.contract))
        return found

    def secret_lookup(self, feed: OracleFeed) -> SecretLookup:
        owner = Principal(feed.owner_id, "oracle", "service", frozenset({Role.SERVICE}))

        async def lookup(path: str, key: str | None) -> str:
            data = await SecretsClient(self.ctx).read(path, principal=owner)
            value = data.get(key or "value")
            if not isinstance(value, str):
                raise InvalidInput.on("headers", "secret", f"secret {path!r} has no text {key!r}")
            return value

        return lookup

    async def no_secrets(self, path: str, key: str | None) -> str:
        raise AssertionError("arbitrary requests carry no secret headers")


def latest_key(feed: str) -> str:
    """The cache key of a feed's latest report (deleted in every process on a new round)."""
    return "oracle:latest:" + orjson.dumps(feed).decode()

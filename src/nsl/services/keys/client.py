"""What other services use from keys: transaction signers bound to a caller's key."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from nsl.core.chain import TxSigner, chain_name
from nsl.core.context import ServiceContext
from nsl.core.errors import Unavailable
from nsl.core.security import Principal


@runtime_checkable
class ChainKeySource(Protocol):
    async def chain_signer(self, key_id: str, principal: Principal, chain: str) -> TxSigner: ...


class KeysClient:
    """In-process access to the keys service (looked up at call time: it may be disabled)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def signer(self, key_id: str, principal: Principal, chain: str) -> TxSigner:
        """A signer for ``chain``'s transactions with ``principal``'s key ``key_id``; every
        signature it makes is checked, rate limited, counted and audited by the keys service."""
        chain_name(chain)
        service = self.ctx.services.get("keys")
        if not isinstance(service, ChainKeySource):
            raise Unavailable(
                "the keys service does not run in this process; it signs every transaction",
                code="keys.unavailable",
            )
        return await service.chain_signer(key_id, principal, chain)

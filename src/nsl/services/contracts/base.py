"""What the contracts use cases share: chain lookup, per-chain settings, who sees which
records, where a Neo X ABI comes from, and the audit scope of a use case."""

from __future__ import annotations

from typing import Any

from nsl.chains.neo_n3.accounts import address_to_script_hash, script_hash_to_hex
from nsl.core.audited import AuditScope
from nsl.core.chain import NEO_N3, NEO_X, Chain, ChainEvent, chain_name
from nsl.core.context import ServiceContext
from nsl.core.security import Principal, Role
from nsl.core.service import ServiceBase
from nsl.core.settings import ChainSettings
from nsl.services.contracts.errors import AbiRequired, InvalidInput
from nsl.services.contracts.repository import ContractsRepository

SERVICE = "contracts"
READ_ALL = frozenset({Role.ADMIN, Role.OPERATOR, Role.AUDITOR})
WRITE_ROLES = frozenset(Role) - {Role.AUDITOR}


class ContractsBase(ServiceBase):
    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)

    # chains -----------------------------------------------------------------------------
    def chain(self, name: str) -> Chain:
        """The configured chain ``name`` (400 naming the allowed values, 503 if not running)."""
        return self.ctx.chains.get(chain_name(name))

    def chain_settings(self, name: str) -> ChainSettings:
        chains = self.ctx.settings.chains
        return chains.neo_x if chain_name(name) == NEO_X else chains.neo_n3

    def network(self, name: str) -> str:
        return self.chain_settings(name).network

    @staticmethod
    async def tip(chain: Chain) -> int:
        """The number of the chain's latest block."""
        return await chain.height()

    @staticmethod
    def contract_address(chain: Chain, value: str) -> str:
        """``value`` as we store contract addresses: Neo N3 ``0x`` script hash (an N-address
        is converted), Neo X EIP-55."""
        address = chain.validate_address(value, "contract")
        if chain.name == NEO_N3 and not address.startswith("0x"):
            return script_hash_to_hex(address_to_script_hash(address, field="contract"))
        return address

    # visibility -------------------------------------------------------------------------
    @staticmethod
    def owner_filter(principal: Principal) -> str | None:
        """Whose records ``principal`` may read: everyone's (None) or its own."""
        return None if principal.has_any(READ_ALL) else principal.id

    # ABIs -------------------------------------------------------------------------------
    async def known_abi(self, chain: str, network: str, address: str) -> list[Any] | None:
        async with self.ctx.database.session() as session:
            return await ContractsRepository(session).abi_at(chain, network, address)

    async def call_abi(
        self, chain: Chain, address: str, given: list[Any] | None
    ) -> list[dict[str, Any]] | None:
        """Neo X: the request's ABI, else the one we recorded when deploying ``address``."""
        if chain.name != NEO_X:
            if given is not None:
                raise InvalidInput.on("abi", "chain_field", f"abi is not a {chain.name} field")
            return None
        abi = given if given is not None else await self.known_abi(NEO_X, chain.network, address)
        if abi is None:
            raise AbiRequired.on(address)
        return abi

    # audit ------------------------------------------------------------------------------
    def audited(self, action: str, principal: Principal, target: str) -> AuditScope:
        """Metrics and an audit entry for one state-changing use case."""
        operation = self.operation(action)
        return AuditScope(self.ctx.audit, operation, SERVICE, action, principal.id, target)


def events_json(events: list[ChainEvent]) -> list[dict[str, Any]]:
    return [event.to_json() for event in events]

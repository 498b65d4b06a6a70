"""The dev chains' faucet: fund an address on a local chain from the node's own dev account."""

from __future__ import annotations

from nsl.chains.devnet import devchains_dir, recorded_endpoints
from nsl.core.chain import NEO_N3, chain_name
from nsl.core.errors import Unavailable, ValidationFailed
from nsl.core.settings import Settings


async def fund(settings: Settings, chain: str, address: str, amount: int) -> str:
    """Send ``amount`` (GAS datoshi on Neo N3, wei on Neo X) to ``address``; the tx hash.

    Only for the dev chains this machine runs (``nsl up``): they are the only chains whose
    funded keys we hold."""
    chain_name(chain)
    if amount <= 0:
        raise ValidationFailed.on("amount", "positive", "the amount must be above zero")
    url = recorded_endpoints(settings.data_dir).get(chain)
    if url is None:
        raise Unavailable(
            f"no {chain} dev chain runs for data dir {settings.data_dir}: start it with `nsl up`",
            code="chain.unavailable",
        )
    workdir = devchains_dir(settings.data_dir) / chain
    dev = settings.chains.dev
    if chain == NEO_N3:
        from nsl.chains.devnet.neo_go_fund import fund as fund_n3
        from nsl.chains.devnet.neo_go_keys import load_validator

        return await fund_n3(url, dev.neo_n3_magic, address, amount, load_validator(workdir))
    from nsl.chains.devnet.hardhat import fund as fund_x

    return await fund_x(url, dev.neo_x_chain_id, address, amount)

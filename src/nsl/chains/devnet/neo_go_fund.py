"""The dev chain's faucet: GAS from the validators' 1-of-1 multisig (all genesis GAS sits
there), signed in process with the dev validator key, which exists only on local dev chains.
"""

from __future__ import annotations

import time

from neo3.contracts.contract import CONTRACT_HASHES
from neo3.core import types

from nsl.chains.devnet.neo_go_keys import DevValidator
from nsl.chains.neo_n3.accounts import address_to_script_hash
from nsl.chains.neo_n3.params import emit_call
from nsl.chains.neo_n3.receipts import application_log, send, wait_for
from nsl.chains.neo_n3.rpc import NeoRpc
from nsl.chains.neo_n3.transaction import parse_unsigned_transaction
from nsl.chains.neo_n3.txbuild import draft, dry_run, fault_error, sign

FUND_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.02
VALID_FOR_BLOCKS = 1000


async def fund(
    rpc_url: str, magic: int, address: str, amount_datoshi: int, validator: DevValidator
) -> str:
    """Transfer ``amount_datoshi`` GAS to ``address``; the transaction hash once it HALTed."""
    if amount_datoshi <= 0:
        raise ValueError("amount_datoshi must be positive")
    recipient = address_to_script_hash(address)
    committee = types.UInt160(validator.committee_hash)
    script = emit_call(
        CONTRACT_HASHES.GAS_TOKEN,
        "transfer",
        [committee, types.UInt160(recipient), amount_datoshi, None],
    )
    client = NeoRpc(rpc_url)
    try:
        version = await client.request("getversion")
        if int(version["protocol"]["network"]) != magic:
            raise RuntimeError(f"node at {rpc_url} runs network {version['protocol']['network']}")
        run = await dry_run(client, script, validator.committee_hash)
        if run.state != "HALT":
            raise fault_error(run)
        unsigned = await draft(
            client,
            script,
            validator.committee_script,
            system_fee=run.gas_consumed,
            valid_for_blocks=VALID_FOR_BLOCKS,
        )
        raw = await sign(unsigned, magic, validator.sign)
        tx_hash = parse_unsigned_transaction(raw).hash_hex
        await send(client, raw, tx_hash)
        deadline = time.monotonic() + FUND_TIMEOUT_S
        log = await wait_for(
            lambda: application_log(client, tx_hash), tx_hash, deadline, POLL_INTERVAL_S
        )
    finally:
        await client.close()
    execution = log["executions"][0]
    if execution["vmstate"] != "HALT":
        raise RuntimeError(f"funding {address} faulted: {execution.get('exception')}")
    if execution.get("stack") != [{"type": "Boolean", "value": True}]:
        raise RuntimeError(f"funding {address}: the GAS transfer returned false")
    return tx_hash

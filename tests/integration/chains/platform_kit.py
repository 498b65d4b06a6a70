"""Harness for the platform-contract tests: one chain adapter on the real dev chain, accounts
whose keys live in the real SoftwareEnclave, and the chain-specific spelling of arguments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from eth_abi.grammar import ABIType, BasicType, TupleType, parse
from tests.chain_helpers import EnclaveSigner

from nsl.chains import reports
from nsl.chains.artifacts import load_artifact
from nsl.chains.neo_n3 import params as n3_params
from nsl.chains.neo_n3 import txbuild
from nsl.chains.neo_n3.accounts import verification_script
from nsl.chains.neo_n3.rpc import NeoRpc
from nsl.chains.neo_x.abi import function as abi_function
from nsl.chains.neo_x.abi_values import encode_args
from nsl.chains.neo_x.eip1559 import Eip1559Transaction, sign_transaction
from nsl.chains.registry import ChainRegistry
from nsl.core.chain import (
    NEO_N3,
    NEO_X,
    CallResult,
    Chain,
    ContractCall,
    StackItem,
    TxOutcome,
)
from nsl.core.clock import SystemClock
from nsl.core.enclave import KeyType, SignAlgorithm
from nsl.core.metrics import Metrics
from nsl.core.settings import DatabaseSettings, Settings
from nsl.db.engine import Database
from nsl.db.migrate import upgrade
from nsl.enclave.software import SoftwareEnclave

KEY_TYPES = {NEO_N3: KeyType.SECP256R1, NEO_X: KeyType.SECP256K1}
FUNDING = {NEO_N3: 200 * 10**8, NEO_X: 10 * 10**18}  # 200 GAS (a deploy costs ~10), 10 ETH


@dataclass
class Kit:
    """Everything one test needs on one chain."""

    name: str
    chain: Chain
    network_id: int
    enclave: SoftwareEnclave
    dev_chains: Any

    async def account(self, fund: bool = True) -> EnclaveSigner:
        info = await self.enclave.generate_key(KEY_TYPES[self.name], purpose="test/platform")
        signer = EnclaveSigner(self.enclave, info)
        if fund:
            await self.dev_chains.fund(self.name, self.address(signer), FUNDING[self.name])
        return signer

    def address(self, signer: EnclaveSigner) -> str:
        return self.chain.address_of(signer.public_key)

    # --- arguments, spelled the way each adapter takes them --------------------------------

    def account_arg(self, signer: EnclaveSigner) -> Any:
        address = self.address(signer)
        return {"type": "Hash160", "value": address} if self.name == NEO_N3 else address

    def blob(self, data: bytes) -> Any:
        if self.name == NEO_N3:
            return {"type": "ByteArray", "value": data.hex()}
        return "0x" + data.hex()

    def signer_set(self, keys: list[bytes]) -> Any:
        ids = reports.signer_ids(self.name, keys)
        if self.name == NEO_N3:
            return {"type": "Array", "value": [{"type": "PublicKey", "value": k} for k in ids]}
        return ids

    # --- contracts ---------------------------------------------------------------------------

    async def deploy(self, name: str, admin: EnclaveSigner) -> str:
        outcome = await self.chain.deploy(load_artifact(self.name, name).deployment(), admin)
        assert outcome.state == "HALT", outcome.exception
        assert outcome.contract is not None
        return outcome.contract

    def call(self, name: str, contract: str, method: str, args: list[Any]) -> ContractCall:
        abi = load_artifact(self.name, name).abi if self.name == NEO_X else None
        return ContractCall(contract=contract, method=method, args=args, abi=abi)

    async def invoke(
        self, signer: EnclaveSigner, name: str, contract: str, method: str, *args: Any
    ) -> TxOutcome:
        return await self.chain.invoke(self.call(name, contract, method, list(args)), signer)

    async def read(self, name: str, contract: str, method: str, *args: Any) -> CallResult:
        result = await self.chain.call(self.call(name, contract, method, list(args)))
        assert result.state == "HALT", result.exception
        return result

    async def value(self, name: str, contract: str, method: str, *args: Any) -> Any:
        """The single return value of a read, as Python (see :func:`plain`)."""
        result = await self.read(name, contract, method, *args)
        return plain(self.name, result.result[0])


def plain(chain: str, item: StackItem) -> Any:
    """A returned value as Python: ints, bytes, bool, str (Neo X strings and addresses) and
    lists of them, from N3 stack items or Neo X ABI JSON."""
    if chain == NEO_N3:
        return _n3_value(item.to_json())
    return _nx_value(parse(item.type), item.value)


def _n3_value(data: dict[str, Any]) -> Any:
    kind, value = data["type"], data.get("value")
    if kind in ("Array", "Struct"):
        return [_n3_value(element) for element in value or []]
    if kind in ("ByteString", "Buffer"):
        return bytes.fromhex(str(value))
    if kind == "Integer":
        return int(str(value))
    return value


def _nx_value(kind: ABIType, value: Any) -> Any:
    if kind.is_array:
        return [_nx_value(kind.item_type, element) for element in value]
    if isinstance(kind, TupleType):
        return [_nx_value(c, v) for c, v in zip(kind.components, value, strict=True)]
    base = kind.base if isinstance(kind, BasicType) else ""
    if base in ("int", "uint"):
        return int(value)
    if base == "bytes":
        return bytes.fromhex(value[2:])
    return value


async def open_kit(chain_name: str, dev_chains: Any, tmp_path: Path) -> tuple[Kit, Any]:
    """A started chain adapter and enclave; the second value closes them."""
    settings = Settings(
        env="test", data_dir=tmp_path / "var", chains=dev_chains.settings_overrides()
    )
    metrics = Metrics("test", "test")
    url = f"sqlite+aiosqlite:///{tmp_path / 'nsl.db'}"
    await upgrade(url)
    database = Database(url, DatabaseSettings(pool_min=1, pool_max=2), metrics)
    enclave = SoftwareEnclave(settings, database, SystemClock())
    await enclave.start()
    chain = ChainRegistry(settings, metrics, SystemClock()).get(chain_name)
    await chain.start()
    network_id = (await chain.status()).network_id
    kit = Kit(chain_name, chain, network_id, enclave, dev_chains)

    async def close() -> None:
        await chain.close()
        await enclave.close()
        await database.dispose()

    return kit, close


async def unchecked_transaction(
    kit: Kit, signer: EnclaveSigner, name: str, contract: str, method: str, *args: Any
) -> bytes:
    """A signed call transaction built WITHOUT the adapter's dry run (which refuses calls that
    fault), with a fixed fee/gas budget: it gets mined, so the contract itself must refuse it."""
    if kit.name == NEO_N3:
        return await _n3_unchecked(kit, signer, contract, method, list(args))
    return await _nx_unchecked(kit, signer, name, contract, method, list(args))


async def _n3_unchecked(
    kit: Kit, signer: EnclaveSigner, contract: str, method: str, args: list[Any]
) -> bytes:
    script = n3_params.call_script(n3_params.hash160(contract, "contract"), method, args)
    client = NeoRpc(kit.dev_chains.neo_n3_url)
    try:
        unsigned = await txbuild.draft(
            client,
            script,
            verification_script(signer.public_key),
            system_fee=10**8,  # 1 GAS: far more than the call needs
            valid_for_blocks=100,
        )
    finally:
        await client.close()

    async def sign(data: bytes) -> bytes:
        return await signer.sign(data, SignAlgorithm.ECDSA_SHA256)

    return await txbuild.sign(unsigned, kit.network_id, sign)


async def _nx_unchecked(
    kit: Kit, signer: EnclaveSigner, name: str, contract: str, method: str, args: list[Any]
) -> bytes:
    fn = abi_function(load_artifact(NEO_X, name).abi, method, len(args))
    sender = kit.address(signer)
    async with httpx.AsyncClient(timeout=10) as http:

        async def rpc(rpc_method: str, *params: Any) -> Any:
            body = {"jsonrpc": "2.0", "id": 1, "method": rpc_method, "params": list(params)}
            answer = (await http.post(kit.dev_chains.neo_x_url, json=body)).json()
            return answer["result"]

        nonce = int(await rpc("eth_getTransactionCount", sender, "pending"), 16)
        base_fee = int((await rpc("eth_getBlockByNumber", "latest", False))["baseFeePerGas"], 16)
    tx = Eip1559Transaction(
        chain_id=kit.network_id,
        nonce=nonce,
        max_priority_fee_per_gas=10**9,
        max_fee_per_gas=2 * base_fee + 10**9,
        gas=300_000,  # fixed: no eth_estimateGas, which would revert
        to=bytes.fromhex(contract[2:]),
        value=0,
        data=fn.selector + encode_args(fn.input_types, args),
    )

    async def sign(digest: bytes) -> bytes:
        return await signer.sign(digest, SignAlgorithm.ECDSA_RECOVERABLE)

    return await sign_transaction(tx, sign)

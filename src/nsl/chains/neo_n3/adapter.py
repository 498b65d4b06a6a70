"""Neo N3 as a :class:`~nsl.core.chain.Chain`: neo-mamba's RPC client behind an endpoint pool,
transactions signed by a :class:`TxSigner` (never a wallet), events from application logs.
"""

from __future__ import annotations

import logging
from typing import Any

from neo3.contracts.contract import CONTRACT_HASHES

from nsl.chains.endpoints import EndpointFailure
from nsl.chains.neo_n3 import accounts, lookup, nef, params
from nsl.chains.neo_n3.events import EventReader
from nsl.chains.neo_n3.networks import expected_magic
from nsl.chains.neo_n3.receipts import not_found
from nsl.chains.neo_n3.rpc import NeoRpc, NeoRpcError, as_int
from nsl.chains.neo_n3.session import NeoSession
from nsl.chains.neo_n3.stack import stack
from nsl.chains.neo_n3.submit import Submitter
from nsl.chains.neo_n3.txbuild import draft, dry_run
from nsl.core.chain import (
    NEO_N3,
    BlockRef,
    CallResult,
    ChainEvent,
    ChainRejected,
    ChainStatus,
    ChainUnavailable,
    ContractCall,
    Deployment,
    EndpointStatus,
    Estimate,
    TxOutcome,
    TxSigner,
    Validity,
    VmState,
)
from nsl.core.clock import Clock
from nsl.core.errors import FieldIssue, NotFound, PayloadTooLarge, SettingsError, ValidationFailed
from nsl.core.health import Check, Status
from nsl.core.metrics import Metrics
from nsl.core.settings import ChainSettings

log = logging.getLogger(__name__)


class NeoN3Chain:
    name = NEO_N3

    def __init__(
        self, settings: ChainSettings, endpoints: list[str], metrics: Metrics, clock: Clock
    ) -> None:
        """``endpoints``: the RPC URLs to use (the registry resolves them from settings, the
        dev chain or the network's public nodes). No I/O here."""
        urls = list(endpoints)
        if not urls:
            raise SettingsError(f"chains.{NEO_N3}.endpoints: no RPC endpoint configured")
        self.settings = settings
        self.network: str = settings.network
        self.metrics = metrics
        expected = expected_magic(settings.network, settings.network_id)
        self.session = NeoSession(urls, settings, metrics, clock, expected)
        self.reader = EventReader(self.session)
        self.submitter = Submitter(self.session, settings, self.reader.shapes_of)

    async def start(self) -> None:
        """Check every reachable endpoint serves the configured network (SettingsError if not)."""
        await self.session.verify_all()
        if self.session.protocol is None:
            log.warning("%s: no endpoint reachable at start; will retry on use", NEO_N3)

    async def close(self) -> None:
        await self.session.close()

    async def status(self) -> ChainStatus:
        height: int | None
        try:
            height = await self.height()
        except ChainUnavailable:
            height = None
        protocol = self.session.protocol
        network_id = protocol.magic if protocol else (self.session.expected_magic or 0)
        return ChainStatus(NEO_N3, self.network, network_id, height, self.session.pool.statuses())

    def check(self) -> Check:
        if self.session.mismatch is not None:
            return Check(f"chain:{NEO_N3}", Status.DOWN, self.session.mismatch)
        return self.session.pool.check()

    def endpoint_statuses(self) -> list[EndpointStatus]:
        return self.session.pool.statuses()

    def address_of(self, public_key: bytes) -> str:
        return accounts.address(public_key)

    def validate_address(self, value: str, field_name: str) -> str:
        """An N-address (returned as given) or a ``0x`` script hash (returned lower-case)."""
        if isinstance(value, str) and value[:2].lower() == "0x":
            return params.hex_of(params.hash160(value, field_name))
        if not isinstance(value, str) or not value:
            raise ValidationFailed.on(field_name, "neo_address", "must be an N-address or 0x hash")
        accounts.address_to_script_hash(value, field=field_name)
        return value

    async def height(self) -> int:
        count = await self.session.run("getblockcount", lambda c: c.request("getblockcount"))
        height = as_int(count, "block count") - 1
        self.metrics.chain_height.labels(NEO_N3).set(height)
        return height

    async def block(self, number: int) -> BlockRef:
        if number < 0:
            raise ValidationFailed.on("block", "min", "must be >= 0")

        async def header(client: NeoRpc) -> BlockRef:
            try:
                raw = await client.request("getblockheader", [number, 1])
            except NeoRpcError as error:
                if not_found(error):
                    raise NotFound(
                        f"{NEO_N3}: no block {number}", code="chain.block_not_found"
                    ) from None
                raise
            try:
                return BlockRef(
                    number=int(raw["index"]),
                    hash=str(raw["hash"]),
                    parent_hash=str(raw["previousblockhash"]),
                    timestamp=int(raw["time"]) // 1000,
                )
            except (KeyError, TypeError, ValueError):
                raise EndpointFailure("malformed block header") from None

        return await self.session.run("getblockheader", header)

    async def balance(self, address: str) -> int:
        account = params.hash160(self.validate_address(address, "address"), "address")
        holder = {"type": "Hash160", "value": params.hex_of(account)}
        script = params.call_script(CONTRACT_HASHES.GAS_TOKEN, "balanceOf", [holder])
        run = await self.session.run("invokescript", lambda c: dry_run(c, script, None))
        if run.state != "HALT" or not run.stack:
            raise ChainRejected(f"GAS balanceOf failed: {run.exception}")
        return as_int(run.stack[0].get("value"), "balance")

    async def call(self, call: ContractCall) -> CallResult:
        script = _script(call)
        run = await self.session.run("invokescript", lambda c: dry_run(c, script, None))
        state: VmState = "HALT" if run.state == "HALT" else "FAULT"
        return CallResult(state, stack(run.stack), run.gas_consumed, run.exception)

    async def estimate(self, call: ContractCall, sender: bytes) -> Estimate:
        """``sender`` is the signing account's public key (the network fee depends on it)."""
        verification = accounts.verification_script(sender)
        account = accounts.hash160(verification)
        script = _script(call)
        run = await self.session.run("invokescript", lambda c: dry_run(c, script, account))
        if run.state != "HALT":
            details = {"system_fee": run.gas_consumed}
            return Estimate("FAULT", run.gas_consumed, run.gas_consumed, details, run.exception)
        priced = await self.session.run(
            "calculatenetworkfee",
            lambda c: draft(
                c, script, verification, system_fee=run.gas_consumed, valid_for_blocks=100
            ),
        )
        details = {"system_fee": priced.system_fee, "network_fee": priced.network_fee}
        return Estimate("HALT", run.gas_consumed, priced.fee, details)

    async def invoke(
        self, call: ContractCall, signer: TxSigner, *, timeout_s: float | None = None
    ) -> TxOutcome:
        return await self.submitter.submit(_script(call), signer, timeout_s)

    async def deploy(
        self, deployment: Deployment, signer: TxSigner, *, timeout_s: float | None = None
    ) -> TxOutcome:
        info = nef.parse_nef(deployment.code)
        manifest = nef.manifest_bytes(deployment.manifest)
        size, limit = len(deployment.code) + len(manifest), self.settings.max_contract_bytes
        if size > limit:
            message = f"NEF + manifest are {size} bytes; the limit is {limit}"
            raise PayloadTooLarge(message, fields=[FieldIssue("nef", "max_bytes", message)])
        if len(deployment.args) > 1:
            raise ValidationFailed.on("args", "max_items", "Neo N3 takes at most one deploy data")
        data = params.convert_args(deployment.args)
        script = nef.deploy_script(deployment.code, manifest, data[0] if data else None, bool(data))
        sender = accounts.script_hash(signer.public_key)
        name = str((deployment.manifest or {})["name"])
        contract = "0x" + nef.contract_hash(sender, info.checksum, name)[::-1].hex()
        return await self.submitter.submit(script, signer, timeout_s, contract)

    async def send_raw(self, raw: bytes, *, timeout_s: float | None = None) -> TxOutcome:
        return await self.submitter.send_raw(raw, timeout_s)

    async def transaction(
        self, tx_hash: str, *, abi: list[dict[str, Any]] | None = None
    ) -> TxOutcome | None:
        """``abi`` is ignored: events are named from the contracts' manifests."""
        return await lookup.transaction(self.submitter, tx_hash)

    async def expired(self, validity: Validity) -> bool:
        """A transaction fits in blocks up to its valid-until block: once the chain holds that
        block, it can never be included."""
        if validity.valid_until_block is None:
            return False
        return await self.height() >= validity.valid_until_block

    async def contract_info(self, contract: str) -> dict[str, Any]:
        hash_hex = params.hex_of(params.hash160(contract, "contract"))
        state = await self.reader.contract_state(hash_hex)
        if state is None:
            raise NotFound(f"{NEO_N3}: no contract {hash_hex}", code="chain.contract_not_found")
        return {
            "contract": hash_hex,
            "id": state.get("id"),
            "name": (state.get("manifest") or {}).get("name"),
            "update_counter": state.get("updatecounter"),
            "nef_checksum": (state.get("nef") or {}).get("checksum"),
            "compiler": (state.get("nef") or {}).get("compiler"),
            "manifest": state.get("manifest"),
        }

    async def events(
        self,
        contract: str | None,
        from_block: int,
        to_block: int,
        *,
        names: list[str] | None = None,
        abi: list[dict[str, Any]] | None = None,
    ) -> list[ChainEvent]:
        target = None
        if contract is not None:
            target = params.hex_of(params.hash160(contract, "contract"))
        head = await self.height()
        return await self.reader.events(target, from_block, to_block, head, names=names, abi=abi)


def _script(call: ContractCall) -> bytes:
    return params.call_script(params.hash160(call.contract, "contract"), call.method, call.args)

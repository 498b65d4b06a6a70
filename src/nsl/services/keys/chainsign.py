"""Keys as transaction signers for the chains: a :class:`~nsl.core.chain.TxSigner` bound to a
caller's key (each signature checked, counted and audited like any other), and the "sign and
submit" step of ``POST /keys/{id}/sign`` with ``submit: true``."""

from __future__ import annotations

from typing import Any

from nsl.core.chain import NEO_N3, NEO_X, TxOutcome
from nsl.core.enclave import KeyType, SignAlgorithm
from nsl.core.security import Principal
from nsl.services.keys import schemes
from nsl.services.keys.base import KeysBase
from nsl.services.keys.errors import InvalidInput
from nsl.services.keys.record import VersionInfo

CHAIN_KEY_TYPES = {NEO_N3: KeyType.SECP256R1, NEO_X: KeyType.SECP256K1}
CHAIN_OF_SCHEME = {schemes.NEO_N3_TX: NEO_N3, schemes.EVM_EIP1559: NEO_X}


class KeySigner:
    """Signs one chain's transactions with the current version of a caller's key."""

    def __init__(
        self,
        service: ChainSigning,
        key_id: str,
        principal: Principal,
        version: VersionInfo,
        key_type: KeyType,
    ) -> None:
        self._service = service
        self._principal = principal
        self._version = version
        self.key_id = key_id
        self._key_type = key_type

    @property
    def key_type(self) -> KeyType:
        return self._key_type

    @property
    def public_key(self) -> bytes:
        return self._version.public_key

    async def sign(self, message: bytes, algorithm: SignAlgorithm) -> bytes:
        return await self._service.sign_for_chain(
            self.key_id, self._version, message, algorithm, self._principal
        )

    def __repr__(self) -> str:
        return f"KeySigner(key_id={self.key_id!r}, version={self._version.version})"


class ChainSigning(KeysBase):
    async def chain_signer(self, key_id: str, principal: Principal, chain: str) -> KeySigner:
        """The caller's active signing key, of the type ``chain`` signs with (each signature
        it makes is rate limited; handing it out is not)."""
        record = await self.permitted(key_id, principal, "sign")
        wanted = CHAIN_KEY_TYPES[chain]
        if record.key_type != wanted:
            raise InvalidInput.on(
                "key_id",
                "key_type",
                f"{chain} transactions are signed by a {wanted} key; this key is {record.key_type}",
            )
        return KeySigner(self, key_id, principal, record.current, record.key_type)

    async def sign_for_chain(
        self,
        key_id: str,
        version: VersionInfo,
        message: bytes,
        algorithm: SignAlgorithm,
        principal: Principal,
    ) -> bytes:
        async with self.audited("sign", principal, key_id) as audit:
            await self.usable(key_id, principal, "sign")
            audit.version = version.version
            audit.details = {"scheme": "chain-transaction", "algorithm": algorithm.value}
            audit.data(message)
            signature = await self.ctx.enclave.sign(version.ref, message, algorithm)
            self.usage.count(key_id, "sign", self.now())
            return signature

    def check_submittable(self, scheme: str) -> None:
        if scheme not in CHAIN_OF_SCHEME:
            raise InvalidInput.on(
                "submit",
                "scheme",
                f"only transactions can be submitted ({', '.join(CHAIN_OF_SCHEME)})",
            )

    async def submit_signed(self, scheme: str, result: dict[str, Any]) -> dict[str, Any]:
        """Send a transaction this service just signed and wait for its block."""
        self.check_submittable(scheme)
        chain = CHAIN_OF_SCHEME[scheme]
        raw = result.get("raw_transaction")
        if raw is None:
            raise InvalidInput.on(
                "submit",
                "single_signer",
                "only a transaction with this key as its only "
                "signer is complete after one signature",
            )
        outcome = await self.ctx.chains.get(chain).send_raw(bytes.fromhex(raw.removeprefix("0x")))
        return outcome_json(chain, outcome)


def outcome_json(chain: str, outcome: TxOutcome) -> dict[str, Any]:
    return {
        "chain": chain,
        "tx_hash": outcome.tx_hash,
        "block": outcome.block_number,
        "state": outcome.state,
        "gas_consumed": outcome.gas_consumed,
        "fee": outcome.fee,
        "exception": outcome.exception,
        "events": [e.to_json() for e in outcome.events],
    }

"""Signature schemes: which key types offer which, and what the enclave signs for each.

Raw-data schemes (``ecdsa-sha256``, ``eip191``, ``ecdsa-keccak256``, ``ed25519``) sign and
verify; transaction schemes (``neo-n3-tx``, ``evm-eip1559``) only sign. Ethereum-style
schemes return 65 bytes ``r‖s‖v`` with ``v = 27 + recovery id``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nsl.chains.neo_x.eip191 import personal_message_digest
from nsl.chains.neo_x.hashing import keccak256
from nsl.core.enclave import KeyType, SignAlgorithm
from nsl.services.keys.errors import InvalidInput

R1, K1, ED = KeyType.SECP256R1, KeyType.SECP256K1, KeyType.ED25519
NEO_N3_TX = "neo-n3-tx"
EVM_EIP1559 = "evm-eip1559"
TRANSACTION_SCHEMES = {NEO_N3_TX: R1, EVM_EIP1559: K1}
DEFAULT_SCHEME = {R1: "ecdsa-sha256", K1: "eip191", ED: "ed25519"}
ETH_V_OFFSET = 27


def _same(data: bytes) -> bytes:
    return data


@dataclass(frozen=True)
class Scheme:
    name: str
    key_types: frozenset[KeyType]
    message: Callable[[bytes], bytes]
    algorithm: SignAlgorithm
    prehashed_algorithm: SignAlgorithm | None = None
    eth_v: bool = False

    @property
    def signature_length(self) -> int:
        return 65 if self.eth_v else 64

    def signing_input(self, data: bytes, prehashed: bool) -> tuple[bytes, SignAlgorithm]:
        """What the enclave signs for ``data``, and how."""
        if not prehashed:
            return self.message(data), self.algorithm
        if self.prehashed_algorithm is None:
            raise InvalidInput.on(
                "prehashed", "scheme", f"{self.name} signs the data itself; omit prehashed"
            )
        if len(data) != 32:
            raise InvalidInput.on("data", "digest_length", "a prehashed digest is 32 bytes")
        return data, self.prehashed_algorithm

    def to_wire(self, signature: bytes) -> bytes:
        """The enclave's signature as this scheme presents it."""
        if self.eth_v:
            return signature[:64] + bytes([signature[64] + ETH_V_OFFSET])
        return signature

    def from_wire(self, signature: bytes) -> bytes | None:
        """A presented signature in the enclave's form, or None when it cannot be valid."""
        if len(signature) != self.signature_length:
            raise InvalidInput.on(
                "signature", "length", f"{self.name} signatures are {self.signature_length} bytes"
            )
        if self.eth_v:
            recovery = signature[64] - ETH_V_OFFSET
            return signature[:64] + bytes([recovery]) if recovery in (0, 1) else None
        return signature


SCHEMES = {
    s.name: s
    for s in (
        Scheme(
            "ecdsa-sha256",
            frozenset({R1, K1}),
            _same,
            SignAlgorithm.ECDSA_SHA256,
            SignAlgorithm.ECDSA_PREHASHED,
        ),
        Scheme(
            "eip191",
            frozenset({K1}),
            personal_message_digest,
            SignAlgorithm.ECDSA_RECOVERABLE,
            eth_v=True,
        ),
        Scheme(
            "ecdsa-keccak256",
            frozenset({K1}),
            keccak256,
            SignAlgorithm.ECDSA_RECOVERABLE,
            SignAlgorithm.ECDSA_RECOVERABLE,
            eth_v=True,
        ),
        Scheme("ed25519", frozenset({ED}), _same, SignAlgorithm.ED25519),
    )
}


def allowed(kind: KeyType, *, transactions: bool) -> list[str]:
    names = [n for n, s in SCHEMES.items() if kind in s.key_types]
    if transactions:
        names += [n for n, k in TRANSACTION_SCHEMES.items() if k is kind]
    return names


def resolve(name: str | None, kind: KeyType, *, transactions: bool) -> str:
    """The scheme to use (the key type's default when none is named), or a 400 naming the
    schemes this key type allows."""
    if name is None:
        return DEFAULT_SCHEME[kind]
    names = allowed(kind, transactions=transactions)
    if name not in names:
        raise InvalidInput.on(
            "scheme", "scheme_for_key_type", f"{kind.value} keys allow: {', '.join(names)}"
        )
    return name

"""Shared helpers for the Neo N3 tests: P-256 keys from `cryptography`, transactions from mamba."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from neo3 import vm
from neo3.contracts import contract
from neo3.core import cryptography as neo_crypto
from neo3.core import serialization, types
from neo3.network.payloads import transaction, verification
from neo3.wallet import utils as wallet_utils

TESTNET = 894710606
MAINNET = 860833102


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def private_bytes(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_numbers().private_value.to_bytes(32, "big")


def public_bytes(key: ec.EllipticCurvePrivateKey, compressed: bool = True) -> bytes:
    fmt = PublicFormat.CompressedPoint if compressed else PublicFormat.UncompressedPoint
    return key.public_key().public_bytes(Encoding.X962, fmt)


def sign_rs(key: ec.EllipticCurvePrivateKey, message: bytes) -> bytes:
    """ECDSA-P256/SHA-256 as 64-byte r || s (what a Neo N3 invocation script pushes)."""
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def gas_transfer(sender: types.UInt160, nonce: int = 7) -> transaction.Transaction:
    """A real GAS transfer transaction from ``sender`` with one CalledByEntry signer."""
    script = (
        vm.ScriptBuilder()
        .emit_contract_call_with_args(
            contract.CONTRACT_HASHES.GAS_TOKEN,
            "transfer",
            [sender, types.UInt160(bytes(range(20))), 150_000_000, None],
        )
        .to_array()
    )
    return transaction.Transaction(
        version=0,
        nonce=nonce,
        system_fee=997_775,
        network_fee=123_652,
        valid_until_block=4_000_000,
        signers=[verification.Signer(sender, verification.WitnessScope.CALLED_BY_ENTRY)],
        script=script,
    )


def unsigned_bytes(tx: transaction.Transaction) -> bytes:
    with serialization.BinaryWriter() as writer:
        tx.serialize_unsigned(writer)
        return writer.to_array()


def sender_of(key: ec.EllipticCurvePrivateKey) -> types.UInt160:
    point = neo_crypto.ECPoint.deserialize_from_bytes(public_bytes(key))
    return wallet_utils.public_key_to_script_hash(point)

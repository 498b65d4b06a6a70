"""Oracle report messages and signature packing, checked against independent encoders
(eth-abi, eth-account, neo-mamba). The on-chain side is in the platform-contract tests."""

from __future__ import annotations

import hashlib

import coincurve
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from eth_abi.abi import encode as abi_encode
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils.crypto import keccak
from neo3.core import cryptography as neo_crypto

from nsl.chains import reports
from nsl.core.chain import NEO_N3, NEO_X
from nsl.core.enclave import SignAlgorithm
from nsl.core.errors import ValidationFailed

MAGIC = 7040001
CHAIN_ID = 40001
N3_CONTRACT = "0x" + bytes(range(1, 21)).hex()  # big-endian display form
NX_CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


class P256:
    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.public = self.key.public_key().public_bytes(
            Encoding.X962, PublicFormat.CompressedPoint
        )

    async def sign(self, message: bytes, algorithm: SignAlgorithm) -> bytes:
        assert algorithm is SignAlgorithm.ECDSA_SHA256
        r, s = decode_dss_signature(self.key.sign(message, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


class K1:
    def __init__(self) -> None:
        self.key = coincurve.PrivateKey()
        self.public = self.key.public_key.format()
        self.address = Account.from_key(self.key.secret).address

    async def sign(self, digest: bytes, algorithm: SignAlgorithm) -> bytes:
        assert algorithm is SignAlgorithm.ECDSA_RECOVERABLE
        return self.key.sign_recoverable(digest, hasher=None)


def test_neo_n3_message_is_the_documented_byte_layout() -> None:
    message = reports.oracle_report_message(NEO_N3, MAGIC, N3_CONTRACT, "NEO/USD", 7, -2, 1000)
    expected = (
        b"NSL/oracle-report/v1"
        + MAGIC.to_bytes(4, "little")
        + bytes(range(20, 0, -1))  # the script hash as stored (little-endian)
        + bytes([7])
        + b"NEO/USD"
        + (7).to_bytes(8, "little")
        + b"\xfe"
        + b"\xff" * 31  # -2 as int256 little-endian
        + (1000).to_bytes(8, "little")
    )
    assert message == expected
    assert reports.oracle_report_digest(NEO_N3, message) == hashlib.sha256(message).digest()


def test_neo_n3_accepts_an_address_for_the_contract() -> None:
    from nsl.chains.neo_n3.accounts import script_hash_to_address

    address = script_hash_to_address(bytes(range(20, 0, -1)))
    by_hash = reports.oracle_report_message(NEO_N3, MAGIC, N3_CONTRACT, "F", 1, 1, 1)
    assert reports.oracle_report_message(NEO_N3, MAGIC, address, "F", 1, 1, 1) == by_hash


async def test_neo_n3_signature_verifies_with_neo_mamba() -> None:
    signer = P256()
    message = reports.oracle_report_message(NEO_N3, MAGIC, N3_CONTRACT, "GAS/USD", 1, 5, 9)
    signature = await reports.sign_oracle_report(NEO_N3, message, signer.sign)
    assert neo_crypto.verify_signature(message, signature, signer.public)
    tampered = reports.oracle_report_message(NEO_N3, MAGIC, N3_CONTRACT, "GAS/USD", 1, 6, 9)
    assert not neo_crypto.verify_signature(tampered, signature, signer.public)


def test_neo_x_message_is_keccak_of_the_abi_encoding() -> None:
    message = reports.oracle_report_message(NEO_X, CHAIN_ID, NX_CONTRACT, "NEO/USD", 3, -1, 77)
    encoded = abi_encode(
        ["bytes32", "uint256", "address", "bytes32", "uint64", "int256", "uint64"],
        [
            b"NSL/oracle-report/v1".ljust(32, b"\0"),
            CHAIN_ID,
            NX_CONTRACT,
            keccak(b"NEO/USD"),
            3,
            -1,
            77,
        ],
    )
    assert message == keccak(encoded)


async def test_neo_x_signature_recovers_with_eth_account() -> None:
    signer = K1()
    message = reports.oracle_report_message(NEO_X, CHAIN_ID, NX_CONTRACT, "NEO/USD", 3, 10, 77)
    signature = await reports.sign_oracle_report(NEO_X, message, signer.sign)
    assert len(signature) == 65 and signature[64] in (27, 28)
    recovered = Account.recover_message(encode_defunct(primitive=message), signature=signature)
    assert recovered == signer.address
    digest = reports.oracle_report_digest(NEO_X, message)
    assert digest == keccak(b"\x19Ethereum Signed Message:\n32" + message)


def test_messages_differ_per_network_contract_and_field() -> None:
    base = (NEO_X, CHAIN_ID, NX_CONTRACT, "NEO/USD", 3, 10, 77)
    variants = [
        (NEO_X, CHAIN_ID + 1, NX_CONTRACT, "NEO/USD", 3, 10, 77),
        (NEO_X, CHAIN_ID, "0x" + "11" * 20, "NEO/USD", 3, 10, 77),
        (NEO_X, CHAIN_ID, NX_CONTRACT, "NEO/EUR", 3, 10, 77),
        (NEO_X, CHAIN_ID, NX_CONTRACT, "NEO/USD", 4, 10, 77),
        (NEO_X, CHAIN_ID, NX_CONTRACT, "NEO/USD", 3, 11, 77),
        (NEO_X, CHAIN_ID, NX_CONTRACT, "NEO/USD", 3, 10, 78),
    ]
    seen = {reports.oracle_report_message(*base)}
    seen |= {reports.oracle_report_message(*variant) for variant in variants}
    assert len(seen) == 1 + len(variants)
    n3 = reports.oracle_report_message(NEO_N3, MAGIC, N3_CONTRACT, "NEO/USD", 3, 10, 77)
    assert n3 != reports.oracle_report_message(NEO_N3, MAGIC + 1, N3_CONTRACT, "NEO/USD", 3, 10, 77)


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("feed", (MAGIC, N3_CONTRACT, "", 1, 1, 1)),
        ("feed", (MAGIC, N3_CONTRACT, "x" * 61, 1, 1, 1)),
        ("feed", (MAGIC, N3_CONTRACT, "\ud800", 1, 1, 1)),
        ("contract", (MAGIC, None, "F", 1, 1, 1)),
        ("round_id", (MAGIC, N3_CONTRACT, "F", 0, 1, 1)),
        ("round_id", (MAGIC, N3_CONTRACT, "F", 2**63, 1, 1)),
        ("round_id", (MAGIC, N3_CONTRACT, "F", True, 1, 1)),
        ("value", (MAGIC, N3_CONTRACT, "F", 1, 2**255, 1)),
        ("value", (MAGIC, N3_CONTRACT, "F", 1, -(2**255) - 1, 1)),
        ("timestamp", (MAGIC, N3_CONTRACT, "F", 1, 1, -1)),
        ("network_id", (2**32, N3_CONTRACT, "F", 1, 1, 1)),
        ("contract", (MAGIC, "0x1234", "F", 1, 1, 1)),
        ("contract", (MAGIC, "0x" + "zz" * 20, "F", 1, 1, 1)),
    ],
)
def test_bad_report_fields_are_refused_by_name(field: str, args: tuple[object, ...]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        reports.oracle_report_message(NEO_N3, *args)  # type: ignore[arg-type]
    assert caught.value.fields[0].field == field


def test_neo_x_contract_must_be_an_address() -> None:
    with pytest.raises(ValidationFailed) as caught:
        reports.oracle_report_message(NEO_X, CHAIN_ID, "0x12", "F", 1, 1, 1)
    assert caught.value.fields[0].field == "contract"


def test_neo_n3_packing_orders_by_signer_index() -> None:
    keys = [P256().public for _ in range(3)]
    signatures = {keys[2]: b"\x02" * 64, keys[0]: b"\x00" * 64}
    packed = reports.pack_signatures(NEO_N3, keys, signatures)
    assert packed == b"\x00" + b"\x00" * 64 + b"\x02" + b"\x02" * 64


def test_neo_x_packing_orders_by_address() -> None:
    signers = [K1() for _ in range(3)]
    signatures = {s.public: bytes([i]) * 64 + b"\x1b" for i, s in enumerate(signers)}
    packed = reports.pack_signatures(NEO_X, [s.public for s in signers], signatures)
    order = sorted(range(3), key=lambda i: int(signers[i].address, 16))
    assert packed == b"".join(bytes([i]) * 64 + b"\x1b" for i in order)
    assert reports.signer_ids(NEO_X, [s.public for s in signers]) == [s.address for s in signers]


def test_packing_refuses_outsiders_duplicates_and_bad_lengths() -> None:
    members = [P256() for _ in range(2)]
    keys = [member.public for member in members]
    with pytest.raises(ValidationFailed, match="outside the signer set"):
        reports.pack_signatures(NEO_N3, keys, {P256().public: b"\x00" * 64})
    with pytest.raises(ValidationFailed, match="64-byte"):
        reports.pack_signatures(NEO_N3, keys, {keys[0]: b"\x00" * 65})
    uncompressed = (
        members[0].key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    with pytest.raises(ValidationFailed, match="one signature per signer"):
        reports.pack_signatures(NEO_N3, keys, {keys[0]: b"\0" * 64, uncompressed: b"\0" * 64})
    with pytest.raises(ValidationFailed, match=r"1\.\.31"):
        reports.pack_signatures(NEO_N3, keys, {})
    k1 = K1()
    with pytest.raises(ValidationFailed, match="v 27/28"):
        reports.pack_signatures(NEO_X, [k1.public], {k1.public: b"\x00" * 64 + b"\x01"})

"""The exact bytes oracle nodes sign for a price report on each chain, and how signatures are
packed for ``OracleConsumer.submit`` (format and reasons: docs/decisions/0008).

Randomness fulfilment needs no signed message: ``RandomnessConsumer.fulfill`` checks the
transaction's signer (Neo N3 ``CheckWitness``, Neo X ``msg.sender``) against its fulfiller.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence

from nsl.chains.neo_n3.accounts import address_to_script_hash, compressed_key
from nsl.chains.neo_x.accounts import address_bytes, checksum_address, parse_address
from nsl.chains.neo_x.eip191 import ethereum_signature, personal_message_digest
from nsl.chains.neo_x.hashing import keccak256
from nsl.core.chain import NEO_N3, chain_name
from nsl.core.enclave import SignAlgorithm
from nsl.core.errors import ValidationFailed

DOMAIN = b"NSL/oracle-report/v1"
MAX_FEED_BYTES = 60  # Neo N3 storage keys: 4-byte prefix + feed ≤ 64 bytes
MAX_SIGNERS = 31
INT64_END = 2**63
INT256_MIN, INT256_END = -(2**255), 2**255

Sign = Callable[[bytes, SignAlgorithm], Awaitable[bytes]]


def _int(value: object, field: str, low: int, end: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value < end:
        raise ValidationFailed.on(field, "range", f"must be an integer in [{low}, {end - 1}]")
    return value


def _feed(feed: object) -> bytes:
    try:
        raw = feed.encode() if isinstance(feed, str) else b""
    except UnicodeEncodeError:  # lone surrogates
        raw = b""
    if not 0 < len(raw) <= MAX_FEED_BYTES:
        raise ValidationFailed.on("feed", "length", "must be 1..60 bytes of UTF-8 text")
    return raw


def _neo_n3_contract(contract: str) -> bytes:
    """A contract's little-endian script hash from ``0x`` + 40 hex (big-endian) or an address."""
    if not isinstance(contract, str):
        raise ValidationFailed.on("contract", "script_hash", "must be a 0x hash or an address")
    if contract[:2] in ("0x", "0X"):
        body = contract[2:]
        try:
            raw = bytes.fromhex(body)
        except ValueError:
            raw = b""
        if len(body) != 40 or len(raw) != 20:
            raise ValidationFailed.on("contract", "script_hash", "must be 0x + 40 hex digits")
        return raw[::-1]
    return address_to_script_hash(contract, field="contract")


def oracle_report_message(
    chain: str,
    network_id: int,
    contract: str,
    feed: str,
    round_id: int,
    value: int,
    timestamp: int,
) -> bytes:
    """The message oracle nodes sign for one report to one consumer contract.

    Neo N3: ``DOMAIN ‖ u32le magic ‖ script hash (LE) ‖ u8 len ‖ feed ‖ i64le round_id ‖
    i256le value ‖ i64le timestamp``, signed as is with ECDSA-P256/SHA-256.
    Neo X: ``keccak256(abi.encode(bytes32 DOMAIN, uint256 chain_id, address contract,
    bytes32 keccak256(feed), uint64 round_id, int256 value, uint64 timestamp))`` (32 bytes),
    signed as an EIP-191 personal message with secp256k1.
    """
    chain = chain_name(chain)
    feed_raw = _feed(feed)
    round_id = _int(round_id, "round_id", 1, INT64_END)
    value = _int(value, "value", INT256_MIN, INT256_END)
    timestamp = _int(timestamp, "timestamp", 0, INT64_END)
    if chain == NEO_N3:
        magic = _int(network_id, "network_id", 0, 2**32)
        return b"".join(
            [
                DOMAIN,
                magic.to_bytes(4, "little"),
                _neo_n3_contract(contract),
                bytes([len(feed_raw)]),
                feed_raw,
                round_id.to_bytes(8, "little"),
                value.to_bytes(32, "little", signed=True),
                timestamp.to_bytes(8, "little"),
            ]
        )
    chain_id = _int(network_id, "network_id", 1, 2**256)
    words = [
        DOMAIN.ljust(32, b"\x00"),
        chain_id.to_bytes(32, "big"),
        parse_address(contract, "contract").rjust(32, b"\x00"),
        keccak256(feed_raw),
        round_id.to_bytes(32, "big"),
        value.to_bytes(32, "big", signed=True),
        timestamp.to_bytes(32, "big"),
    ]
    return keccak256(b"".join(words))


def oracle_report_digest(chain: str, message: bytes) -> bytes:
    """The 32-byte hash the ECDSA signature covers: SHA-256 (Neo N3) or EIP-191 (Neo X)."""
    if chain_name(chain) == NEO_N3:
        return hashlib.sha256(message).digest()
    return personal_message_digest(message)


async def sign_oracle_report(chain: str, message: bytes, sign: Sign) -> bytes:
    """A signature in the form ``submit`` takes: 64-byte r‖s (Neo N3), 65-byte r‖s‖v (Neo X).

    ``sign(data, algorithm)`` is the enclave's sign bound to one key (secp256r1 on Neo N3,
    secp256k1 on Neo X).
    """
    if chain_name(chain) == NEO_N3:
        return await sign(message, SignAlgorithm.ECDSA_SHA256)
    recoverable = await sign(personal_message_digest(message), SignAlgorithm.ECDSA_RECOVERABLE)
    return ethereum_signature(recoverable)


def signer_ids(chain: str, public_keys: Sequence[bytes]) -> list[str]:
    """What ``OracleConsumer.set_signers`` takes for these keys: compressed keys as hex
    (Neo N3) or checksummed addresses (Neo X)."""
    if chain_name(chain) == NEO_N3:
        return [compressed_key(key, "signers").hex() for key in public_keys]
    return [checksum_address(address_bytes(key)) for key in public_keys]


def _neo_n3_entry(members: list[bytes], key: bytes, signature: bytes) -> tuple[int, bytes]:
    compressed = compressed_key(key, "signatures")
    if compressed not in members:
        raise ValidationFailed.on("signatures", "member", "a key outside the signer set")
    if len(signature) != 64:
        raise ValidationFailed.on("signatures", "length", "Neo N3 signatures are 64-byte r‖s")
    index = members.index(compressed)
    return index, bytes([index]) + signature


def _neo_x_entry(members: list[bytes], key: bytes, signature: bytes) -> tuple[int, bytes]:
    address = address_bytes(key)
    if address not in members:
        raise ValidationFailed.on("signatures", "member", "a key outside the signer set")
    if len(signature) != 65 or signature[64] not in (27, 28):
        raise ValidationFailed.on("signatures", "length", "Neo X signatures are r‖s‖v, v 27/28")
    return int.from_bytes(address, "big"), signature


def pack_signatures(
    chain: str, signer_set: Sequence[bytes], signatures: Mapping[bytes, bytes]
) -> bytes:
    """The ``signatures`` argument of ``submit``: one entry per signer, in the contract's order.

    ``signer_set`` is the contract's signer set as public keys (in the order given to
    ``set_signers``); ``signatures`` maps a member's public key to its signature from
    :func:`sign_oracle_report`. Neo N3 entries are ``u8 index ‖ r ‖ s`` by increasing index;
    Neo X entries are ``r ‖ s ‖ v`` by increasing signer address.
    """
    if not 0 < len(signatures) <= MAX_SIGNERS:
        raise ValidationFailed.on("signatures", "count", "must hold 1..31 signatures")
    if chain_name(chain) == NEO_N3:
        members = [compressed_key(key, "signer_set") for key in signer_set]
        entries = [_neo_n3_entry(members, k, sig) for k, sig in signatures.items()]
    else:
        members = [address_bytes(key) for key in signer_set]
        entries = [_neo_x_entry(members, k, sig) for k, sig in signatures.items()]
    entries.sort(key=lambda entry: entry[0])
    if len({order for order, _ in entries}) != len(entries):
        raise ValidationFailed.on("signatures", "distinct", "one signature per signer")
    return b"".join(entry for _, entry in entries)

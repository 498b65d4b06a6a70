"""OracleConsumer (Neo N3): stores a price feed's latest report once enough oracle nodes signed it.

A report is accepted only with at least ``threshold`` valid secp256r1 signatures, from distinct
members of the admin-set signer set, over the exact message of ``nsl.chains.reports`` (bound to
this network's magic and this contract's hash); round ids strictly increase per feed.
"""

from typing import Any

from boa3.sc import runtime, storage
from boa3.sc.compiletime import NeoMetadata, public
from boa3.sc.contracts import CryptoLib, StdLib
from boa3.sc.types import ECPoint, NamedCurveHash, UInt160
from boa3.sc.utils import CreateNewEvent, to_bytes

ADMIN_KEY = b"admin"
SIGNERS_KEY = b"signers"
THRESHOLD_KEY = b"threshold"
ROUND_PREFIX = b"rnd:"
DOMAIN = b"NSL/oracle-report/v1"
MAX_SIGNERS = 31
MAX_FEED = 60  # N3 storage keys are at most 64 bytes: 4-byte prefix + feed
ENTRY = 65  # signer index (1 byte) + r||s (64 bytes)
UINT63 = 0x8000000000000000

on_report = CreateNewEvent(
    [("feed", str), ("round_id", int), ("answer", int), ("timestamp", int), ("signers", int)],
    "ReportAccepted",
)
on_signers = CreateNewEvent([("signers", list), ("threshold", int)], "SignersChanged")
on_admin_changed = CreateNewEvent([("previous", UInt160), ("admin", UInt160)], "AdminChanged")


def manifest_metadata() -> NeoMetadata:
    meta = NeoMetadata()
    meta.name = "OracleConsumer"
    meta.description = "Neo Service Layer: threshold-signed oracle reports"
    return meta


@public
def _deploy(data: Any, update: bool):
    if not update:
        storage.put_uint160(ADMIN_KEY, runtime.script_container.sender)


def _only_admin():
    assert runtime.check_witness(storage.get_uint160(ADMIN_KEY)), "only the admin"


@public(safe=True)
def admin() -> UInt160:
    return storage.get_uint160(ADMIN_KEY)


@public
def set_admin(new_admin: UInt160):
    _only_admin()
    assert len(new_admin) == 20 and new_admin != UInt160(), "admin must be a 20-byte account"
    previous = storage.get_uint160(ADMIN_KEY)
    storage.put_uint160(ADMIN_KEY, new_admin)
    on_admin_changed(previous, new_admin)


@public
def set_signers(signers: list, threshold: int):
    """Replace the signer set (distinct compressed secp256r1 keys) and the threshold."""
    _only_admin()
    count = len(signers)
    assert 0 < count <= MAX_SIGNERS, "signers must hold 1..31 keys"
    assert 1 <= threshold <= count, "threshold must be 1..len(signers)"
    for i in range(count):
        key: bytes = signers[i]
        assert len(key) == 33 and (key[0] == 2 or key[0] == 3), "signer must be a compressed key"
        for j in range(i):
            assert signers[j] != key, "duplicate signer"
    storage.put(SIGNERS_KEY, StdLib.serialize(signers))
    storage.put_int(THRESHOLD_KEY, threshold)
    on_signers(signers, threshold)


@public(safe=True)
def signers() -> list:
    return _signers()


@public(safe=True)
def threshold() -> int:
    return storage.get_int(THRESHOLD_KEY)


def _signers() -> list:
    data = storage.get(SIGNERS_KEY)
    if data == b"":
        return []
    result: list = StdLib.deserialize(data)
    return result


def _fixed(number: int, width: int) -> bytes:
    """``number`` as ``width`` bytes, little-endian two's complement."""
    raw = to_bytes(number)
    pad = b"\x00"
    if number < 0:
        pad = b"\xff"
    while len(raw) < width:
        raw = raw + pad
    assert len(raw) == width, "number too wide"
    return raw


def _message(feed: str, round_id: int, answer: int, timestamp: int) -> bytes:
    feed_bytes = to_bytes(feed)
    return (
        DOMAIN
        + _fixed(runtime.get_network(), 4)
        + runtime.executing_script_hash
        + _fixed(len(feed_bytes), 1)
        + feed_bytes
        + _fixed(round_id, 8)
        + _fixed(answer, 32)
        + _fixed(timestamp, 8)
    )


@public(safe=True)
def report_message(feed: str, round_id: int, answer: int, timestamp: int) -> bytes:
    """The exact bytes oracle nodes sign for this report (for cross-checking encoders)."""
    return _message(feed, round_id, answer, timestamp)


@public
def submit(feed: str, round_id: int, answer: int, timestamp: int, signatures: bytes):
    """Accept a report carrying ``threshold`` or more packed signatures (index ‖ r ‖ s, indexes
    strictly increasing); every packed signature must be valid. ``answer`` is any NeoVM
    integer, which is exactly the int256 range."""
    assert 0 < len(feed) <= MAX_FEED, "feed must be 1..60 bytes"
    assert 0 < round_id < UINT63, "round_id must be 1..2^63-1"
    assert 0 <= timestamp < UINT63, "timestamp must be 0..2^63-1"
    members = _signers()
    count = len(signatures) // ENTRY
    assert len(signatures) == count * ENTRY, "signatures must be 65-byte entries"
    assert count >= storage.get_int(THRESHOLD_KEY) and count > 0, "not enough signatures"
    key = ROUND_PREFIX + to_bytes(feed)
    stored = storage.get(key)
    if stored != b"":
        previous: list = StdLib.deserialize(stored)
        last_round: int = previous[0]
        assert round_id > last_round, "round_id must increase"
    message = _message(feed, round_id, answer, timestamp)
    last_index = -1
    for i in range(count):
        start = i * ENTRY
        index: int = signatures[start]
        assert index > last_index, "signer indexes must strictly increase"
        assert index < len(members), "signer index outside the set"
        last_index = index
        member: ECPoint = members[index]
        signature = signatures[start + 1 : start + ENTRY]
        assert CryptoLib.verify_with_ecdsa(
            message, member, signature, NamedCurveHash.SECP256R1SHA256
        ), "invalid signature"
    storage.put(key, StdLib.serialize([round_id, answer, timestamp]))
    on_report(feed, round_id, answer, timestamp, count)


@public(safe=True)
def latest(feed: str) -> list:
    """[round_id, answer, timestamp] of the newest accepted report, or [] before the first."""
    if len(feed) > MAX_FEED:
        return []
    stored = storage.get(ROUND_PREFIX + to_bytes(feed))
    if stored == b"":
        return []
    result: list = StdLib.deserialize(stored)
    return result

"""RandomnessConsumer (Neo N3): dApps request randomness; only the registered fulfiller answers.

``request(seed)`` records the caller (the calling contract, or the transaction sender when
called directly) and emits RandomnessRequested; ``fulfill`` needs the fulfiller's witness and
succeeds once per request. The admin (deployer, transferable) sets the fulfiller.
"""

from typing import Any

from boa3.sc import runtime, storage
from boa3.sc.compiletime import NeoMetadata, public
from boa3.sc.contracts import StdLib
from boa3.sc.types import UInt160
from boa3.sc.utils import CreateNewEvent, to_bytes

ADMIN_KEY = b"admin"
FULFILLER_KEY = b"fulfiller"
COUNTER_KEY = b"requests"
REQUEST_PREFIX = b"req:"
MAX_SEED = 64
MAX_RANDOMNESS = 64

on_requested = CreateNewEvent(
    [("request_id", int), ("requester", UInt160), ("seed", bytes)], "RandomnessRequested"
)
on_fulfilled = CreateNewEvent(
    [("request_id", int), ("fulfiller", UInt160), ("randomness", bytes)], "RandomnessFulfilled"
)
on_fulfiller_changed = CreateNewEvent([("fulfiller", UInt160)], "FulfillerChanged")
on_admin_changed = CreateNewEvent([("previous", UInt160), ("admin", UInt160)], "AdminChanged")


def manifest_metadata() -> NeoMetadata:
    meta = NeoMetadata()
    meta.name = "RandomnessConsumer"
    meta.description = "Neo Service Layer: randomness requests fulfilled by the platform"
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
def set_fulfiller(fulfiller: UInt160):
    _only_admin()
    assert len(fulfiller) == 20 and fulfiller != UInt160(), "fulfiller must be a 20-byte account"
    storage.put_uint160(FULFILLER_KEY, fulfiller)
    on_fulfiller_changed(fulfiller)


@public(safe=True)
def fulfiller() -> UInt160:
    return storage.get_uint160(FULFILLER_KEY)


@public
def request(seed: bytes) -> int:
    """A new request id (1, 2, …) for the calling contract, or the sender of a direct call."""
    assert len(seed) <= MAX_SEED, "seed must be at most 64 bytes"
    requester = runtime.calling_script_hash
    if requester == runtime.entry_script_hash:
        requester = runtime.script_container.sender
    request_id = storage.get_int(COUNTER_KEY) + 1
    storage.put_int(COUNTER_KEY, request_id)
    record = [requester, seed, False, b""]
    storage.put(REQUEST_PREFIX + to_bytes(request_id), StdLib.serialize(record))
    on_requested(request_id, requester, seed)
    return request_id


@public
def fulfill(request_id: int, randomness: bytes):
    """Store ``randomness`` for a pending request; only the fulfiller's witness may do it."""
    account = storage.get_uint160(FULFILLER_KEY)
    assert len(account) == 20, "no fulfiller set"
    assert runtime.check_witness(account), "only the fulfiller"
    assert 0 < len(randomness) <= MAX_RANDOMNESS, "randomness must be 1..64 bytes"
    key = REQUEST_PREFIX + to_bytes(request_id)
    stored = storage.get(key)
    assert request_id > 0 and stored != b"", "unknown request"
    record: list = StdLib.deserialize(stored)
    done: bool = record[2]
    assert not done, "already fulfilled"
    record[2] = True
    record[3] = randomness
    storage.put(key, StdLib.serialize(record))
    on_fulfilled(request_id, account, randomness)


@public(safe=True)
def get(request_id: int) -> list:
    """[requester, seed, fulfilled, randomness], or [] for an unknown request id."""
    if request_id <= 0:
        return []
    stored = storage.get(REQUEST_PREFIX + to_bytes(request_id))
    if stored == b"":
        return []
    result: list = StdLib.deserialize(stored)
    return result


@public(safe=True)
def request_count() -> int:
    return storage.get_int(COUNTER_KEY)

"""ServiceRegistry (Neo N3): the admin registers, updates and removes platform services by name.

Each entry holds the service's operator account, endpoint URL and public key; anyone reads.
The admin is the deploying account and can hand the role to another account.
"""

from typing import Any

from boa3.sc import runtime, storage
from boa3.sc.compiletime import NeoMetadata, public
from boa3.sc.contracts import StdLib
from boa3.sc.types import UInt160
from boa3.sc.utils import CreateNewEvent, to_bytes

ADMIN_KEY = b"admin"
NAMES_KEY = b"names"
SERVICE_PREFIX = b"svc:"
MAX_SERVICES = 64
MAX_NAME = 60  # N3 storage keys are at most 64 bytes: 4-byte prefix + name
MAX_ENDPOINT = 256
MAX_PUBLIC_KEY = 128

on_registered = CreateNewEvent(
    [("name", str), ("operator", UInt160), ("endpoint", str), ("public_key", bytes)],
    "ServiceRegistered",
)
on_removed = CreateNewEvent([("name", str)], "ServiceRemoved")
on_admin_changed = CreateNewEvent([("previous", UInt160), ("admin", UInt160)], "AdminChanged")


def manifest_metadata() -> NeoMetadata:
    meta = NeoMetadata()
    meta.name = "ServiceRegistry"
    meta.description = "Neo Service Layer: registry of platform services"
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
def register(name: str, operator: UInt160, endpoint: str, public_key: bytes):
    """Create or replace the entry for ``name``."""
    _only_admin()
    assert 0 < len(name) <= MAX_NAME, "name must be 1..60 bytes"
    assert len(operator) == 20 and operator != UInt160(), "operator must be a 20-byte account"
    assert 0 < len(endpoint) <= MAX_ENDPOINT, "endpoint must be 1..256 bytes"
    assert 0 < len(public_key) <= MAX_PUBLIC_KEY, "public_key must be 1..128 bytes"
    key = SERVICE_PREFIX + to_bytes(name)
    if storage.get(key) == b"":
        names: list = _names()
        assert len(names) < MAX_SERVICES, "registry is full"
        names.append(name)
        storage.put(NAMES_KEY, StdLib.serialize(names))
    storage.put(key, StdLib.serialize([name, operator, endpoint, public_key]))
    on_registered(name, operator, endpoint, public_key)


@public
def remove(name: str):
    _only_admin()
    assert 0 < len(name) <= MAX_NAME, "unknown service"
    key = SERVICE_PREFIX + to_bytes(name)
    assert storage.get(key) != b"", "unknown service"
    storage.delete(key)
    kept: list = []
    for item in _names():
        if item != name:
            kept.append(item)
    storage.put(NAMES_KEY, StdLib.serialize(kept))
    on_removed(name)


@public(safe=True)
def get(name: str) -> list:
    """[name, operator, endpoint, public_key], or an empty list for an unknown name."""
    if len(name) > MAX_NAME:
        return []
    data = storage.get(SERVICE_PREFIX + to_bytes(name))
    if data == b"":
        return []
    result: list = StdLib.deserialize(data)
    return result


@public(safe=True)
def names() -> list:
    return _names()


def _names() -> list:
    data = storage.get(NAMES_KEY)
    if data == b"":
        return []
    result: list = StdLib.deserialize(data)
    return result

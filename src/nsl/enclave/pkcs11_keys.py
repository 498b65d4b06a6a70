"""The pkcs11 enclave's keys: token objects matched to ``enclave_items`` rows by ``CKA_ID``.

Creates (token first, then the row), finds and caches, and destroys keys; the rows hold only
public data (``blob`` and ``master_id`` stay NULL).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pkcs11 import Mechanism, ObjectClass
from pkcs11.exceptions import PKCS11Error

from nsl.core.clock import Clock
from nsl.core.enclave import EnclaveError, EnclaveKeyUnknown, EnclaveUnsupported, KeyType
from nsl.core.errors import NslError, ValidationFailed
from nsl.core.ids import new_id
from nsl.core.ports import Database
from nsl.enclave import pkcs11_ops as ops
from nsl.enclave import pkcs11_shape as shape
from nsl.enclave.models import EnclaveItem
from nsl.enclave.pkcs11_thread import call
from nsl.enclave.pkcs11_token import OpenToken, mechanism_name
from nsl.enclave.store import ItemStore

PROVIDER = "pkcs11"
T = TypeVar("T")


@dataclass(frozen=True)
class TokenKey:
    item: EnclaveItem
    handle: Any = field(repr=False)  # the token object (private or AES key) in our session
    public_key: bytes = b""  # compressed for EC; empty for AES keys

    @property
    def key_type(self) -> KeyType:
        return KeyType(self.item.key_type or "")


class TokenKeys:
    """Keys of one enclave instance; ``token`` is set while the enclave is started."""

    def __init__(self, database: Database, clock: Clock, cache_size: int) -> None:
        self.token: OpenToken | None = None
        self._store = ItemStore(database)
        self._clock = clock
        self._cache: OrderedDict[str, TokenKey] = OrderedDict()
        self._cache_size = cache_size
        self._labels: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._cache)

    def forget(self) -> None:
        self._cache.clear()
        self._labels.clear()

    # the token -----------------------------------------------------------------------------
    def opened(self) -> OpenToken:
        if self.token is None:
            raise EnclaveError("the enclave is not started", code="enclave.not_started")
        return self.token

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """A token operation on the token thread; library errors become ``EnclaveError``."""
        try:
            return await call(fn, *args)
        except NslError:
            raise
        except PKCS11Error as exc:
            raise EnclaveError(
                f"the PKCS#11 {self.opened().info.describe()} failed: {type(exc).__name__}",
                code="enclave.token_error",
            ) from exc

    def require(self, mechanism: Mechanism, what: str) -> None:
        info = self.opened().info
        if int(mechanism) not in info.mechanisms:
            raise EnclaveUnsupported(
                f"{what} needs {mechanism_name(mechanism)}, which {info.describe()} does not offer"
            )

    # creating --------------------------------------------------------------------------------
    async def new_pair(self, key_type: KeyType, purpose: str, label: str | None) -> TokenKey:
        _check_purpose(purpose)
        info = self.opened().info
        if key_type not in info.curves:
            raise EnclaveUnsupported(
                f"{info.describe()} does not offer {key_type} keys (needs "
                f"{mechanism_name(ops.GENERATE[key_type])} and {mechanism_name(ops.SIGN[key_type])}"
                " on that curve)"
            )
        item_id = new_id()
        point = await self.call(ops.generate_pair, self.opened().session, key_type, item_id)
        public = shape.compressed(key_type, point)
        stored = await self._record(
            self._item(item_id, "private", purpose, key_type, public, label)
        )
        return await self.load(stored.id)

    async def new_wrapping(self, purpose: str, label: str | None) -> TokenKey:
        _check_purpose(purpose)
        self.require(Mechanism.AES_KEY_GEN, "an AES-256 wrapping key")
        item_id = new_id()
        await self.call(ops.generate_aes, self.opened().session, item_id)
        stored = await self._record(self._item(item_id, "wrapping", purpose, None, None, label))
        return await self.load(stored.id)

    async def labelled_wrapping(self, label: str) -> str:
        """The AES key with this label (``seal:<service>``), made on first use, race-safe."""
        known = self._labels.get(label)
        if known is None:
            item = await self._store.by_label(label)
            if item is None:
                item = (await self.new_wrapping(label, label)).item
            _check_provider(item)
            known = self._labels[label] = item.id
        return known

    async def identity(self) -> TokenKey:
        """The Ed25519 attestation identity key, made on first use, race-safe."""
        known = self._labels.get("identity")
        if known is None:
            item = await self._store.by_label("identity")
            if item is None:
                info = self.opened().info
                if KeyType.ED25519 not in info.curves:
                    raise EnclaveUnsupported(
                        f"attestation needs an Ed25519 identity key and {info.describe()} "
                        "offers no Ed25519 (CKM_EC_EDWARDS_KEY_PAIR_GEN, CKM_EDDSA)"
                    )
                pair = await self.new_pair(KeyType.ED25519, "attestation identity", "identity")
                item = pair.item
            _check_provider(item)
            known = self._labels["identity"] = item.id
        return await self.private(known)

    # using and destroying ------------------------------------------------------------------
    async def private(self, key_ref: str) -> TokenKey:
        key = await self.load(key_ref)
        if key.item.kind != "private":
            raise EnclaveUnsupported("this enclave key is a wrapping key, not a signing key")
        return key

    async def load(self, key_ref: str) -> TokenKey:
        cached = self._cache.get(key_ref)
        if cached is not None:
            self._cache.move_to_end(key_ref)
            return cached
        item = await self._store.get(key_ref)
        if item is None or item.provider != PROVIDER:
            raise EnclaveKeyUnknown(f"no live enclave key {key_ref} in the pkcs11 provider")
        session = self.opened().session
        if item.kind == "wrapping":
            key = TokenKey(
                item, await self.call(ops.find, session, item.id, ObjectClass.SECRET_KEY)
            )
        else:
            key_type = KeyType(item.key_type or "")
            handle, point = await self.call(ops.find_pair, session, item.id, key_type)
            if shape.compressed(key_type, point) != item.public_key:
                raise EnclaveError(
                    f"enclave item {item.id}: the token's public key differs from the recorded "
                    "one (tampered row, or another token)",
                    code="enclave.item_corrupt",
                )
            key = TokenKey(item, handle, item.public_key)
        self._cache[key_ref] = key
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return key

    async def destroy(self, key_ref: str) -> None:
        self._cache.pop(key_ref, None)
        item = await self._store.get(key_ref)
        if item is None or item.provider != PROVIDER:
            raise EnclaveKeyUnknown(f"no live enclave key {key_ref} in the pkcs11 provider")
        # token objects first: a crash in between leaves a live row, and a retry converges
        await self.call(ops.destroy_objects, self.opened().session, item.id)
        if not await self._store.destroy(key_ref, self._clock.now()):
            raise EnclaveKeyUnknown(f"no live enclave key {key_ref} in the pkcs11 provider")

    # internals -----------------------------------------------------------------------------
    def _item(
        self,
        item_id: str,
        kind: str,
        purpose: str,
        key_type: KeyType | None,
        public_key: bytes | None,
        label: str | None,
    ) -> EnclaveItem:
        return EnclaveItem(
            id=item_id,
            provider=PROVIDER,
            kind=kind,
            key_type=key_type.value if key_type is not None else None,
            label=label,
            purpose=purpose,
            exportable=False,
            public_key=public_key,
            master_id=None,
            blob=None,
            created_at=self._clock.now(),
            destroyed_at=None,
        )

    async def _record(self, item: EnclaveItem) -> EnclaveItem:
        """Record a freshly generated token key; drop it from the token if another won."""
        try:
            if item.label is None:
                await self._store.insert(item)
                return item
            stored = await self._store.insert_labelled(item)
        except Exception:
            await self.call(ops.destroy_objects, self.opened().session, item.id)
            raise
        if stored.id != item.id:  # another process created this label first
            await self.call(ops.destroy_objects, self.opened().session, item.id)
        return stored


def _check_purpose(purpose: str) -> None:
    if len(purpose) > 128:
        raise ValidationFailed.on("purpose", "max_length", "at most 128 characters")


def _check_provider(item: EnclaveItem) -> None:
    if item.provider != PROVIDER:
        raise EnclaveError(
            f"enclave item '{item.label}' in this database belongs to the {item.provider} "
            "provider; one database serves one enclave provider",
            code="enclave.provider_mismatch",
        )

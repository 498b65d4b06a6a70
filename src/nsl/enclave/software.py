"""The software enclave: real cryptography in this process, keys sealed under the master keyring.

Each key is an ``enclave_items`` row whose blob is the raw key sealed (AES-256-GCM, key derived
from the current master key) with associated data naming the row, its kind, type, label and
exportability, so a blob cannot be moved to another row or made exportable. Opened keys are
kept in a bounded in-memory cache; nothing else ever sees them in the clear.
"""

from __future__ import annotations

import asyncio
import os
from collections import OrderedDict
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from nsl.core.clock import Clock
from nsl.core.enclave import (
    AttestationReport,
    DataKey,
    EnclaveDecryptFailed,
    EnclaveError,
    EnclaveKeyUnknown,
    EnclaveUnsupported,
    KeyInfo,
    KeyType,
    SealContext,
    SignAlgorithm,
)
from nsl.core.errors import Forbidden, ValidationFailed
from nsl.core.health import Check, Status
from nsl.core.ids import new_id
from nsl.core.ports import Database
from nsl.core.sealing import AesGcmSealer, SealError, derive_key
from nsl.core.settings import Settings
from nsl.enclave import attestation, ecies
from nsl.enclave.keyring import Keyring, load_keyring, read_keyring_file
from nsl.enclave.material import PrivateKey
from nsl.enclave.models import EnclaveItem
from nsl.enclave.sealed import SEAL_PREFIX, pack_sealed, unpack_sealed
from nsl.enclave.store import ItemStore

PROVIDER = "software"
ITEM_PURPOSE = "nsl/enclave/items/v1"
WRAPPED = b"\x02"
NONCE = 12
MAX_RANDOM = 1024 * 1024


@dataclass(frozen=True)
class _Wrapping:
    aead: AESGCM = field(repr=False)


_Loaded = PrivateKey | _Wrapping


@dataclass(frozen=True)
class RewrapReport:
    rewrapped: int
    current_master_id: str
    remaining_under_previous: int


class SoftwareEnclave:
    """The ``Enclave`` protocol with ``cryptography`` (P-256, Ed25519, AES) and ``coincurve``."""

    provider = PROVIDER

    def __init__(self, settings: Settings, database: Database, clock: Clock) -> None:
        self._settings = settings
        self._store = ItemStore(database)
        self._clock = clock
        self._keyring: Keyring | None = None
        self._sealers: dict[bytes, AesGcmSealer] = {}
        self._cache: OrderedDict[str, tuple[EnclaveItem, _Loaded]] = OrderedDict()
        # Wrapping keys are few and used inside callers' transactions: never evicted, so using
        # one needs no database round trip after its first load.
        self._pinned: dict[str, tuple[EnclaveItem, _Loaded]] = {}
        self._cache_size = settings.enclave.key_cache_size
        self._labels: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"SoftwareEnclave(cached_keys={len(self._cache)})"

    # lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        if self._keyring is None:
            self._keyring = await asyncio.to_thread(load_keyring, self._settings)

    async def close(self) -> None:
        self._cache.clear()
        self._pinned.clear()
        self._sealers.clear()

    async def health(self) -> Check:
        if self._keyring is None:
            return Check("enclave", Status.DOWN, "master keyring not loaded")
        return Check("enclave", Status.OK, f"provider software, master {self._keyring.current_id}")

    # asymmetric keys -----------------------------------------------------------------------
    async def generate_key(
        self, key_type: KeyType, *, purpose: str, exportable: bool = False
    ) -> KeyInfo:
        key = PrivateKey.generate(KeyType(key_type))
        item = await self._new_item(
            "private", key.secret, purpose, key_type, key.public_key, exportable
        )
        await self._store.insert(item)
        self._remember(item, key)
        return KeyInfo(item.id, key.key_type, key.public_key, exportable)

    async def public_key(self, key_ref: str) -> bytes:
        return (await self._private(key_ref)).public_key

    async def sign(self, key_ref: str, message: bytes, algorithm: SignAlgorithm) -> bytes:
        return (await self._private(key_ref)).sign(message, algorithm)

    async def vrf_prove(self, key_ref: str, alpha: bytes) -> bytes:
        from nsl.enclave.ecvrf import EDWARDS25519_SHA512_TAI, P256_SHA256_TAI

        key = await self._private(key_ref)
        if key.key_type is KeyType.SECP256R1:
            return P256_SHA256_TAI.prove(key.secret, alpha)
        if key.key_type is KeyType.ED25519:
            return EDWARDS25519_SHA512_TAI.prove(key.secret, alpha)
        raise EnclaveUnsupported("ECVRF needs a secp256r1 or ed25519 key")

    async def export_key(self, key_ref: str, recipient_public_key: bytes) -> bytes:
        item, key = await self._load(key_ref)
        if not isinstance(key, PrivateKey) or not item.exportable:
            raise Forbidden("this key was not created exportable", code="enclave.not_exportable")
        aad = ecies.export_aad(key.key_type)
        return ecies.encrypt(KeyType.SECP256R1, recipient_public_key, key.secret, aad)

    async def destroy_key(self, key_ref: str) -> None:
        self._cache.pop(key_ref, None)
        self._pinned.pop(key_ref, None)
        if not await self._store.destroy(key_ref, self._clock.now()):
            raise EnclaveKeyUnknown(f"no live enclave key {key_ref}")

    # symmetric -----------------------------------------------------------------------------
    async def create_wrapping_key(self, *, purpose: str) -> str:
        secret = os.urandom(32)
        item = await self._new_item("wrapping", secret, purpose, None, None, False)
        await self._store.insert(item)
        self._remember(item, _Wrapping(AESGCM(secret)))
        return item.id

    async def encrypt(self, key_ref: str, plaintext: bytes, aad: bytes) -> bytes:
        _, key = await self._load(key_ref)
        if isinstance(key, _Wrapping):
            nonce = os.urandom(NONCE)
            return WRAPPED + nonce + key.aead.encrypt(nonce, plaintext, aad)
        if key.key_type is KeyType.ED25519:
            raise EnclaveUnsupported("Ed25519 keys do not encrypt; use a secp256r1/k1 key")
        return ecies.encrypt(key.key_type, key.public_key, plaintext, aad)

    async def decrypt(self, key_ref: str, ciphertext: bytes, aad: bytes) -> bytes:
        _, key = await self._load(key_ref)
        if isinstance(key, _Wrapping):
            if not ciphertext.startswith(WRAPPED) or len(ciphertext) < 1 + NONCE + 16:
                raise ValidationFailed.on("ciphertext", "format", "not a ciphertext of this key")
            try:
                return key.aead.decrypt(ciphertext[1 : 1 + NONCE], ciphertext[1 + NONCE :], aad)
            except InvalidTag as exc:
                raise EnclaveDecryptFailed("ciphertext failed authentication") from exc
        return ecies.decrypt(key.key_type, key.public_key, ciphertext, aad, key.shared_x)

    async def generate_data_key(self, key_ref: str, aad: bytes) -> DataKey:
        plaintext = os.urandom(32)
        return DataKey(plaintext, await self.encrypt(key_ref, plaintext, aad))

    async def unwrap_data_key(self, key_ref: str, wrapped: bytes, aad: bytes) -> bytes:
        return await self.decrypt(key_ref, wrapped, aad)

    async def seal(self, context: SealContext, plaintext: bytes) -> bytes:
        key_ref = await self._labelled_wrapping_key(f"seal:{context.service}")
        return pack_sealed(key_ref, await self.encrypt(key_ref, plaintext, context.aad()))

    async def unseal(self, context: SealContext, blob: bytes) -> bytes:
        key_ref, ciphertext = unpack_sealed(blob)
        item, key = await self._load(key_ref)
        if item.label != f"seal:{context.service}" or not isinstance(key, _Wrapping):
            raise EnclaveDecryptFailed(f"not sealed for the {context.service} service")
        return await self.decrypt(key_ref, ciphertext, context.aad())

    # other ---------------------------------------------------------------------------------
    async def random_bytes(self, length: int) -> bytes:
        if not 1 <= length <= MAX_RANDOM:
            raise ValidationFailed.on("length", "range", f"between 1 and {MAX_RANDOM} bytes")
        return os.urandom(length)

    async def attest(self, user_data: bytes) -> AttestationReport:
        identity = await self._identity()
        return attestation.make_report(
            provider=PROVIDER,
            identity_public_key=identity.public_key,
            user_data=user_data,
            now=self._clock.now(),
            sign=lambda body: identity.sign(body, SignAlgorithm.ED25519),
            hardware=False,
        )

    # master key rotation -------------------------------------------------------------------
    async def rewrap_items(self, batch: int = 200) -> RewrapReport:
        """Re-seal every item still under a previous master key under the current one.

        Items are rewritten one by one with a conditional update, so processes keep serving
        (they hold both keys) and a concurrent rewrap by another process is harmless.
        """
        keyring = await self._loaded_keyring()
        done = 0
        while items := await self._store.sealed_elsewhere(PROVIDER, keyring.current_id, batch):
            for item in items:
                secret = await self._open_item(item)
                blob = self._sealer(keyring.current).seal(secret, _item_aad(item))
                if await self._store.rewrap(
                    item.id, item.master_id or "", keyring.current_id, blob
                ):
                    done += 1
        remaining = 0
        for old in keyring.previous_ids:
            remaining += await self._store.count_sealed_under(PROVIDER, old)
        return RewrapReport(done, keyring.current_id, remaining)

    def use_keyring(self, keyring: Keyring) -> None:
        """Adopt a new keyring (after ``nsl enclave rotate-master`` changed the file)."""
        self._keyring = keyring

    # internals -----------------------------------------------------------------------------
    async def _new_item(
        self,
        kind: str,
        secret: bytes,
        purpose: str,
        key_type: KeyType | None,
        public_key: bytes | None,
        exportable: bool,
        label: str | None = None,
    ) -> EnclaveItem:
        keyring = await self._loaded_keyring()
        if len(purpose) > 128:
            raise ValidationFailed.on("purpose", "max_length", "at most 128 characters")
        item = EnclaveItem(
            id=new_id(),
            provider=PROVIDER,
            kind=kind,
            key_type=key_type.value if key_type is not None else None,
            label=label,
            purpose=purpose,
            exportable=exportable,
            public_key=public_key,
            master_id=keyring.current_id,
            created_at=self._clock.now(),
            destroyed_at=None,
        )
        item.blob = self._sealer(keyring.current).seal(secret, _item_aad(item))
        return item

    async def _private(self, key_ref: str) -> PrivateKey:
        _, key = await self._load(key_ref)
        if not isinstance(key, PrivateKey):
            raise EnclaveUnsupported("this enclave key is a wrapping key, not a signing key")
        return key

    async def _load(self, key_ref: str) -> tuple[EnclaveItem, _Loaded]:
        pinned = self._pinned.get(key_ref)
        if pinned is not None:
            return pinned
        cached = self._cache.get(key_ref)
        if cached is not None:
            self._cache.move_to_end(key_ref)
            return cached
        item = await self._store.get(key_ref)
        if item is None or item.provider != PROVIDER:
            raise EnclaveKeyUnknown(f"no live enclave key {key_ref} in the software provider")
        secret = await self._open_item(item)
        loaded: _Loaded
        if item.kind == "wrapping":
            loaded = _Wrapping(AESGCM(secret))
        else:
            loaded = PrivateKey.load(KeyType(item.key_type or ""), secret)
        self._remember(item, loaded)
        return item, loaded

    async def _open_item(self, item: EnclaveItem) -> bytes:
        keyring = await self._loaded_keyring()
        master = keyring.key_for(item.master_id or "")
        if master is None and keyring.path is not None:  # rotated by another process
            keyring = await asyncio.to_thread(read_keyring_file, keyring.path)
            self._keyring = keyring
            master = keyring.key_for(item.master_id or "")
        if master is None or item.blob is None:
            raise EnclaveError(
                f"enclave item {item.id} is sealed under master key {item.master_id}, which this "
                "process does not hold (set NSL_ENCLAVE__PREVIOUS_MASTER_KEYS during a rotation)",
                code="enclave.master_key_unknown",
            )
        try:
            return self._sealer(master).open(item.blob, _item_aad(item))
        except SealError as exc:
            raise EnclaveError(
                f"enclave item {item.id} does not open: tampered or moved",
                code="enclave.item_corrupt",
            ) from exc

    def _remember(self, item: EnclaveItem, loaded: _Loaded) -> None:
        if isinstance(loaded, _Wrapping):
            self._pinned[item.id] = (item, loaded)
            return
        self._cache[item.id] = (item, loaded)
        self._cache.move_to_end(item.id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def _labelled_wrapping_key(self, label: str) -> str:
        known = self._labels.get(label)
        if known is not None:
            return known
        item = await self._store.by_label(label)
        if item is None:
            secret = os.urandom(32)
            fresh = await self._new_item("wrapping", secret, label, None, None, False, label)
            item = await self._store.insert_labelled(fresh)
        self._labels[label] = item.id
        return item.id

    async def _identity(self) -> PrivateKey:
        known = self._labels.get("identity")
        if known is None:
            item = await self._store.by_label("identity")
            if item is None:
                key = PrivateKey.generate(KeyType.ED25519)
                fresh = await self._new_item(
                    "private",
                    key.secret,
                    "attestation identity",
                    KeyType.ED25519,
                    key.public_key,
                    False,
                    "identity",
                )
                item = await self._store.insert_labelled(fresh)
            known = self._labels["identity"] = item.id
        return await self._private(known)

    async def _loaded_keyring(self) -> Keyring:
        """The keyring, loaded on first use when nobody called ``start``."""
        if self._keyring is None:
            await self.start()
        assert self._keyring is not None
        return self._keyring

    def _sealer(self, master: bytes) -> AesGcmSealer:
        sealer = self._sealers.get(master)
        if sealer is None:
            sealer = self._sealers[master] = AesGcmSealer(derive_key(master, ITEM_PURPOSE))
        return sealer


def _item_aad(item: EnclaveItem) -> bytes:
    fields = (item.id, item.kind, item.key_type or "", str(int(item.exportable)), item.label or "")
    return ("nsl-enclave-item|" + "|".join(fields)).encode()


__all__ = ["SEAL_PREFIX", "RewrapReport", "SoftwareEnclave"]

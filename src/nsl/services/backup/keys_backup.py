"""Enclave key backups: the software provider's items, opened, encrypted to the recovery key.

Restore rebuilds the recovery private key from k shares, opens the backup, and re-seals every
item under the *current* enclave master key (same ids, same public keys), so keys survive the
loss of the old master keyring.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from nsl.core.ports import Database
from nsl.core.sealing import AesGcmSealer, derive_key
from nsl.core.settings import Settings
from nsl.enclave.keyring import load_keyring
from nsl.enclave.models import EnclaveItem
from nsl.enclave.software import ITEM_PURPOSE, PROVIDER, _item_aad
from nsl.services.backup.errors import BackupIntegrity, NotSupported, TargetNotEmpty
from nsl.services.backup.manifest import Manifest
from nsl.services.backup.recovery import configured_public_key
from nsl.services.backup.store import BackupStore

FORMAT = "nsl-keys-v1"


def _live() -> Any:
    return select(EnclaveItem).where(
        EnclaveItem.provider == PROVIDER, EnclaveItem.destroyed_at.is_(None)
    )


def fingerprint(items: list[dict[str, Any]]) -> str:
    lines = sorted(f"{i['id']}|{i['public_key'] or ''}|{i['kind']}" for i in items)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


async def export_items(settings: Settings, database: Database) -> list[dict[str, Any]]:
    if settings.enclave.provider != PROVIDER:
        raise NotSupported.on(
            "NSL_ENCLAVE__PROVIDER", "software", "keys backups export the software provider only"
        )
    keyring = await asyncio.to_thread(load_keyring, settings)
    async with database.session() as session:
        items = list((await session.execute(_live())).scalars())
    out = []
    for item in items:
        master = keyring.key_for(item.master_id or "")
        if master is None or item.blob is None:
            raise BackupIntegrity(f"enclave item {item.id} is sealed under an unknown master key")
        secret = AesGcmSealer(derive_key(master, ITEM_PURPOSE)).open(item.blob, _item_aad(item))
        out.append(
            {
                "id": item.id,
                "kind": item.kind,
                "key_type": item.key_type,
                "label": item.label,
                "purpose": item.purpose,
                "exportable": item.exportable,
                "public_key": base64.b64encode(item.public_key).decode()
                if item.public_key
                else None,
                "created_at": item.created_at.isoformat(),
                "secret": base64.b64encode(secret).decode(),
            }
        )
    return out


async def backup(
    store: BackupStore, settings: Settings, database: Database, now: datetime
) -> Manifest:
    recipient = configured_public_key(settings)
    items = await export_items(settings, database)
    payload = json.dumps({"format": FORMAT, "items": items}).encode()
    details = {"items": len(items), "fingerprint": fingerprint(items), "provider": PROVIDER}
    return await asyncio.to_thread(
        store.write, "keys", [payload], covers_until=now, details=details, recipient=recipient
    )


async def changed_since_latest(store: BackupStore, settings: Settings, database: Database) -> bool:
    latest = store.latest("keys")
    if latest is None:
        return True
    items = await export_items(settings, database)
    return bool(latest.details.get("fingerprint") != fingerprint(items))


def read(store: BackupStore, backup_id: str, private: bytes, from_target: str | None) -> Any:
    document = json.loads(
        b"".join(store.open(backup_id, from_target, recovery_private_key=private))
    )
    if document.get("format") != FORMAT:
        raise BackupIntegrity(f"backup {backup_id} is not an {FORMAT} document")
    return document


async def restore(
    store: BackupStore,
    settings: Settings,
    database: Database,
    manifest: Manifest,
    private: bytes,
    *,
    force: bool,
    from_target: str | None = None,
) -> dict[str, object]:
    document = await asyncio.to_thread(read, store, manifest.id, private, from_target)
    async with database.session() as session:
        live = int(
            (
                await session.execute(
                    select(func.count(EnclaveItem.id)).where(
                        EnclaveItem.provider == PROVIDER, EnclaveItem.destroyed_at.is_(None)
                    )
                )
            ).scalar_one()
        )
    if live and not force:
        raise TargetNotEmpty(f"the enclave holds {live} live keys; use --force to overwrite them")
    keyring = await asyncio.to_thread(load_keyring, settings)
    sealer = AesGcmSealer(derive_key(keyring.current, ITEM_PURPOSE))
    labels = {e["label"] for e in document["items"] if e["label"]}
    ids = {e["id"] for e in document["items"]}
    async with database.session() as session:
        if labels:  # a fresh system's own labelled items give way to the restored ones
            await session.execute(
                delete(EnclaveItem).where(EnclaveItem.label.in_(labels), EnclaveItem.id.not_in(ids))
            )
        for entry in document["items"]:
            item = EnclaveItem(
                id=entry["id"],
                provider=PROVIDER,
                kind=entry["kind"],
                key_type=entry["key_type"],
                label=entry["label"],
                purpose=entry["purpose"],
                exportable=bool(entry["exportable"]),
                public_key=base64.b64decode(entry["public_key"]) if entry["public_key"] else None,
                master_id=keyring.current_id,
                created_at=datetime.fromisoformat(entry["created_at"]),
                destroyed_at=None,
            )
            item.blob = sealer.seal(base64.b64decode(entry["secret"]), _item_aad(item))
            await session.merge(item)
    return {
        "kind": "keys",
        "backups": [manifest.id],
        "items": len(document["items"]),
        "master_id": keyring.current_id,
        "restored_to": manifest.covers_until,
    }

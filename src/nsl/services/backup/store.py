"""BackupStore: writes encrypted backups to every target, lists, checks, opens and prunes them.

Contract (for the CLI, the service, PostgreSQL physical backups and the DR drills):

- ``BackupStore(settings, master_key=None, clock=None)``; the master key defaults to
  ``resolve_master_key(settings)``; targets come from ``settings.backup.targets`` (default one
  ``local`` target at ``<data_dir>-backups``). Each backup is ``<target>/objects/<id>.nslbak``
  plus ``<target>/manifests/<id>.json``; the catalogue is read from the targets only.
- ``write(kind, source, *, engine=None, parent=None, covers_until=None, details=None,
  recipient=None) -> Manifest``: streams ``source`` (an iterable of bytes) through zstd and
  AES-256-GCM into every target at once. ``recipient`` (32-byte X25519 public key) encrypts to
  the recovery key instead of the master key (``keys`` backups). A target that fails is named
  in ``failed_targets`` and the manifest gets ``status="failed"`` (the other copies are
  written and usable); if no target could be written ``BackupFailed`` is raised.
  ``wal`` backups set ``parent`` to their base backup's id so retention keeps them together.
- ``list(kind=None, target=None) -> list[Manifest]`` oldest first (parsed, not MAC-checked);
  ``get(id, target=None)`` MAC-checked (``backup.integrity`` / ``backup.wrong_key``);
  ``latest(kind, engine=None, target=None)``; ``chain(id)`` = the ancestors then ``id``.
- ``verify_object(id, target=None, recovery_private_key=None) -> Manifest`` reads the whole
  object once (sha256, size, every chunk, the final flag) and raises ``backup.integrity`` or
  ``backup.wrong_key``; ``open(...)`` does that first, then yields the plain bytes, so a
  restore never touches its target with a bad backup. ``keys`` backups need
  ``recovery_private_key`` to open; without it ``verify_object`` checks sha256 and framing.
- ``prune(now=None) -> list[Manifest]`` deletes and returns backups past retention
  (see ``retention.py``).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from nsl.core.clock import Clock, SystemClock
from nsl.core.masterkey import resolve_master_key
from nsl.core.settings import Settings
from nsl.core.settings_backup import BackupTarget
from nsl.services.backup import archive, keywrap, retention
from nsl.services.backup.errors import (
    BackupFailed,
    BackupIntegrity,
    BackupNotFound,
    BackupWrongKey,
)
from nsl.services.backup.manifest import KINDS, Manifest
from nsl.services.backup.targets import TargetDir, resolve_targets

READ_BLOCK = 1 << 20
ManifestList = list[Manifest]
TargetList = list[TargetDir]


class BackupStore:
    """The encrypted backup archive spread over the configured targets."""

    def __init__(
        self, settings: Settings, *, master_key: bytes | None = None, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self._clock = clock or SystemClock()
        self._wrap = keywrap.MasterWrap(master_key or resolve_master_key(settings))
        self.targets = [TargetDir(target) for target in resolve_targets(settings)]

    def __repr__(self) -> str:
        return f"BackupStore(targets={[t.name for t in self.targets]})"

    def target(self, name: str) -> TargetDir:
        for candidate in self.targets:
            if candidate.name == name:
                return candidate
        raise BackupNotFound(f"no backup target named {name!r}", code="backup.unknown_target")

    def write(
        self,
        kind: str,
        source: Iterable[bytes],
        *,
        engine: str | None = None,
        parent: str | None = None,
        covers_until: datetime | None = None,
        details: dict[str, Any] | None = None,
        recipient: bytes | None = None,
    ) -> Manifest:
        if kind not in KINDS:
            raise ValueError(f"unknown backup kind {kind!r}")
        created = self._clock.now().astimezone(UTC)
        backup_id = f"{created:%Y%m%dT%H%M%S%f}Z-{kind}-{secrets.token_hex(3)}"
        data_key = os.urandom(32)
        if recipient is None:
            wrapped, key_id = self._wrap.wrap(backup_id, data_key), self._wrap.key_id
        else:
            wrapped = keywrap.wrap_to_recovery(backup_id, recipient, data_key)
            key_id = keywrap.recovery_key_id(recipient)
        sealed = archive.Sealed(backup_id, data_key, self.settings.backup.compression_level)
        digest = hashlib.sha256()
        stored = 0
        writers = {t.name: t.begin(backup_id) for t in self.targets}
        failed: dict[str, str] = {}
        try:
            for frame in sealed.stream(source):
                digest.update(frame)
                stored += len(frame)
                for name, writer in list(writers.items()):
                    try:
                        writer.write(frame)
                    except OSError as exc:
                        failed[name] = _describe(exc)
                        writer.abort()
                        del writers[name]
        except BaseException:
            for writer in writers.values():
                writer.abort()
            raise
        manifest = Manifest(
            id=backup_id,
            kind=kind,
            engine=engine,
            created_at=created.isoformat(),
            parent=parent,
            covers_until=(covers_until or created).astimezone(UTC).isoformat(),
            plain_bytes=sealed.plain_bytes,
            stored_bytes=stored,
            sha256=digest.hexdigest(),
            key_id=key_id,
            wrapped_key=wrapped.hex(),
            status="complete",
            targets=[],
            details=details or {},
        )
        for name, writer in writers.items():
            try:
                writer.commit()
                manifest.targets.append(name)
            except OSError as exc:
                failed[name] = _describe(exc)
                writer.abort()
        manifest.failed_targets = failed
        manifest.status = "failed" if failed else "complete"
        mac_key = self._wrap.mac_key if recipient is None else keywrap.data_key_mac_key(data_key)
        manifest.sign(mac_key)
        written = []
        for name in list(manifest.targets):
            try:
                self.target(name).put_manifest(manifest)
                written.append(name)
            except OSError as exc:
                failed[name] = _describe(exc)
        if not written:
            raise BackupFailed(f"{kind} backup {backup_id}: no target could be written: {failed}")
        if len(written) != len(manifest.targets):  # a manifest write failed: re-sign, rewrite
            manifest.targets, manifest.status, manifest.failed_targets = written, "failed", failed
            manifest.sign(mac_key)
            for name in written:
                self.target(name).put_manifest(manifest)
        return manifest

    def list(self, kind: str | None = None, target: str | None = None) -> list[Manifest]:
        seen: dict[str, Manifest] = {}
        for directory in self._targets(target):
            for manifest in directory.manifests():
                seen.setdefault(manifest.id, manifest)
        items = sorted(seen.values(), key=lambda m: (m.created_at, m.id))
        return [m for m in items if kind is None or m.kind == kind]

    def get(self, backup_id: str, target: str | None = None) -> Manifest:
        """The manifest, MAC-checked when it is keyed by the master key."""
        manifest = self._find(backup_id, target)[1]
        if manifest.key_id.startswith("master:"):
            self._check_master_mac(manifest)
        return manifest

    def latest(
        self, kind: str, engine: str | None = None, target: str | None = None
    ) -> Manifest | None:
        items = [m for m in self.list(kind, target) if engine is None or m.engine == engine]
        return items[-1] if items else None

    def chain(self, backup_id: str, target: str | None = None) -> ManifestList:
        """The backup and its ancestors, root (a full/base) first."""
        out: ManifestList = []
        current: str | None = backup_id
        while current is not None:
            manifest = self.get(current, target)
            out.append(manifest)
            current = manifest.parent
            if len(out) > 100_000:
                raise BackupIntegrity(f"backup {backup_id}: parent chain loops")
        return list(reversed(out))

    def children(self, backup_id: str, target: str | None = None) -> ManifestList:
        return [m for m in self.list(target=target) if m.parent == backup_id]

    def verify_object(
        self,
        backup_id: str,
        target: str | None = None,
        *,
        recovery_private_key: bytes | None = None,
    ) -> Manifest:
        directory, manifest = self._find(backup_id, target)
        data_key = self._data_key(manifest, recovery_private_key)
        digest = hashlib.sha256()
        size = 0

        def counted() -> Iterator[bytes]:
            nonlocal size
            for block in directory.read_object(backup_id, READ_BLOCK):
                digest.update(block)
                size += len(block)
                yield block

        if data_key is None:  # keys backup without the recovery key: framing + sha256 only
            for _ in counted():
                pass
            self._check_digest(manifest, digest.hexdigest(), size)
            return manifest
        plain = sum(len(p) for p in archive.opened(backup_id, data_key, counted()))
        self._check_digest(manifest, digest.hexdigest(), size)
        if plain != manifest.plain_bytes:
            raise BackupIntegrity(f"backup {backup_id}: plain size differs from the manifest")
        return manifest

    def open(
        self,
        backup_id: str,
        target: str | None = None,
        *,
        recovery_private_key: bytes | None = None,
    ) -> Iterator[bytes]:
        """Verified plain bytes: the whole object is checked before the first byte is yielded."""
        manifest = self.verify_object(backup_id, target, recovery_private_key=recovery_private_key)
        directory, _ = self._find(backup_id, target)
        data_key = self._data_key(manifest, recovery_private_key)
        if data_key is None:
            raise BackupNotFound(
                f"backup {backup_id} is a keys backup: opening it needs the recovery key shares",
                code="backup.shares_required",
            )
        return archive.opened(backup_id, data_key, directory.read_object(backup_id, READ_BLOCK))

    def prune(self, now: datetime | None = None) -> ManifestList:
        moment = (now or self._clock.now()).astimezone(UTC)
        everything = self.list()
        doomed = set(retention.select(everything, moment, self.settings.backup))
        for directory in self.targets:
            for backup_id in doomed:
                directory.delete(backup_id)
            directory.sweep_temporary()
        return [m for m in everything if m.id in doomed]

    def _targets(self, name: str | None) -> TargetList:
        return [self.target(name)] if name is not None else self.targets

    def _find(self, backup_id: str, target: str | None) -> tuple[TargetDir, Manifest]:
        for directory in self._targets(target):
            manifest = directory.manifest(backup_id)
            if manifest is not None and directory.has_object(backup_id):
                return directory, manifest
        where = f" in target {target!r}" if target else ""
        raise BackupNotFound(f"no backup {backup_id!r}{where}")

    def _data_key(self, manifest: Manifest, recovery_private_key: bytes | None) -> bytes | None:
        wrapped = bytes.fromhex(manifest.wrapped_key)
        if manifest.key_id.startswith("recovery:"):
            if recovery_private_key is None:
                return None
            data_key = keywrap.unwrap_with_recovery(
                manifest.id, manifest.key_id, wrapped, recovery_private_key
            )
            if not manifest.mac_ok(keywrap.data_key_mac_key(data_key)):
                raise BackupIntegrity(f"backup {manifest.id}: manifest MAC does not match")
            return data_key
        self._check_master_mac(manifest)
        return self._wrap.unwrap(manifest.id, manifest.key_id, wrapped)

    def _check_master_mac(self, manifest: Manifest) -> None:
        if manifest.key_id != self._wrap.key_id:
            raise BackupWrongKey(f"backup {manifest.id} was made under another master key")
        if not manifest.mac_ok(self._wrap.mac_key):
            raise BackupIntegrity(f"backup {manifest.id}: manifest MAC does not match")

    @staticmethod
    def _check_digest(manifest: Manifest, digest: str, size: int) -> None:
        if size != manifest.stored_bytes or digest != manifest.sha256:
            raise BackupIntegrity(f"backup {manifest.id}: object sha256 differs from manifest")


def _describe(exc: OSError) -> str:
    return f"{type(exc).__name__}: {exc.strerror or exc}"


__all__ = ["BackupStore", "BackupTarget", "Manifest"]

"""Use cases on a secret's data: write a version (check-and-set), read one, and soft delete,
undelete or destroy versions. Each runs in one transaction and ends with an audit entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from nsl.core.audit import data_digest
from nsl.core.ids import new_id
from nsl.core.security import Principal
from nsl.services.secrets import envelope, rules
from nsl.services.secrets.base import SecretsBase
from nsl.services.secrets.errors import (
    CasMismatch,
    CasRequired,
    ConcurrentChange,
    QuotaExceeded,
    VersionDeleted,
    VersionDestroyed,
    VersionNotFound,
    not_found,
)
from nsl.services.secrets.models import SecretRecord, SecretVersionRecord
from nsl.services.secrets.policy import Capability
from nsl.services.secrets.repository import SecretsRepository
from nsl.services.secrets.views import data_view, written_view


class DataUseCases(SecretsBase):
    async def write(
        self, path: str, data: Any, *, principal: Principal, cas: int | None = None
    ) -> dict[str, Any]:
        """Store a new version of ``path`` (creating the secret, owned by the caller)."""
        async with self.operation("write"), self.audited(principal, "write", path) as note:
            rules.check_path(path)
            plaintext = rules.encode_data(data, self.settings.max_value_bytes)
            version, created_at, ciphertext = await self.retrying(
                lambda: self._write_once(path, plaintext, principal, cas)
            )
            # The ciphertext's hash, not the value's: a short secret's hash could be guessed.
            note.data_hash = data_digest(ciphertext)
            note.at(path, version)
            return written_view(path, version, created_at)

    async def _write_once(
        self, path: str, plaintext: bytes, principal: Principal, cas: int | None
    ) -> tuple[int, datetime, bytes]:
        # The enclave is never called inside a transaction (on SQLite it could wait for the write
        # lock the transaction holds): seal for the version the secret should get, then check
        # that under the lock; a writer in between means another round (``retrying``).
        secret_id, version = await self._next_slot(path)
        sealed = await envelope.seal(self.ctx.enclave, self.key_ref, secret_id, version, plaintext)
        async with self.ctx.database.session() as session:
            repo = SecretsRepository(session)
            secret = await self._writable(repo, path, principal, cas, secret_id)
            if (secret.id, secret.current_version + 1) != (secret_id, version):
                raise ConcurrentChange("another version was written meanwhile; retry")
            now = self.ctx.clock.now()
            repo.add(
                SecretVersionRecord(
                    id=new_id(),
                    secret_id=secret.id,
                    version=version,
                    ciphertext=sealed.ciphertext,
                    wrapped_key=sealed.wrapped_key,
                    wrapping_key_ref=sealed.wrapping_key_ref,
                    created_at=now,
                    created_by=principal.id,
                    deleted_at=None,
                    destroyed=False,
                )
            )
            secret.current_version = version
            secret.updated_at, secret.updated_by = now, principal.id
            secret.rotation_due_at = self.rotation_due(secret, now)
            await repo.flush()
            await repo.prune(secret.id, self.max_versions(secret), version)
            return version, now, sealed.ciphertext

    async def _next_slot(self, path: str) -> tuple[str, int]:
        """The id and next version number the secret at ``path`` has now (a new id if none)."""
        async with self.ctx.database.session() as session:
            secret = await SecretsRepository(session).secret(path)
        return (secret.id, secret.current_version + 1) if secret else (new_id(), 1)

    async def _writable(
        self,
        repo: SecretsRepository,
        path: str,
        principal: Principal,
        cas: int | None,
        new_secret_id: str,
    ) -> SecretRecord:
        """The secret to add a version to, after the access and check-and-set rules."""
        secret = await repo.secret(path, lock=True)
        if secret is None:
            return await self.create(repo, path, principal, cas, new_secret_id)
        await self.authorize(repo, principal, secret, path, Capability.WRITE)
        if secret.cas_required and cas is None:
            raise CasRequired(f"the secret at {path!r} requires cas on every write")
        if cas is not None and cas != secret.current_version:
            raise CasMismatch(
                f"cas {cas} does not match the current version {secret.current_version}"
            )
        return secret

    async def create(
        self,
        repo: SecretsRepository,
        path: str,
        principal: Principal,
        cas: int | None,
        secret_id: str | None = None,
    ) -> SecretRecord:
        """A new secret row (no version yet), owned by the caller."""
        if not self.may_create(path, await self.rules_for(repo, principal)):
            raise not_found(path)
        if cas is not None and cas != 0:
            raise CasMismatch(f"cas {cas} given, but there is no secret at {path!r} yet")
        if await repo.count_owned(principal.id) >= self.settings.max_secrets:
            raise QuotaExceeded(f"you already hold {self.settings.max_secrets} secrets")
        now = self.ctx.clock.now()
        secret = SecretRecord(
            id=secret_id or new_id(),
            path=path,
            owner_id=principal.id,
            current_version=0,
            max_versions=None,
            cas_required=False,
            rotation_period_days=None,
            rotation_due_at=None,
            rotation_announced_version=0,
            custom_metadata={},
            created_at=now,
            updated_at=now,
            updated_by=principal.id,
        )
        repo.add(secret)
        await repo.flush()
        return secret

    async def read(
        self, path: str, *, principal: Principal, version: int | str | None = None
    ) -> dict[str, Any]:
        """One version's data (the current one by default)."""
        async with self.operation("read"), self.audited(principal, "read", path) as note:
            rules.check_path(path)
            wanted = None if version is None else rules.check_version(version)
            note.at(path, wanted)
            async with self.ctx.database.session() as session:
                repo = SecretsRepository(session)
                secret = await self.access(repo, principal, path, Capability.READ)
                number = wanted or secret.current_version
                note.at(path, number)
                row = await self._readable(repo, secret, number)
            plaintext = await envelope.open_value(
                self.ctx.enclave,
                row.wrapping_key_ref,
                secret.id,
                row.version,
                row.ciphertext or b"",
                row.wrapped_key or b"",
            )
            note.data_hash = data_digest(row.ciphertext or b"")
            return data_view(secret, row, orjson.loads(plaintext))

    async def _readable(
        self, repo: SecretsRepository, secret: SecretRecord, number: int
    ) -> SecretVersionRecord:
        row = await repo.version(secret.id, number) if number else None
        if row is None:
            raise VersionNotFound(f"the secret at {secret.path!r} has no version {number}")
        if row.destroyed:
            raise VersionDestroyed(f"version {number} of {secret.path!r} was destroyed")
        if row.deleted_at is not None:
            raise VersionDeleted(f"version {number} of {secret.path!r} is deleted (undelete it)")
        return row

    async def delete(
        self, path: str, *, principal: Principal, versions: str | list[int] | None = None
    ) -> list[int]:
        """Soft-delete versions (the current one by default, or a list, or "1,2" from a query
        string); returns the ones changed."""
        listed = versions.split(",") if isinstance(versions, str) else versions
        return await self._mark(path, principal, listed, Capability.DELETE)

    async def undelete(self, path: str, versions: Any, *, principal: Principal) -> list[int]:
        return await self._mark(path, principal, versions, Capability.UNDELETE)

    async def destroy(self, path: str, versions: Any, *, principal: Principal) -> list[int]:
        """Erase versions' ciphertext and wrapped data key for good."""
        return await self._mark(path, principal, versions, Capability.DESTROY)

    async def _mark(
        self, path: str, principal: Principal, versions: Any, action: Capability
    ) -> list[int]:
        async with (
            self.operation(action.value),
            self.audited(principal, action.value, path) as note,
        ):
            rules.check_path(path)
            latest = versions is None and action is Capability.DELETE  # only delete defaults
            numbers = None if latest else rules.check_versions(versions)
            async with self.ctx.database.session() as session:
                repo = SecretsRepository(session)
                secret = await self.access(repo, principal, path, action, lock=True)
                numbers = numbers or [secret.current_version]
                if numbers == [0]:
                    raise VersionNotFound(f"the secret at {path!r} has no version yet")
                if len(numbers) == 1:
                    note.at(path, numbers[0])
                changed = await self._apply(repo, secret.id, numbers, action)
                if changed:
                    secret.updated_at, secret.updated_by = self.ctx.clock.now(), principal.id
            note.details = {"versions": numbers, "changed": changed}
            return changed

    async def _apply(
        self, repo: SecretsRepository, secret_id: str, numbers: list[int], action: Capability
    ) -> list[int]:
        if action is Capability.DESTROY:
            return await repo.destroy(secret_id, numbers)
        deleted_at = self.ctx.clock.now() if action is Capability.DELETE else None
        return await repo.set_deleted(secret_id, numbers, deleted_at)

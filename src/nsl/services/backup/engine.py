"""BackupEngine: every backup, restore and verify, dispatched on kind, engine and method.

Used by ``nsl backup ...``/``nsl restore`` and by the ``backup`` service. PostgreSQL methods
plug in through the ``*_METHODS`` tables below (``logical`` here; ``physical`` = base backups,
WAL and PITR in ``basebackup.py``/``wal.py``/``pitr.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from nsl.core.clock import Clock, SystemClock
from nsl.core.metrics import Metrics
from nsl.core.ports import Database
from nsl.core.settings import Settings
from nsl.db.engine import Database as SqlDatabase
from nsl.db.engine import database_url
from nsl.services.backup import (
    config_backup,
    keys_backup,
    pg_logical,
    pitr,
    recovery,
    selection,
    sqlite_backup,
    verify,
    wal,
)
from nsl.services.backup.errors import InvalidInput, NotSupported
from nsl.services.backup.manifest import Manifest
from nsl.services.backup.source import DatabaseSource, database_source, parse_database
from nsl.services.backup.store import BackupStore

Manifests = list[Manifest]
Paths = list[Path]
Action = Callable[["BackupEngine"], Awaitable[Manifest]]


@dataclass(frozen=True)
class RestoreRequest:
    """What ``nsl restore`` asked for (``target``: a URL, a file or a data directory)."""

    backup: str
    to_time: datetime | None
    target: str | None
    from_target: str | None
    force: bool


RestoreAction = Callable[["BackupEngine", RestoreRequest], Awaitable[dict[str, Any]]]


async def _pg_logical_full(engine: BackupEngine) -> Manifest:
    assert engine.source.pg is not None
    return await pg_logical.backup(engine.store, engine.source.pg, engine.clock.now())


async def _pg_logical_incremental(engine: BackupEngine) -> Manifest:
    raise NotSupported.on(
        "NSL_BACKUP__POSTGRES_METHOD",
        "physical",
        "incremental PostgreSQL backups need the physical method (WAL archiving); "
        "logical backups are full dumps only",
    )


async def _pg_logical_restore(engine: BackupEngine, request: RestoreRequest) -> dict[str, Any]:
    destination = parse_database(request.target) if request.target else engine.source
    if destination.pg is None:
        raise InvalidInput.on("target", "postgresql", "a logical restore needs a postgresql:// URL")
    chain = await asyncio.to_thread(
        selection.choose,
        engine.store,
        request.backup,
        engine="postgresql",
        to_time=request.to_time,
        from_target=request.from_target,
    )
    return await pg_logical.restore(
        engine.store,
        chain[-1],
        destination.pg,
        force=request.force,
        from_target=request.from_target,
    )


async def _pg_physical_full(engine: BackupEngine) -> Manifest:
    return await asyncio.to_thread(wal.base_then_ship, engine.settings, engine.store)


async def _pg_physical_incremental(engine: BackupEngine) -> Manifest:
    return await asyncio.to_thread(wal.incremental, engine.settings, engine.store)


async def _pg_physical_restore(engine: BackupEngine, request: RestoreRequest) -> dict[str, Any]:
    if not request.target or "://" in request.target:
        raise InvalidInput.on("target", "data_dir", "a physical restore needs --target DATADIR")
    return await asyncio.to_thread(
        pitr.restore_physical,
        engine.settings,
        engine.store,
        request.backup,
        target=Path(request.target),
        to_time=request.to_time,
        from_target=request.from_target,
        force=request.force,
    )


# PostgreSQL: method (NSL_BACKUP__POSTGRES_METHOD, or the named backup's) -> action.
PG_FULL_METHODS: dict[str, Action] = {"logical": _pg_logical_full, "physical": _pg_physical_full}
PG_INCREMENTAL_METHODS: dict[str, Action] = {
    "logical": _pg_logical_incremental,
    "physical": _pg_physical_incremental,
}
PG_RESTORE_METHODS: dict[str, RestoreAction] = {
    "logical": _pg_logical_restore,
    "physical": _pg_physical_restore,
}
# Backup kind -> PostgreSQL method that restores it.
PG_KIND_METHODS = {"database-full": "logical", "database-base": "physical", "wal": "physical"}


class BackupEngine:
    def __init__(
        self,
        settings: Settings,
        *,
        database: Database | None = None,
        clock: Clock | None = None,
        master_key: bytes | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.store = BackupStore(settings, master_key=master_key, clock=self.clock)
        self.source: DatabaseSource = database_source(settings)
        self._database = database
        self._owned: SqlDatabase | None = None

    def __repr__(self) -> str:
        return f"BackupEngine(engine={self.source.engine}, store={self.store!r})"

    @property
    def database(self) -> Database:
        if self._database is None:
            url = database_url(self.settings.database, Path(self.settings.data_dir))
            self._owned = SqlDatabase(url, self.settings.database, Metrics("backup", "cli"))
            self._database = self._owned
        return self._database

    async def close(self) -> None:
        if self._owned is not None:
            await self._owned.dispose()
            self._owned = self._database = None

    # backups -------------------------------------------------------------------------------
    async def full(self) -> Manifest:
        if self.source.engine == "sqlite":
            return await self._sqlite(incremental=False)
        return await self._pg_method(PG_FULL_METHODS)(self)

    async def incremental(self) -> Manifest:
        if self.source.engine == "sqlite":
            return await self._sqlite(incremental=True)
        return await self._pg_method(PG_INCREMENTAL_METHODS)(self)

    async def keys(self) -> Manifest:
        return await keys_backup.backup(self.store, self.settings, self.database, self.clock.now())

    async def keys_changed(self) -> bool:
        return await keys_backup.changed_since_latest(self.store, self.settings, self.database)

    async def config_changed(self) -> bool:
        return await config_backup.changed_since_latest(self.store, self.settings, self.database)

    async def config(self) -> Manifest:
        return await config_backup.backup(
            self.store, self.settings, self.database, self.clock.now()
        )

    def manifests(self, kind: str | None = None, target: str | None = None) -> Manifests:
        return self.store.list(kind, target)

    async def prune(self) -> Manifests:
        return await asyncio.to_thread(self.store.prune, self.clock.now())

    # verify and restore ----------------------------------------------------------------------
    async def verify(
        self,
        backup_id: str,
        *,
        shares: Paths | None = None,
        from_target: str | None = None,
        covered: bool = False,
    ) -> dict[str, Any]:
        private = recovery.combine(shares) if shares else None
        return await verify.verify(
            self, backup_id, private=private, from_target=from_target, covered=covered
        )

    async def restore(
        self,
        backup: str,
        *,
        to_time: datetime | None = None,
        target: str | None = None,
        from_target: str | None = None,
        shares: Paths | None = None,
        force: bool = False,
        kind: str | None = None,
    ) -> dict[str, Any]:
        if shares and kind is None and backup == "latest":
            kind = "keys"
        named = None if backup == "latest" else self.store.get(backup, from_target)
        if kind in ("keys", "config") or (named is not None and named.kind in ("keys", "config")):
            return await self._restore_single(backup, kind, shares, force, from_target)
        request = RestoreRequest(backup, to_time, target, from_target, force)
        engine = named.engine if named is not None else self._target_engine(target)
        if engine == "postgresql":
            method: str = self.settings.backup.postgres_method
            if named is not None:
                method = PG_KIND_METHODS.get(named.kind, method)
            action = PG_RESTORE_METHODS.get(method)
            if action is None:
                raise NotSupported.on(
                    "NSL_BACKUP__POSTGRES_METHOD", "available", f"no {method} restore here"
                )
            return await action(self, request)
        destination = parse_database(target) if target else self.source
        if destination.sqlite_path is None:
            raise InvalidInput.on("target", "sqlite", "a SQLite backup restores into a file")
        chain = await asyncio.to_thread(
            selection.choose,
            self.store,
            backup,
            engine="sqlite",
            to_time=to_time,
            from_target=from_target,
        )
        return await asyncio.to_thread(
            sqlite_backup.restore,
            self.store,
            chain,
            destination.sqlite_path,
            force=force,
            from_target=from_target,
        )

    def _target_engine(self, target: str | None) -> str:
        if target is not None and "://" in target:
            return parse_database(target).engine
        return self.source.engine

    async def _restore_single(
        self,
        backup: str,
        kind: str | None,
        shares: Paths | None,
        force: bool,
        from_target: str | None,
    ) -> dict[str, Any]:
        chosen = selection.choose(
            self.store, backup, engine="", to_time=None, from_target=from_target, kind=kind
        )[0]
        if chosen.kind == "keys":
            if not shares:
                raise InvalidInput.on("share", "required", "a keys restore needs k --share files")
            private = recovery.combine(shares)
            return await keys_backup.restore(
                self.store,
                self.settings,
                self.database,
                chosen,
                private,
                force=force,
                from_target=from_target,
            )
        return await config_backup.restore(
            self.store, self.database, chosen, force=force, from_target=from_target
        )

    async def _sqlite(self, *, incremental: bool) -> Manifest:
        assert self.source.sqlite_path is not None
        return await asyncio.to_thread(
            sqlite_backup.backup,
            self.store,
            self.source.sqlite_path,
            incremental=incremental,
            now=self.clock.now(),
        )

    def _pg_method(self, table: dict[str, Action]) -> Action:
        method = self.settings.backup.postgres_method
        action = table.get(method)
        if action is None:
            raise NotSupported.on(
                "NSL_BACKUP__POSTGRES_METHOD", "available", f"method {method!r} is not available"
            )
        return action

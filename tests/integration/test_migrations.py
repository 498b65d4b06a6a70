"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from nsl.db.base import Base
from nsl.db.migrate import MODEL_MODULES, current_revision, head_revision, upgrade


async def test_models_match_migrations(database: Any) -> None:
    for module in MODEL_MODULES:
        importlib.import_module(module)

    def diff(sync_conn: Any) -> list[Any]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with database.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []


async def test_upgrade_is_idempotent_and_reaches_head(database: Any) -> None:
    await upgrade(database.url)
    assert await current_revision(database.url) == head_revision()

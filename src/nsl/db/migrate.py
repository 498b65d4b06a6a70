"""Alembic migrations, run programmatically: at host start and by ``nsl db upgrade``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# Modules whose tables Alembic compares against the migrations (autogenerate, drift test).
MODEL_MODULES = (
    "nsl.adapters.models",
    "nsl.enclave.models",
    "nsl.services.auth.models",
    "nsl.services.configuration.models",
    "nsl.services.keys.models",
    "nsl.services.secrets.models",
    "nsl.services.randomness.models",
    "nsl.services.events.models",
    "nsl.services.contracts.models",
    "nsl.services.automation.models",
    "nsl.services.notifications.models",
    "nsl.services.oracle.models",
    "nsl.services.storage.models",
    "nsl.runtime.rollout.models",
)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at ``url`` to ``revision`` (idempotent)."""
    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def current_revision(url: str) -> str | None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync_conn: MigrationContext.configure(sync_conn).get_current_revision()
            )
    finally:
        await engine.dispose()

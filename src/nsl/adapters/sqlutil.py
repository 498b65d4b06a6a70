"""SQL the adapters need on both SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def insert_if_absent(
    session: AsyncSession, dialect: str, model: type[DeclarativeBase], **values: Any
) -> bool:
    """``INSERT ... ON CONFLICT DO NOTHING``; whether the row was inserted.

    On PostgreSQL a conflicting row still being written by another transaction makes this
    wait for that transaction's outcome, so exactly one of concurrent callers inserts.
    """
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(model).values(**values).on_conflict_do_nothing()
    connection = await session.connection()
    result = await connection.execute(statement)
    return result.rowcount == 1


async def upsert(
    session: AsyncSession,
    dialect: str,
    model: type[DeclarativeBase],
    keys: dict[str, Any],
    values: dict[str, Any],
) -> None:
    """``INSERT ... ON CONFLICT (keys) DO UPDATE SET values`` on SQLite and PostgreSQL."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(model).values(**keys, **values)
    statement = statement.on_conflict_do_update(index_elements=list(keys), set_=values)
    connection = await session.connection()
    await connection.execute(statement)

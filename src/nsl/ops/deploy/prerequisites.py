"""What must hold before ``nsl deploy`` starts anything: shared backends reachable, schema at
head, credentials acceptable. Separate processes share state only through PostgreSQL, Redis and
RabbitMQ, so the embedded substitutes are refused here (use ``nsl up`` for one process)."""

from __future__ import annotations

import aio_pika
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from nsl.adapters.redis_client import connect_redis
from nsl.core.production import production_problems
from nsl.core.settings import Settings
from nsl.db.engine import Database, database_url
from nsl.db.migrate import current_revision, head_revision
from nsl.ops.report import Result, failed, passed

TIMEOUT_S = 5.0


async def check_prerequisites(settings: Settings) -> list[Result]:
    return [
        await _database(settings),
        await _migrations(settings),
        await _redis(settings),
        await _rabbitmq(settings),
        _credentials(settings),
    ]


async def _database(settings: Settings) -> Result:
    if settings.database.url is None:
        return failed(
            "database",
            "separate processes need PostgreSQL: set NSL_DATABASE__URL (SQLite is for nsl up)",
        )
    database = Database(database_url(settings.database, settings.data_dir), settings.database)
    try:
        check = await database.health()
    finally:
        await database.engine.dispose()
    if check.status.value != "ok":
        return failed("database", f"PostgreSQL is unreachable ({check.detail})")
    return passed("database", f"PostgreSQL answered in {check.detail}")


async def _migrations(settings: Settings) -> Result:
    if settings.database.url is None:
        return failed("migrations", "not checked: no PostgreSQL configured")
    head = head_revision()
    try:
        current = await current_revision(database_url(settings.database, settings.data_dir))
    except (OSError, SQLAlchemyError) as exc:
        return failed("migrations", f"could not read the schema revision: {type(exc).__name__}")
    if current != head:
        return failed("migrations", f"schema at {current}, code expects {head}: run nsl db upgrade")
    return passed("migrations", f"schema at {head}")


async def _redis(settings: Settings) -> Result:
    if settings.redis.url is None:
        return failed("redis", "separate processes share caches and limits: set NSL_REDIS__URL")
    client = connect_redis(settings.redis.url.get_secret_value(), timeout_s=TIMEOUT_S)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        return failed("redis", f"Redis is unreachable ({type(exc).__name__})")
    finally:
        await client.aclose()
    return passed("redis", "Redis answered PING")


async def _rabbitmq(settings: Settings) -> Result:
    if settings.rabbitmq.url is None:
        return failed("rabbitmq", "separate processes share events: set NSL_RABBITMQ__URL")
    try:
        connection = await aio_pika.connect(
            settings.rabbitmq.url.get_secret_value(), timeout=TIMEOUT_S
        )
    except (aio_pika.exceptions.AMQPError, OSError, TimeoutError) as exc:
        return failed("rabbitmq", f"RabbitMQ is unreachable ({type(exc).__name__})")
    await connection.close()
    return passed("rabbitmq", "RabbitMQ accepted a connection")


def _credentials(settings: Settings) -> Result:
    problems = production_problems(settings)
    if problems:
        return failed("credentials", "; ".join(problems))
    if settings.env == "production":
        return passed("credentials", "production settings accepted")
    return passed("credentials", f"env={settings.env}: production checks do not apply")

"""Tracing for one runtime: its provider and exporter, and statement spans on its database."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from nsl import __version__
from nsl.core.settings import Settings
from nsl.db.engine import Database

if TYPE_CHECKING:
    from nsl.adapters.tracing_export import Tracing

log = logging.getLogger(__name__)


def start_tracing(
    settings: Settings, only: list[str] | None, instance_id: str, database: Database
) -> Tracing | None:
    """``None`` when tracing is off: then no middleware, listener or provider exists at all."""
    if not settings.tracing.enabled:
        return None
    from nsl.adapters.tracing_db import trace_statements
    from nsl.adapters.tracing_export import Tracing, service_name

    name = service_name(settings.tracing, only)
    tracing = Tracing(
        settings.tracing, name, version=__version__, env=settings.env, instance_id=instance_id
    )
    database.on_engine(partial(trace_statements, tracer=tracing.tracer, system=database.dialect))
    where = urlsplit(settings.tracing.otlp_endpoint)  # no user or password in the log
    log.info("tracing on: %s exporting to %s:%s", name, where.hostname, where.port or "")
    return tracing


async def stop_tracing(tracing: Tracing | None) -> None:
    """Flush queued spans and stop the exporter, off the event loop (it blocks)."""
    if tracing is not None:
        await asyncio.to_thread(tracing.shutdown)

"""A client span per SQL statement, through SQLAlchemy engine events, inside traced requests only.

A span records the database system, the statement's operation (``SELECT``, ``INSERT``...) and
its main table when that is one of our tables: never the statement text or a bound parameter.
"""

from __future__ import annotations

import re
from typing import Any

from opentelemetry.trace import SpanKind
from sqlalchemy import Engine, event

from nsl.adapters.tracing import OtelTracer, mark_failed
from nsl.core.tracing import CURRENT
from nsl.db.base import Base

_SPAN = "_nsl_span"
_OPERATION = re.compile(r"\s*([A-Za-z]+)")
_TABLE = {
    "SELECT": re.compile(r'\bFROM\s+"?(\w+)', re.IGNORECASE),
    "DELETE": re.compile(r'\bFROM\s+"?(\w+)', re.IGNORECASE),
    "INSERT": re.compile(r'\bINTO\s+"?(\w+)', re.IGNORECASE),
    "UPDATE": re.compile(r'^\s*UPDATE\s+"?(\w+)', re.IGNORECASE),
}


def summary(statement: str) -> tuple[str, str | None]:
    """``(operation, table)`` of a statement; the table only when our metadata declares it, so
    nothing that came from data can be reported as a name."""
    found = _OPERATION.match(statement)
    operation = found.group(1).upper() if found else "SQL"
    pattern = _TABLE.get(operation)
    table = pattern.search(statement) if pattern else None
    name = table.group(1) if table else None
    return operation, name if name in Base.metadata.tables else None


def trace_statements(engine: Engine, tracer: OtelTracer, system: str) -> None:
    """Listen on ``engine`` (an async engine's ``sync_engine`` or a blocking one)."""

    def before(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        if context is None or CURRENT.get() is None:
            return
        operation, table = summary(statement)
        name = f"{operation} {table}" if table else operation
        attributes: dict[str, str | int] = {
            "db.system.name": system,
            "db.operation.name": operation,
            "db.query.summary": name,
        }
        if table:
            attributes["db.collection.name"] = table
        if many:
            attributes["db.operation.batch.size"] = len(params)
        span = tracer.otel.start_span(name, kind=SpanKind.CLIENT, attributes=attributes)
        setattr(context, _SPAN, span)

    def after(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        span = getattr(context, _SPAN, None)
        if span is not None:
            setattr(context, _SPAN, None)
            span.end()

    def failed(exception_context: Any) -> None:
        context = exception_context.execution_context
        span = getattr(context, _SPAN, None)
        if span is not None:
            setattr(context, _SPAN, None)
            # the driver's message quotes the statement and its parameters: the type only
            mark_failed(span, type(exception_context.original_exception).__qualname__)
            span.end()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    event.listen(engine, "handle_error", failed)

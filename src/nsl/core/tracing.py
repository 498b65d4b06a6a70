"""Tracing hooks for every layer: a small ``Tracer`` protocol and the tracer of the current trace.

The adapters' OpenTelemetry tracer sets :data:`CURRENT` while a sampled request is traced, so a
hook costs one context-variable read when tracing is off or the request was not sampled.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from contextvars import ContextVar
from typing import Literal, Protocol

AttributeValue = str | bool | int | float
Attributes = Mapping[str, AttributeValue]
SpanKind = Literal["internal", "client", "server"]


class Tracer(Protocol):
    """Opens a child span of the current one; an exception leaving it marks the span failed
    with its type or error code only (never its message)."""

    def span(
        self, name: str, attributes: Attributes | None = None, kind: SpanKind = "internal"
    ) -> AbstractContextManager[object]: ...


CURRENT: ContextVar[Tracer | None] = ContextVar("nsl_tracer", default=None)


def active_tracer() -> Tracer | None:
    """The tracer recording the trace this code runs in, or ``None`` (no span to make)."""
    return CURRENT.get()

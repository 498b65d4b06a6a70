"""OpenTelemetry behind :class:`nsl.core.tracing.Tracer`: child spans, the server span of a request
and W3C trace-context headers. The API only; the SDK and exporter are in ``tracing_export``.

Spans carry names, route templates, codes and sizes, never a message, a value or a parameter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import SpanKind as OtelKind
from opentelemetry.trace import Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from nsl.core.errors import NslError
from nsl.core.tracing import CURRENT, Attributes, SpanKind

PROPAGATOR = TraceContextTextMapPropagator()
TRACE_HEADERS = frozenset(PROPAGATOR.fields)  # traceparent, tracestate
_KINDS = {"internal": OtelKind.INTERNAL, "client": OtelKind.CLIENT, "server": OtelKind.SERVER}


def error_type(exc: BaseException) -> str:
    """What a failed span records of an exception: our error code, else the class name."""
    return exc.code if isinstance(exc, NslError) else type(exc).__qualname__


def mark_failed(span: trace.Span, error: str) -> None:
    span.set_attribute("error.type", error)
    span.set_status(Status(StatusCode.ERROR))


def inject_headers(headers: dict[str, str]) -> None:
    """Add ``traceparent`` (and ``tracestate``) for the current span to outgoing ``headers``;
    nothing when no span is current (tracing off)."""
    PROPAGATOR.inject(headers)


class OtelTracer:
    """The core ``Tracer`` over one OpenTelemetry tracer (from this runtime's own provider)."""

    def __init__(self, tracer: trace.Tracer) -> None:
        self.otel = tracer

    @contextmanager
    def span(
        self, name: str, attributes: Attributes | None = None, kind: SpanKind = "internal"
    ) -> Iterator[trace.Span]:
        with self.otel.start_as_current_span(
            name,
            kind=_KINDS[kind],
            attributes=attributes,
            record_exception=False,  # an exception's text may quote data: keep only its type
            set_status_on_exception=False,
        ) as span:
            try:
                yield span
            except Exception as exc:
                mark_failed(span, error_type(exc))
                raise

    @contextmanager
    def server_span(self, method: str, carrier: Mapping[str, str]) -> Iterator[ServerSpan]:
        """The span of one incoming request, continuing the caller's trace when ``carrier``
        holds a valid ``traceparent``. While it is sampled, hooks below see this tracer."""
        parent = PROPAGATOR.extract(carrier) if carrier else None
        with self.otel.start_as_current_span(
            method,
            context=parent,
            kind=OtelKind.SERVER,
            attributes={"http.request.method": method},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            token = CURRENT.set(self) if span.is_recording() else None
            try:
                yield ServerSpan(span, method)
            except Exception as exc:
                mark_failed(span, error_type(exc))
                raise
            finally:
                if token is not None:
                    CURRENT.reset(token)


class ServerSpan:
    """A request's span, named ``METHOD route-template`` once the route is known."""

    __slots__ = ("_method", "_span")

    def __init__(self, span: trace.Span, method: str) -> None:
        self._span = span
        self._method = method

    def finish(self, route: str | None, status: int, request_id: str | None) -> None:
        span = self._span
        if not span.is_recording():
            return
        if route is not None:
            span.update_name(f"{self._method} {route}")
            span.set_attribute("http.route", route)
        if status:
            span.set_attribute("http.response.status_code", status)
        if request_id is not None:
            span.set_attribute("nsl.request_id", request_id)
        if status >= 500 or not status:  # 4xx is the caller's error, not the server's
            mark_failed(span, str(status) if status else "no_response")

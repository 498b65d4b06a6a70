"""One OpenTelemetry tracer provider per runtime, exporting batches over OTLP/HTTP (protobuf).

Imported only when tracing is enabled (the SDK and exporter cost import time); nothing here
touches OpenTelemetry's global provider.
"""

from __future__ import annotations

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from nsl.adapters.tracing import OtelTracer
from nsl.core.settings import TracingSettings

TRACES_PATH = "/v1/traces"
# the gateway's companions: a process running only these is the gateway
GATEWAY_PARTS = frozenset({"auth"})


def service_name(settings: TracingSettings, only: list[str] | None) -> str:
    """The configured name, else ``nsl-gateway`` for a process serving the gateway (every
    service, or auth alone) and ``nsl-<service>[-<service>...]`` for a service process."""
    if settings.service_name:
        return settings.service_name
    named = sorted(set(only or ()) - GATEWAY_PARTS)
    return "nsl-" + "-".join(named) if named else "nsl-gateway"


def traces_url(endpoint: str) -> str:
    """The OTLP/HTTP traces URL for a collector base URL (or the full URL when given)."""
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(TRACES_PATH) else endpoint + TRACES_PATH


class Tracing:
    """This process's provider: a sampler, a batch processor and the OTLP exporter."""

    def __init__(
        self, settings: TracingSettings, name: str, *, version: str, env: str, instance_id: str
    ) -> None:
        self.service_name = name
        resource = Resource.create(
            {
                "service.name": name,
                "service.version": version,
                "service.instance.id": instance_id,
                "deployment.environment.name": env,
            }
        )
        self._provider = TracerProvider(
            sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)),
            resource=resource,
            shutdown_on_exit=False,  # the runtime shuts it down (and flushes) when it stops
        )
        exporter = OTLPSpanExporter(
            endpoint=traces_url(settings.otlp_endpoint),
            headers={k: v.get_secret_value() for k, v in settings.headers.items()},
            timeout=settings.export_timeout_s,
        )
        self._provider.add_span_processor(
            BatchSpanProcessor(
                exporter,
                max_queue_size=settings.max_queue_size,
                schedule_delay_millis=settings.schedule_delay_s * 1000,
                max_export_batch_size=settings.max_export_batch_size,
                export_timeout_millis=settings.export_timeout_s * 1000,
            )
        )
        self.tracer = OtelTracer(self._provider.get_tracer("nsl", version))

    def shutdown(self) -> None:
        """Export what is queued (within the export timeout), then stop the exporter. Blocking:
        call it off the event loop."""
        self._provider.shutdown()

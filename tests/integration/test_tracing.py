"""Traces over OTLP/HTTP: gateway -> service operation -> database (and chain RPC), received by a
real OTLP/HTTP receiver on loopback that decodes the protobuf export requests."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from tests.devchains import DevChainsHandle
from tests.integration.gateway.conftest import (
    ADMIN_KEY,
    Gateway,
    make_settings,
    stack_settings,  # noqa: F401  # fixture
)
from tests.polling import eventually

from nsl.adapters.tracing import inject_headers
from nsl.adapters.tracing_db import summary
from nsl.adapters.tracing_export import Tracing, service_name, traces_url
from nsl.core.settings import Settings, TracingSettings
from nsl.runtime.tracing import stop_tracing
from nsl.services.secrets import models as secrets_models

SERVER, CLIENT, INTERNAL = 2, 3, 1
SECRET_VALUE = "tr4ce-must-never-see-this-" + "v" * 12


@dataclass(frozen=True)
class Span:
    trace_id: str
    span_id: str
    parent_id: str
    name: str
    kind: int
    attributes: dict[str, Any]
    service: str


class Receiver:
    """An OTLP/HTTP traces endpoint: keeps every raw body and every decoded span."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.spans: list[Span] = []
        self.paths: set[str] = set()
        self.content_types: set[str] = set()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.record(self.path, self.headers["Content-Type"], body)
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def record(self, path: str, content_type: str, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        spans = []
        for resource_spans in request.resource_spans:
            resource = _attributes(resource_spans.resource.attributes)
            for scope_spans in resource_spans.scope_spans:
                for s in scope_spans.spans:
                    spans.append(
                        Span(
                            s.trace_id.hex(),
                            s.span_id.hex(),
                            s.parent_span_id.hex(),
                            s.name,
                            s.kind,
                            _attributes(s.attributes),
                            resource["service.name"],
                        )
                    )
        with self._lock:
            self.paths.add(path)
            self.content_types.add(content_type)
            self.bodies.append(body)
            self.spans.extend(spans)

    def trace(self, trace_id: str) -> list[Span]:
        with self._lock:
            return [s for s in self.spans if s.trace_id == trace_id]

    def server_span(self, trace_id: str) -> Span | None:
        return next((s for s in self.trace(trace_id) if s.kind == SERVER), None)


def _attributes(pairs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        value: AnyValue = pair.value
        out[pair.key] = getattr(value, value.WhichOneof("value") or "string_value")
    return out


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    recv = Receiver()
    thread = threading.Thread(target=recv.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recv
    finally:
        recv.server.shutdown()
        recv.server.server_close()


def traced_settings(base: Callable[..., Settings], receiver: Receiver, **tracing: Any) -> Settings:
    options = {"enabled": True, "otlp_endpoint": receiver.url, "schedule_delay_s": 0.05}
    return base(tracing={**options, **tracing})


def traceparent(sampled: bool = True) -> tuple[str, str, str]:
    trace_id, parent_id = os.urandom(16).hex(), os.urandom(8).hex()
    return trace_id, parent_id, f"00-{trace_id}-{parent_id}-{'01' if sampled else '00'}"


def ancestors(span: Span, spans: list[Span]) -> list[str]:
    by_id = {s.span_id: s for s in spans}
    chain, current = [], by_id.get(span.parent_id)
    while current is not None:
        chain.append(current.span_id)
        current = by_id.get(current.parent_id)
    return chain


async def test_a_request_is_one_trace_from_the_gateway_through_the_service_to_the_database(
    stack_settings: Callable[..., Settings],  # noqa: F811
    receiver: Receiver,
) -> None:
    settings = traced_settings(stack_settings, receiver)
    trace_id, parent_id, header = traceparent()
    async with Gateway(settings) as gw:
        response = await gw.http.put(
            "/api/v1/secrets/app/db-password",
            json={"data": {"password": SECRET_VALUE}},
            headers={**gw.admin(), "traceparent": header},
        )
        assert response.status_code in (200, 201), response.text
        await eventually(lambda: receiver.server_span(trace_id) is not None, within=10)

    spans = receiver.trace(trace_id)
    server = receiver.server_span(trace_id)
    assert server is not None
    assert server.parent_id == parent_id  # the caller's span is the parent
    assert server.name == "PUT /api/v1/secrets/{path:path}"
    assert server.service == "nsl-gateway"
    assert server.attributes["http.request.method"] == "PUT"
    assert server.attributes["http.route"] == "/api/v1/secrets/{path:path}"
    assert server.attributes["http.response.status_code"] == response.status_code
    assert server.attributes["nsl.request_id"] == response.headers["x-request-id"]
    assert [s for s in spans if s.kind == SERVER] == [server]
    # every other span of the request hangs below the server span
    assert all(server.span_id in ancestors(s, spans) for s in spans if s is not server)

    write = next(s for s in spans if s.attributes.get("nsl.service") == "secrets")
    assert write.kind == INTERNAL
    db = [s for s in spans if "db.system.name" in s.attributes]
    assert {s.attributes["db.system.name"] for s in db} == {settings_dialect(settings)}
    inserts = [s for s in db if s.name == "INSERT secrets_versions"]
    assert inserts and all(write.span_id in ancestors(s, spans) for s in inserts)
    assert all(s.kind == CLIENT for s in db)

    # no value, key or statement text anywhere in what was exported
    assert receiver.paths == {"/v1/traces"}
    assert receiver.content_types == {"application/x-protobuf"}
    for body in receiver.bodies:
        assert SECRET_VALUE.encode() not in body
        assert ADMIN_KEY.encode() not in body
        assert b"db-password" not in body
        assert b"VALUES" not in body and b"WHERE" not in body


def settings_dialect(settings: Settings) -> str:
    return "sqlite" if settings.database.url is None else "postgresql"


async def test_a_request_without_traceparent_starts_a_trace_and_probes_are_not_traced(
    tmp_path: Path, receiver: Receiver
) -> None:
    settings = traced_settings(lambda **kw: make_settings(tmp_path, **kw), receiver)
    async with Gateway(settings) as gw:
        assert (await gw.http.get("/health/live")).status_code == 200
        assert (await gw.http.get("/metrics")).status_code == 200
        response = await gw.http.get("/api/v1/configuration/missing.key", headers=gw.admin())
        assert response.status_code == 404
    # stopping the runtime flushed every span it had
    servers = [s for s in receiver.spans if s.kind == SERVER]
    assert [(s.name, s.parent_id) for s in servers] == [
        ("GET /api/v1/configuration/{key:path}", "")
    ]
    assert servers[0].attributes["http.response.status_code"] == 404
    failed = [s for s in receiver.trace(servers[0].trace_id) if "error.type" in s.attributes]
    assert {s.attributes["error.type"] for s in failed} == {"configuration.not_found"}


async def test_sampling_keeps_the_callers_decision_and_samples_new_traces_by_ratio(
    tmp_path: Path, receiver: Receiver
) -> None:
    settings = traced_settings(
        lambda **kw: make_settings(tmp_path, **kw), receiver, sample_ratio=0.0
    )
    sampled_id, _, sampled = traceparent(sampled=True)
    dropped_id, _, dropped = traceparent(sampled=False)
    async with Gateway(settings) as gw:
        for header in (sampled, dropped, None):
            extra = {"traceparent": header} if header else {}
            response = await gw.http.get("/api/info", headers={**gw.admin(), **extra})
            assert response.status_code == 200
    assert {s.trace_id for s in receiver.spans if s.kind == SERVER} == {sampled_id}
    assert receiver.trace(dropped_id) == []
    assert any(s.kind == CLIENT for s in receiver.trace(sampled_id))  # the API key lookup


async def test_chain_rpc_attempts_are_client_spans_without_endpoint_credentials(
    tmp_path: Path, receiver: Receiver, dev_chains: DevChainsHandle
) -> None:
    chains = dev_chains.settings_overrides()
    chains["neo_x"]["endpoints"] = [dev_chains.neo_x_url + "/?apikey=rpc-credential-x"]
    settings = traced_settings(lambda **kw: make_settings(tmp_path, chains=chains, **kw), receiver)
    trace_id, _, header = traceparent()
    async with Gateway(settings) as gw:
        response = await gw.http.get(
            "/api/v1/chains", headers={**gw.admin(), "traceparent": header}
        )
        assert response.status_code == 200
        assert {c["status"] for c in response.json()["items"]} == {"ok"}, response.text
    spans = receiver.trace(trace_id)
    server = receiver.server_span(trace_id)
    assert server is not None
    rpc = [s for s in spans if s.attributes.get("rpc.system") == "jsonrpc"]
    assert {s.attributes["nsl.chain"] for s in rpc} == {"neo-n3", "neo-x"}
    assert all(s.kind == CLIENT and server.span_id in ancestors(s, spans) for s in rpc)
    assert any(s.name == "neo-n3 getblockcount" for s in rpc)
    for body in receiver.bodies:
        assert b"rpc-credential-x" not in body


def test_service_names_follow_the_process_role() -> None:
    off = TracingSettings()
    assert service_name(off, None) == "nsl-gateway"
    assert service_name(off, ["auth"]) == "nsl-gateway"
    assert service_name(off, ["keys", "auth"]) == "nsl-keys"
    assert service_name(off, ["secrets", "keys"]) == "nsl-keys-secrets"
    assert service_name(TracingSettings(service_name="edge-a"), ["keys"]) == "edge-a"
    assert traces_url("http://collector:4318/") == "http://collector:4318/v1/traces"
    assert traces_url("https://c.example/v1/traces") == "https://c.example/v1/traces"


def test_statement_summaries_name_only_declared_tables() -> None:
    assert "secrets_versions" in secrets_models.Base.metadata.tables
    assert summary("SELECT a.x FROM secrets_versions AS a WHERE a.id = ?") == (
        "SELECT",
        "secrets_versions",
    )
    assert summary('INSERT INTO "secrets_versions" (id) VALUES ($1)') == (
        "INSERT",
        "secrets_versions",
    )
    assert summary("SELECT 'x' FROM not_a_table_but_data") == ("SELECT", None)
    assert summary("BEGIN IMMEDIATE") == ("BEGIN", None)


async def test_inject_headers_hands_the_current_request_span_to_the_next_hop(
    receiver: Receiver,
) -> None:
    config = TracingSettings(enabled=True, otlp_endpoint=receiver.url)
    tracing = Tracing(config, "nsl-gateway", version="t", env="test", instance_id="i")
    trace_id, parent_id, header = traceparent()
    outside: dict[str, str] = {}
    inject_headers(outside)
    with tracing.tracer.server_span("GET", {"traceparent": header}) as span:
        span.finish("/api/v1/keys/{key_id}", 200, None)
        onward: dict[str, str] = {}
        inject_headers(onward)
    await stop_tracing(tracing)  # flushes
    server = receiver.server_span(trace_id)
    assert server is not None and server.parent_id == parent_id
    assert outside == {}  # no current span: nothing to send
    assert onward["traceparent"] == f"00-{trace_id}-{server.span_id}-01"

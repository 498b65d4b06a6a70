"""Serve the gateway with granian (HTTP/1.1, TLS 1.2+ when given a certificate)."""

from __future__ import annotations

from granian.constants import Interfaces, Loops, SSLProtocols
from granian.log import LogLevels
from granian.server import Server

from nsl.core.settings import Settings

TARGET = "nsl.gateway.asgi:app_from_environment"


def serve(settings: Settings) -> None:
    """Run until interrupted. Workers rebuild settings from the environment the caller prepared."""
    http = settings.http
    server = Server(
        TARGET,
        address=http.host,
        port=http.port,
        interface=Interfaces.ASGI,
        workers=http.workers,
        loop=Loops.uvloop,
        factory=True,
        log_level=LogLevels(settings.log_level.lower()),
        log_access=False,
        ssl_cert=http.tls_cert_file if http.tls else None,
        ssl_key=http.tls_key_file if http.tls else None,
        ssl_protocol_min=SSLProtocols.tls12,
        respawn_failed_workers=True,
    )
    server.serve()

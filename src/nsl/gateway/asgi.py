"""ASGI entry for server workers: settings from the environment, then :func:`create_app`."""

from __future__ import annotations

from nsl.core.logs import configure_logging
from nsl.core.settings import Settings
from nsl.gateway.app import GatewayApp, create_app


def app_from_environment() -> GatewayApp:
    """Factory the server calls in each worker process."""
    settings = Settings.load()
    configure_logging(settings.log_level, settings.json_logs)
    return create_app(settings)

"""Backup tests reuse the gateway's stack fixtures (embedded SQLite and networked PG/Redis/AMQP)."""

from tests.integration.gateway.conftest import stack_settings  # noqa: F401

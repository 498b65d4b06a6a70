"""Refusals for ``env=production``: settings that must never reach a real deployment."""

from __future__ import annotations

from nsl.core.errors import SettingsError
from nsl.core.settings import Settings

JWT_SECRET_MIN_LENGTH = 64
PLACEHOLDER_MARKERS = (
    "change-me",
    "changeme",
    "your-secret",
    "secret-key-here",
    "development",
    "test-secret",
    "default",
    "example",
    "demo",
    "placeholder",
    "insecure",
    "password",
)


def production_problems(settings: Settings) -> list[str]:
    """Every reason these settings must not start in production (empty when fine)."""
    if settings.env != "production":
        return []
    problems: list[str] = []
    secret = settings.auth.jwt_secret.get_secret_value() if settings.auth.jwt_secret else ""
    if not secret:
        problems.append("auth.jwt_secret is not set (NSL_AUTH__JWT_SECRET)")
    elif len(secret) < JWT_SECRET_MIN_LENGTH:
        problems.append(f"auth.jwt_secret is shorter than {JWT_SECRET_MIN_LENGTH} characters")
    elif any(marker in secret.lower() for marker in PLACEHOLDER_MARKERS):
        problems.append("auth.jwt_secret looks like a placeholder")
    if len(set(secret)) < 16 and secret:
        problems.append("auth.jwt_secret has too few distinct characters to be random")
    if settings.enclave.provider == "software" and not settings.enclave.allow_software:
        problems.append(
            "the software enclave needs NSL_ENCLAVE__ALLOW_SOFTWARE=true in production "
            "(or NSL_ENCLAVE__PROVIDER=pkcs11)"
        )
    if not settings.http.cors_origins:
        problems.append("http.cors_origins is empty (NSL_HTTP__CORS_ORIGINS)")
    if "*" in settings.http.cors_origins:
        problems.append("http.cors_origins must list origins, not '*'")
    if not settings.http.tls and not settings.http.tls_terminated_upstream:
        problems.append(
            "plain HTTP: set http.tls_cert_file and http.tls_key_file, or "
            "http.tls_terminated_upstream=true when a load balancer terminates TLS"
        )
    for name, chain in (("neo_n3", settings.chains.neo_n3), ("neo_x", settings.chains.neo_x)):
        if chain.enabled and chain.network == "local" and not chain.endpoints:
            problems.append(
                f"chains.{name} is the embedded dev chain: set NSL_CHAINS__{name.upper()}__NETWORK"
                f" (mainnet|testnet) or its ENDPOINTS, or disable it (__ENABLED=false)"
            )
    if settings.oracle.allow_loopback_sources:
        problems.append("oracle.allow_loopback_sources is for development and tests only")
    if settings.notifications.allow_loopback:
        problems.append("notifications.allow_loopback is for development and tests only")
    return problems


def ensure_production_ready(settings: Settings) -> None:
    """Raise :class:`SettingsError` listing every problem, or return when there is none."""
    problems = production_problems(settings)
    if problems:
        raise SettingsError(
            "refusing to start in production: " + "; ".join(problems),
            code="settings.production_refused",
        )

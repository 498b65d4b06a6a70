"""``nsl config production``: domain origins, chain networks and TLS mode in the env file.

The seed's ``update-production-config.sh`` done safely: the domain is validated as a host name,
the file is edited line by line (backup first, atomic, mode 0600), and what the file still lacks
for production is computed by the same checks a starting process runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from nsl.chains.neo_n3.networks import DEFAULT_ENDPOINTS as NEO_N3_ENDPOINTS
from nsl.chains.neo_x.networks import DEFAULT_ENDPOINTS as NEO_X_ENDPOINTS
from nsl.core.production import production_problems
from nsl.core.settings import Settings
from nsl.ops import envfile
from nsl.ops.credentials import CredentialsError, Written
from nsl.ops.envfile import EnvFileError

LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
CHAIN_ENDPOINTS: Mapping[str, Mapping[str, list[str]]] = {
    "NEO_N3": NEO_N3_ENDPOINTS,
    "NEO_X": NEO_X_ENDPOINTS,
}


def check_domain(domain: str) -> str:
    """The domain in lower case, or :class:`CredentialsError` saying why it is not a host name."""
    text = domain.strip().lower().rstrip(".")
    if "://" in text or "/" in text:
        raise CredentialsError(f"--domain takes a host name, not a URL: {domain!r}")
    if "*" in text:
        raise CredentialsError(f"--domain must not be a wildcard: {domain!r}")
    if ":" in text or "@" in text:
        raise CredentialsError(f"--domain takes a host name without port or user: {domain!r}")
    labels = text.split(".")
    if (
        len(text) > 253
        or len(labels) < 2
        or not all(LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise CredentialsError(
            f"--domain must be a DNS name such as example.org (letters, digits and '-' in "
            f"dot-separated labels; no IP address): {domain!r}"
        )
    return text


def origins(domain: str) -> list[str]:
    """The seed's allowed origins: the site and its ``api.`` host, over HTTPS."""
    return [f"https://{domain}", f"https://api.{domain}"]


def configure(
    path: Path,
    now: datetime,
    *,
    domain: str | None,
    neo_n3_network: str | None = None,
    neo_x_network: str | None = None,
    tls_terminated_upstream: bool | None = None,
    allow_software_enclave: bool | None = None,
) -> Written:
    """Set what was asked in the env file at ``path`` (which must exist: generate it first)."""
    if domain is None and not any(
        v is not None
        for v in (neo_n3_network, neo_x_network, tls_terminated_upstream, allow_software_enclave)
    ):
        raise CredentialsError("nothing to set: give --domain or a network or TLS option")
    host = check_domain(domain) if domain is not None else None
    try:
        env = envfile.read(path)
    except EnvFileError as exc:
        raise CredentialsError(f"{exc}; create it with 'nsl credentials generate'") from exc
    changed: list[str] = []

    def put(name: str, value: str) -> None:
        env.set(name, value)
        changed.append(name)

    if host is not None:
        put("NSL_HTTP__CORS_ORIGINS", json.dumps(origins(host), separators=(",", ":")))
    for chain, network in (("NEO_N3", neo_n3_network), ("NEO_X", neo_x_network)):
        if network is None:
            continue
        known = CHAIN_ENDPOINTS[chain]
        if network not in known:
            raise CredentialsError(f"--{chain.lower().replace('_', '-')}-network: mainnet|testnet")
        put(f"NSL_CHAINS__{chain}__NETWORK", network)
        put(f"NSL_CHAINS__{chain}__ENDPOINTS", json.dumps(known[network], separators=(",", ":")))
    if tls_terminated_upstream is not None:
        put("NSL_HTTP__TLS_TERMINATED_UPSTREAM", str(tls_terminated_upstream).lower())
    if allow_software_enclave is not None:
        put("NSL_ENCLAVE__ALLOW_SOFTWARE", str(allow_software_enclave).lower())
    saved = envfile.write(path, env, now)
    return Written(path, saved, changed)


class _FileOnly(Settings):
    """Settings read from an env file alone (the process environment does not count)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, dotenv_settings)


def file_settings(path: Path) -> Settings:
    """The settings a process would build from this env file alone."""
    if not path.is_file():
        raise CredentialsError(f"{path} does not exist")
    try:
        settings: Settings = _FileOnly(_env_file=path)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        raise CredentialsError(f"{path} holds invalid settings: {fields}") from exc
    return settings


def remaining_problems(path: Path) -> list[str]:
    """What ``env=production`` would still refuse in this file (empty: it would start)."""
    settings = file_settings(path)
    if settings.env != "production":
        return [f"NSL_ENV is {settings.env!r}, not 'production'"]
    return production_problems(settings)


def summary(path: Path) -> dict[str, Any]:
    """Non-secret facts of the file for a report: origins, networks, TLS mode."""
    settings = file_settings(path)
    return {
        "cors_origins": settings.http.cors_origins,
        "neo_n3_network": settings.chains.neo_n3.network,
        "neo_x_network": settings.chains.neo_x.network,
        "tls_terminated_upstream": settings.http.tls_terminated_upstream,
    }

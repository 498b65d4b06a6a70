"""Test harness for the contracts service: a gateway running contracts + keys over HTTP,
principals, funded keys and the fixture contracts of ``tests/fixtures``."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from nsl.core.settings import Settings
from nsl.gateway.app import create_app
from nsl.runtime import Runtime

ADMIN_KEY = "nsl_test_admin_" + "c" * 40
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
N3_NEF = (FIXTURES / "neo_n3" / "probe.nef").read_bytes()
N3_MANIFEST: dict[str, Any] = json.loads((FIXTURES / "neo_n3" / "probe.manifest.json").read_text())
NX_PROBE: dict[str, Any] = json.loads((FIXTURES / "neo_x" / "Probe.json").read_text())
KEY_TYPES = {"neo-n3": "secp256r1", "neo-x": "secp256k1"}
ADDRESS_FIELD = {"neo-n3": "neo_address", "neo-x": "evm_address"}
GAS = 10**8  # datoshi per GAS
ETHER = 10**18  # wei
FUNDING = {"neo-n3": 100 * GAS, "neo-x": 10 * ETHER}
QUIET_KEYS = {"usage_flush_interval_s": 3600, "maintenance_interval_s": 3600}


def make_settings(tmp_path: Path, chains: dict[str, Any]) -> Settings:
    return Settings(
        env="test",
        data_dir=tmp_path / "var",
        bootstrap_admin_key=ADMIN_KEY,
        keys=QUIET_KEYS,
        chains=chains,
    )


def n3_deploy_body(key_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "key_id": key_id,
        "nef": base64.b64encode(N3_NEF).decode(),
        "manifest": N3_MANIFEST,
        **extra,
    }


def nx_deploy_body(key_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "key_id": key_id,
        "bytecode": NX_PROBE["bytecode"],
        "abi": NX_PROBE["abi"],
        "args": ["probe label"],
        **extra,
    }


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


class Api:
    """A started gateway running contracts and keys, spoken to in-process."""

    def __init__(
        self, settings: Settings, services: tuple[str, ...] = ("contracts", "keys")
    ) -> None:
        self.settings = settings
        self.runtime = Runtime(settings, only=list(services))
        self.app = create_app(settings, runtime=self.runtime)
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://gateway.test",
            timeout=120,
        )

    async def __aenter__(self) -> Api:
        await self.runtime.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()
        await self.runtime.stop()

    def admin(self) -> dict[str, str]:
        return {"X-API-Key": ADMIN_KEY}

    async def user(self, name: str, roles: list[str] | None = None) -> dict[str, str]:
        """Headers authenticating a new principal with ``roles`` (default: developer)."""
        auth = self.runtime.services["auth"]
        record = await auth.create_principal(
            name, "user", roles or ["developer"], "Correct-Horse-42!"
        )
        _, raw = await auth.create_api_key(record.id, f"{name}-key")
        return {"X-API-Key": raw}

    async def key(self, headers: dict[str, str], chain: str) -> dict[str, Any]:
        """A new signing key of the type ``chain`` uses; its view (key_id, address...)."""
        created = await self.http.post(
            "/api/v1/keys", json={"key_type": KEY_TYPES[chain]}, headers=headers
        )
        assert created.status_code == 201, created.text
        key: dict[str, Any] = created.json()
        key["address"] = key[ADDRESS_FIELD[chain]]
        return key

    async def sign_count(self, headers: dict[str, str], key_id: str) -> int:
        """How many signatures the keys service made with the key (flushed or not)."""
        found = await self.http.get(f"/api/v1/keys/{key_id}", headers=headers)
        assert found.status_code == 200, found.text
        return int(found.json()["usage"]["sign"])

    async def rows(self, table: str) -> list[dict[str, Any]]:
        """Every row of one of the service's tables (``contracts_deployments``...)."""
        assert table in ("contracts_deployments", "contracts_invocations")
        async with self.runtime.adapters.database.session() as session:
            result = await session.execute(text(f"SELECT * FROM {table}"))
            return [dict(r._mapping) for r in result]

    async def audit(self, action: str) -> list[tuple[Any, ...]]:
        """(actor, target, outcome) of the service's audit entries for ``action``, in order."""
        async with self.runtime.adapters.database.session() as session:
            result = await session.execute(
                text(
                    "SELECT actor, target, outcome FROM audit_entries "
                    "WHERE service = 'contracts' AND action = :action ORDER BY seq"
                ),
                {"action": action},
            )
            return [tuple(r) for r in result]

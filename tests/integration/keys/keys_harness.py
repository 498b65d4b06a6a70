"""Test harness for the keys service: the service alone on a real database, or the whole
gateway (runtime, auth, enclave, audit log) spoken to in-process over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import text
from tests.contexts import started_context

from nsl.client import AsyncClient
from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics
from nsl.core.security import Principal, Role
from nsl.core.settings import Settings
from nsl.gateway.app import create_app
from nsl.runtime import Runtime
from nsl.services.keys.service import KeysService

ADMIN_KEY = "nsl_test_admin_" + "k" * 40
ALICE = Principal(id="p-alice", name="alice", kind="user", roles=frozenset({Role.USER}))
BOB = Principal(id="p-bob", name="bob", kind="user", roles=frozenset({Role.DEVELOPER}))
AUDITOR = Principal(id="p-audit", name="audit", kind="user", roles=frozenset({Role.AUDITOR}))
QUIET = {"usage_flush_interval_s": 3600, "maintenance_interval_s": 3600}


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def make_settings(tmp_path: Path, **keys: Any) -> Settings:
    return Settings(
        env="test",
        data_dir=tmp_path / "var",
        bootstrap_admin_key=ADMIN_KEY,
        keys={**QUIET, **keys},
    )


async def start_service(
    settings: Settings, database: Any, clock: ManualClock, metrics: Metrics
) -> KeysService:
    ctx = await started_context(settings, database, clock, metrics)
    service = KeysService(ctx)
    await service.start()
    return service


async def stop_service(service: KeysService) -> None:
    await service.stop()
    await service.ctx.audit.close()  # type: ignore[attr-defined]
    await service.ctx.enclave.close()


async def rows(database: Any, sql: str, **params: Any) -> list[Any]:
    async with database.session() as session:
        return list((await session.execute(text(sql), params)).all())


async def audit_entries(database: Any, target_prefix: str) -> list[tuple[str, str, str, str]]:
    """(actor, action, target, outcome) of the audit entries about one key, oldest first."""
    found = await rows(
        database,
        "SELECT actor, action, target, outcome FROM audit_entries "
        "WHERE service = 'keys' AND target LIKE :p ORDER BY seq",
        p=target_prefix + "%",
    )
    return [tuple(r) for r in found]  # type: ignore[misc]


class Api:
    """A started gateway with the keys service, and helpers to act as principals over HTTP."""

    def __init__(self, settings: Settings, clock: ManualClock) -> None:
        self.settings = settings
        self.clock = clock
        self.runtime = Runtime(settings, clock=clock, only=["keys"])
        self.app = create_app(settings, runtime=self.runtime)
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://gateway.test"
        )

    @property
    def keys(self) -> KeysService:
        service: KeysService = self.runtime.services["keys"]
        return service

    async def __aenter__(self) -> Api:
        await self.runtime.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()
        await self.runtime.stop()

    async def user(self, name: str, roles: list[str] | None = None) -> dict[str, str]:
        """Headers authenticating a new principal with ``roles`` (default: user)."""
        auth = self.runtime.services["auth"]
        record = await auth.create_principal(name, "user", roles or ["user"], "Correct-Horse-42!")
        _, raw = await auth.create_api_key(record.id, f"{name}-key")
        return {"X-API-Key": raw}

    async def enrol_totp(self, headers: dict[str, str]) -> pyotp.TOTP:
        enrolment = await self.http.post("/api/v1/auth/totp/enroll", headers=headers)
        authenticator = pyotp.TOTP(enrolment.json()["secret"])
        confirm = await self.http.post(
            "/api/v1/auth/totp/confirm",
            json={"code": authenticator.at(self.clock.now())},
            headers=headers,
        )
        assert confirm.status_code == 204, confirm.text
        return authenticator

    def fresh_code(self, authenticator: pyotp.TOTP) -> str:
        """A code of a time step not used before (each code is accepted once)."""
        self.clock.advance(30)
        return str(authenticator.at(self.clock.now()))


def client(api: Api, headers: dict[str, str]) -> AsyncClient:
    transport = httpx.ASGITransport(app=api.app)
    return AsyncClient("http://gateway.test", api_key=headers["X-API-Key"], transport=transport)


def compressed(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)


def unwrap_export(wrapped: bytes, recipient: ec.EllipticCurvePrivateKey, key_type: str) -> bytes:
    """``nsl-export-v1`` opened as documented in ``nsl.enclave.ecies``: ECDH on P-256, HKDF-SHA256
    (no salt, info names the curve and both public points), AES-256-GCM with the export AAD."""
    assert wrapped[0] == 1
    ephemeral, nonce, sealed = wrapped[1:34], wrapped[34:46], wrapped[46:]
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ephemeral)
    shared = recipient.exchange(ec.ECDH(), peer)
    info = b"nsl-ecies-v1|secp256r1|" + ephemeral + compressed(recipient.public_key())
    aes_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)
    return AESGCM(aes_key).decrypt(nonce, sealed, b"nsl-export-v1|" + key_type.encode())

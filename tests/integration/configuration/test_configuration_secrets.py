"""Secrets: sealed at rest (checked in the raw database), masked on reads, revealed by right."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_harness import MASTER_KEY_HEX, Harness, make_context, make_settings
from pydantic import SecretStr

from nsl.core.clock import ManualClock
from nsl.core.enclave import EnclaveError
from nsl.core.metrics import Metrics
from nsl.core.sealing import AesGcmSealer, derive_key
from nsl.core.settings import EnclaveSettings
from nsl.services.configuration.base import LEGACY_SEALING_PURPOSE
from nsl.services.configuration.codec import aad
from nsl.services.configuration.service import ConfigurationService

PLAINTEXT = "hunter2-Sup3r-S3cret-Value"
MARKER = "plain-visible-marker-value"
MASK = "********"


async def raw_database_text(harness: Harness) -> bytes:
    """Everything stored, as raw bytes: the SQLite files, or every PostgreSQL row as text."""
    if harness.database.dialect == "sqlite":
        path = Path(harness.database.url.split("///", 1)[1])
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    chunks: list[bytes] = []
    for table in ["configuration_entries", "configuration_versions", "core_outbox"]:
        rows = await harness.rows(f"SELECT t::text FROM {table} t")
        chunks.extend(r[0].encode() for r in rows)
    return b"\n".join(chunks)


async def test_secret_values_are_not_stored_in_plaintext(harness: Harness) -> None:
    await harness.put("plain.marker", {"value": MARKER})
    await harness.put("svc.conn", {"value": PLAINTEXT, "secret": True})
    await harness.put("svc.conn", {"value": PLAINTEXT + "-v2"})  # stays secret
    raw = await raw_database_text(harness)
    assert MARKER.encode() in raw  # the check can see stored values...
    assert PLAINTEXT.encode() not in raw  # ...and finds no secret one
    assert PLAINTEXT.encode().hex().encode() not in raw  # not even as bytea hex
    sealed = await harness.rows(
        "SELECT value_json, value_sealed FROM configuration_entries WHERE key = 'svc.conn'"
    )
    assert sealed[0][0] is None and bytes(sealed[0][1]).startswith(b"S1")  # enclave-sealed


async def test_secret_values_are_masked_on_every_read(harness: Harness) -> None:
    put = (
        await harness.put("svc.conn", {"value": {"user": "u", "pw": PLAINTEXT}, "secret": True})
    ).json()
    assert put["value"] == MASK and put["secret"] is True
    assert (await harness.get("svc.conn")).json()["value"] == MASK
    listed = (await harness.http.get("/api/v1/configuration", headers=harness.as_("admin"))).json()[
        "items"
    ]
    assert listed[0]["value"] == MASK
    history = (
        await harness.http.get(
            "/api/v1/configuration/svc.conn/history", headers=harness.as_("admin")
        )
    ).json()["items"]
    assert history[0]["value"] == MASK
    cached = harness.cache.peek("configuration:entry:v1:test:svc.conn")
    assert cached is not None and PLAINTEXT.encode() not in cached


@pytest.mark.parametrize("role", ["admin", "operator", "service"])
async def test_reveal_shows_the_value_to_privileged_roles(harness: Harness, role: str) -> None:
    await harness.put("svc.conn", {"value": PLAINTEXT, "secret": True})
    await harness.put("svc.conn", {"value": PLAINTEXT + "-2"})
    got = await harness.get("svc.conn", role=role, reveal="true")
    assert got.status_code == 200 and got.json()["value"] == PLAINTEXT + "-2"
    history = await harness.http.get(
        "/api/v1/configuration/svc.conn/history",
        params={"reveal": "true"},
        headers=harness.as_(role),
    )
    assert [i["value"] for i in history.json()["items"]] == [PLAINTEXT + "-2", PLAINTEXT]
    cached = harness.cache.peek("configuration:entry:v1:test:svc.conn")
    assert cached is None or PLAINTEXT.encode() not in cached  # revealed views are not cached


@pytest.mark.parametrize("role", ["developer", "auditor", "user"])
async def test_reveal_without_the_right_is_forbidden(harness: Harness, role: str) -> None:
    await harness.put("svc.conn", {"value": PLAINTEXT, "secret": True})
    await harness.put("public.name", {"value": "x"})
    for key in ["svc.conn", "public.name"]:
        refused = await harness.get(key, role=role, reveal="true")
        assert refused.status_code == 403
        assert refused.json()["code"] == "configuration.reveal_forbidden"
        assert PLAINTEXT not in refused.text
    export = await harness.http.get(
        "/api/v1/configuration/export", params={"reveal": "true"}, headers=harness.as_(role)
    )
    assert export.status_code == 403


@pytest.mark.parametrize(
    "key",
    [
        "db.password",
        "smtp/Passwd",
        "stripeApiKey",
        "github.token",
        "signing/private_key",
        "pg.dsn",
        "aws_credentials",
        "x/connectionString",
        "API-KEY",
        "vault.secret_id",
    ],
)
async def test_keys_naming_secrets_are_sealed_automatically(harness: Harness, key: str) -> None:
    body = (await harness.put(key, {"value": PLAINTEXT, "secret": False})).json()
    assert body["secret"] is True and body["value"] == MASK
    assert PLAINTEXT.encode() not in await raw_database_text(harness)


@pytest.mark.parametrize(
    "key", ["tls.key", "cache.keys", "keyboard.layout", "database.url", "auth.issuer"]
)
async def test_ordinary_keys_are_not_secret_by_name(harness: Harness, key: str) -> None:
    body = (await harness.put(key, {"value": "v"})).json()
    assert body["secret"] is False and body["value"] == "v"


async def test_the_mask_is_refused_as_a_secret_value(harness: Harness) -> None:
    await harness.put("svc.conn", {"value": PLAINTEXT, "secret": True})
    for body in [{"value": MASK}, {"value": MASK, "secret": False}]:
        response = await harness.put("svc.conn", body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["rule"] == "masked_secret"
    revealed = await harness.get("svc.conn", role="admin", reveal="true")
    assert revealed.json()["value"] == PLAINTEXT


async def test_a_sealed_value_moved_to_another_row_does_not_open(harness: Harness) -> None:
    await harness.put("a.conn", {"value": PLAINTEXT, "secret": True})
    await harness.put("b.conn", {"value": "other", "secret": True})
    async with harness.database.session() as session:
        from sqlalchemy import text

        sealed = (
            await session.execute(
                text("SELECT value_sealed FROM configuration_entries WHERE key = 'a.conn'")
            )
        ).scalar_one()
        await session.execute(
            text("UPDATE configuration_entries SET value_sealed = :v WHERE key = 'b.conn'"),
            {"v": sealed},
        )
    response = await harness.get("b.conn", role="admin", reveal="true")
    assert response.status_code == 500
    assert response.json()["code"] == "configuration.value_unreadable"
    assert PLAINTEXT not in response.text


async def test_another_enclave_master_key_cannot_open_stored_secrets(
    harness: Harness, tmp_path: Path, metrics: Metrics
) -> None:
    await harness.put("svc.conn", {"value": PLAINTEXT, "secret": True})
    other = make_settings(tmp_path).model_copy(
        update={"enclave": EnclaveSettings(master_key=SecretStr("22" * 32))}
    )
    service = ConfigurationService(make_context(other, harness.database, ManualClock(), metrics))
    with pytest.raises(EnclaveError) as refused:  # its sealing key does not open: no start
        await service.start()
    assert refused.value.code == "enclave.master_key_unknown"
    assert PLAINTEXT not in str(refused.value)


async def test_values_sealed_before_the_enclave_still_open(harness: Harness) -> None:
    await harness.put("svc.conn", {"value": "placeholder", "secret": True})
    legacy = AesGcmSealer(derive_key(bytes.fromhex(MASTER_KEY_HEX), LEGACY_SEALING_PURPOSE))
    blob = legacy.seal(b'"' + PLAINTEXT.encode() + b'"', aad("test", "svc.conn", 1))
    async with harness.database.session() as session:
        from sqlalchemy import text

        await session.execute(
            text("UPDATE configuration_entries SET value_sealed = :v WHERE key = 'svc.conn'"),
            {"v": blob},
        )
    revealed = await harness.get("svc.conn", role="admin", reveal="true")
    assert revealed.status_code == 200 and revealed.json()["value"] == PLAINTEXT


async def test_an_update_that_omits_the_flag_keeps_the_value_secret(harness: Harness) -> None:
    await harness.put("svc.conn", {"value": PLAINTEXT, "secret": True})
    await harness.put("svc.conn", {"value": PLAINTEXT + "-2"})
    imported = await harness.http.post(
        "/api/v1/configuration/import",
        json={"entries": [{"key": "svc.conn", "value": PLAINTEXT + "-3"}]},
        headers=harness.as_("admin"),
    )
    assert imported.json()["updated"] == ["svc.conn"]
    body = (await harness.get("svc.conn")).json()
    assert (body["secret"], body["value"], body["version"]) == (True, MASK, 3)
    assert PLAINTEXT.encode() not in await raw_database_text(harness)

"""``/api/v1/audit``: auditors and admins search and verify the log; nobody else reads it."""

from __future__ import annotations

from pathlib import Path

from tests.integration.gateway.conftest import Gateway, make_settings

from nsl.core.audit import AuditEntry, data_digest


async def key_for(gw: Gateway, role: str) -> str:
    auth = gw.runtime.services["auth"]
    principal = await auth.ensure_principal(f"{role}-1", roles=[role])
    _, raw = await auth.create_api_key(principal.id, "test", roles=[role])
    return str(raw)


async def test_auditors_search_entries_and_verify_the_chain(tmp_path: Path) -> None:
    async with Gateway(make_settings(tmp_path)) as gw:
        audit = gw.runtime.ctx.audit
        for n in range(3):
            await audit.record(AuditEntry("p-9", "keys", "sign", f"key/k{n}/v1"))
        await audit.record(
            AuditEntry("p-9", "secrets", "read", "secret/app/db", data_hash=data_digest(b"x"))
        )
        auditor = {"X-API-Key": await key_for(gw, "auditor")}
        page = await gw.http.get(
            "/api/v1/audit/entries", params={"service": "keys"}, headers=auditor
        )
        assert page.status_code == 200
        body = page.json()
        assert body["total"] == 3 and [e["target"] for e in body["items"]] == [
            "key/k2/v1",
            "key/k1/v1",
            "key/k0/v1",
        ]
        prefixed = await gw.http.get(
            "/api/v1/audit/entries", params={"target_prefix": "secret/"}, headers=auditor
        )
        assert prefixed.json()["items"][0]["data_hash"] == data_digest(b"x")
        verified = await gw.http.get("/api/v1/audit/verify", headers=gw.admin())
        assert verified.json()["ok"] is True and verified.json()["entries"] == 4


async def test_other_roles_and_anonymous_callers_cannot_read_the_log(tmp_path: Path) -> None:
    async with Gateway(make_settings(tmp_path)) as gw:
        developer = {"X-API-Key": await key_for(gw, "developer")}
        assert (await gw.http.get("/api/v1/audit/entries", headers=developer)).status_code == 403
        assert (await gw.http.get("/api/v1/audit/verify")).status_code == 401
        bad = await gw.http.get(
            "/api/v1/audit/entries", params={"page_size": 0}, headers=gw.admin()
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "page_size"

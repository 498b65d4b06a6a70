"""The ``backup`` service in a running stack: routes, roles, config backup on change, metrics."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tests.integration.gateway.conftest import Gateway
from tests.polling import eventually

from nsl.core.settings import Settings

API = "/api/v1/backup/backups"


def _settings(stack_settings: Callable[..., Settings], tmp_path: Path) -> Settings:
    return stack_settings(
        only_services=["configuration", "backup"],
        backup={
            "targets": [
                {"name": "local", "path": str(tmp_path / "local")},
                {"name": "offsite", "path": str(tmp_path / "offsite")},
            ],
            "config_coalesce_s": 0.05,
        },
    )


async def test_routes_scheduled_full_and_config_on_change(
    stack_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    async with Gateway(_settings(stack_settings, tmp_path)) as gw:
        admin = gw.admin()

        async def has(kind: str) -> bool:
            listing = (await gw.http.get(API, params={"kind": kind}, headers=admin)).json()
            return bool(listing["backups"])

        await eventually(lambda: has("database-full"), within=60)  # the missed 02:00 slot

        put = await gw.http.put(
            "/api/v1/configuration/app/feature", json={"value": {"on": True}}, headers=admin
        )
        assert put.status_code in (200, 201), put.text

        async def config_with_entry() -> bool:
            configs = (await gw.http.get(API, params={"kind": "config"}, headers=admin)).json()
            tables = [b["details"]["tables"] for b in configs["backups"]]
            return any(t["configuration_entries"]["rows"] >= 1 for t in tables)

        await eventually(config_with_entry, within=30)  # the change event triggered it

        created = await gw.http.post(API, json={"kind": "config"}, headers=admin)
        assert created.status_code == 201, created.text
        backup_id = created.json()["id"]
        one = await gw.http.get(f"{API}/{backup_id}", headers=admin)
        assert one.status_code == 200 and one.json()["kind"] == "config"
        verified = await gw.http.post(f"{API}/{backup_id}/verify", headers=admin)
        assert verified.status_code == 200 and verified.json()["ok"] is True

        bad = await gw.http.post(API, json={"kind": "everything"}, headers=admin)
        assert bad.status_code == 422
        assert bad.json()["errors"][0] == {
            "field": "kind",
            "rule": "one_of",
            "message": "kind must be one of full, incremental, keys, config",
        }
        missing = await gw.http.get(f"{API}/no-such-backup", headers=admin)
        assert missing.status_code == 404
        anonymous = await gw.http.get(API)
        assert anonymous.status_code == 401

        metrics = (await gw.http.get("/metrics", headers=admin)).text
        assert 'nsl_backup_last_success_timestamp_seconds{kind="config"}' in metrics
        assert "nsl_backup_bytes_total" in metrics
        assert 'nsl_backup_last_success_timestamp_seconds{kind="full"}' in metrics
        incremental = 'nsl_backup_last_success_timestamp_seconds{kind="incremental"}'
        sqlite = gw.settings.database.url is None  # PostgreSQL logical: daily fulls only
        assert (incremental in metrics) == sqlite


async def test_failing_target_raises_the_failure_metric(
    stack_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    (tmp_path / "offsite").write_text("a file, not a directory")
    async with Gateway(_settings(stack_settings, tmp_path)) as gw:
        created = await gw.http.post(API, json={"kind": "config"}, headers=gw.admin())
        assert created.status_code == 201
        body = created.json()
        assert body["status"] == "failed" and list(body["failed_targets"]) == ["offsite"]
        metrics = (await gw.http.get("/metrics", headers=gw.admin())).text
        assert 'nsl_backup_failures_total{kind="config",target="offsite"}' in metrics
        assert json.dumps(body)  # the answer is plain JSON


async def _key_with_role(gw: Gateway, role: str) -> str:
    admin = gw.admin()
    principal = await gw.http.post(
        "/api/v1/auth/principals", json={"name": f"a-{role}", "roles": [role]}, headers=admin
    )
    assert principal.status_code == 201, principal.text
    key = await gw.http.post(
        "/api/v1/auth/keys",
        json={"name": f"k-{role}", "principal_id": principal.json()["id"], "roles": [role]},
        headers=admin,
    )
    assert key.status_code == 201, key.text
    return str(key.json()["key"])


async def test_only_admins_and_operators_reach_the_routes(
    stack_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    async with Gateway(_settings(stack_settings, tmp_path)) as gw:
        operator = await _key_with_role(gw, "operator")
        user = await _key_with_role(gw, "user")
        allowed = await gw.http.get(API, headers={"X-API-Key": operator})
        assert allowed.status_code == 200
        denied = await gw.http.post(API, json={"kind": "config"}, headers={"X-API-Key": user})
        assert denied.status_code == 403 and denied.json()["code"] == "auth.role_required"


async def test_a_full_backup_is_also_the_newest_point_of_the_incremental_chain(
    stack_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    """A fresh install has a full but no incremental yet: the incremental age alert must not
    fire before the first incremental is due (it reads the same gauge)."""
    async with Gateway(_settings(stack_settings, tmp_path)) as gw:
        admin = gw.admin()
        full = await gw.http.post(API, json={"kind": "full"}, headers=admin)
        assert full.status_code == 201, full.text
        created = datetime.fromisoformat(full.json()["created_at"]).timestamp()
        metrics = (await gw.http.get("/metrics", headers=admin)).text
        gauges = {
            line.split("{", 1)[1].split("}", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("nsl_backup_last_success_timestamp_seconds{")
        }
        assert gauges['kind="full"'] >= created
        if gw.settings.database.url is None:  # SQLite: incrementals follow the full
            assert gauges['kind="incremental"'] >= created
        else:  # PostgreSQL logical takes no incrementals: no gauge, no alert
            assert 'kind="incremental"' not in gauges

"""The dashboard's page, assets and summary on an in-process gateway; Alertmanager a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fake_alertmanager import ALERTS, FakeAlertmanager
from tests.integration.gateway.conftest import Gateway, make_settings

from nsl.core.catalogue import CATALOGUE
from nsl.gateway.dashboard import SAMPLER_TASK
from nsl.gateway.edge import DASHBOARD_CSP


@pytest.fixture
def alertmanager() -> Iterator[FakeAlertmanager]:
    with FakeAlertmanager(ALERTS) as server:
        yield server


async def test_page_and_assets_are_public_under_a_strict_csp(tmp_path: Path) -> None:
    async with Gateway(make_settings(tmp_path)) as gw:
        page = await gw.http.get("/dashboard")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == DASHBOARD_CSP.decode()
        assert "<script" in page.text and "/dashboard/assets/dashboard.js" in page.text
        assert "<script>" not in page.text and " style=" not in page.text  # nothing inline
        for name, media in [("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")]:
            asset = await gw.http.get(f"/dashboard/assets/{name}")
            assert asset.status_code == 200
            assert asset.headers["content-type"].startswith(media)
        missing = await gw.http.get("/dashboard/assets/../../settings.py")
        assert missing.status_code == 404
        unknown = await gw.http.get("/dashboard/assets/secrets.txt")
        assert unknown.status_code == 404
        assert unknown.json()["code"] == "dashboard.no_asset"
        api = await gw.http.get("/api/info")
        assert api.headers["content-security-policy"].startswith("default-src 'none'")


async def test_summary_needs_a_viewing_role(tmp_path: Path) -> None:
    async with Gateway(make_settings(tmp_path)) as gw:
        anonymous = await gw.http.get("/api/v1/dashboard/summary")
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        principal = await gw.http.post(
            "/api/v1/auth/principals",
            json={"name": "dev", "roles": ["developer"]},
            headers=gw.admin(),
        )
        key = await gw.http.post(
            "/api/v1/auth/keys",
            json={"name": "dev", "principal_id": principal.json()["id"]},
            headers=gw.admin(),
        )
        developer = {"X-API-Key": key.json()["key"]}
        refused = await gw.http.get("/api/v1/dashboard/summary", headers=developer)
        assert refused.status_code == 403
        assert refused.json()["code"] == "auth.role_required"


async def test_summary_lists_every_catalogue_service_and_sampled_series(tmp_path: Path) -> None:
    async with Gateway(make_settings(tmp_path)) as gw:
        platform = gw.runtime.platform
        await platform.run_task_once(SAMPLER_TASK)
        for _ in range(5):
            assert (await gw.http.get("/api/info")).status_code == 200
        await platform.run_task_once(SAMPLER_TASK)
        response = await gw.http.get("/api/v1/dashboard/summary", headers=gw.admin())
        assert response.status_code == 200
        body = response.json()
        services = {s["name"]: s for s in body["services"]}
        assert list(services) == [e.name for e in CATALOGUE]
        for item in CATALOGUE:
            entry = services[item.name]
            assert entry["phase"] == item.phase
            assert entry["mode"] == "in-process"
            assert entry["health"] in {"ok", "degraded"}
            assert entry["version"]
            assert entry["required"] is item.required
        panels = {p["id"]: p for p in body["series"]}
        # oracle and automation run here: their panels come with their metric families
        assert set(panels) == {"requests", "latency", "oracle", "automation"}
        requests = next(line for line in panels["requests"]["lines"] if line["label"] == "all")
        assert requests["points"]  # the running task and the run above each took a reading
        assert requests["points"][-1][1] > 0
        assert body["alert_sources"] == [{"source": "local", "ok": True, "error": None}]
        assert response.headers["cache-control"] == "no-store"


async def test_alertmanager_alerts_are_listed_most_severe_first(
    tmp_path: Path, alertmanager: FakeAlertmanager
) -> None:
    settings = make_settings(tmp_path, dashboard={"alertmanager_url": alertmanager.url + "/"})
    async with Gateway(settings) as gw:
        response = await gw.http.get("/api/v1/dashboard/summary", headers=gw.admin())
    body = response.json()
    remote = [a for a in body["alerts"] if a["source"] == "alertmanager"]
    assert [(a["name"], a["severity"]) for a in remote] == [
        ("NslHighErrorRate", "critical"),
        ("NslSlowRequests", "warning"),
    ]
    assert remote[0]["summary"] == "5xx above 5% for 5 minutes"
    assert remote[0]["started_at"] == "2026-11-27T10:00:00.000Z"
    assert remote[0]["labels"]["service"] == "keys"
    assert remote[1]["summary"] == "p95 above 500 ms"
    assert {"source": "alertmanager", "ok": True, "error": None} in body["alert_sources"]
    path = alertmanager.paths[0]
    assert path.startswith("/api/v2/alerts?")
    assert "active=true" in path and "silenced=false" in path and "inhibited=false" in path


async def test_an_unreachable_alertmanager_is_reported_without_its_credentials(
    tmp_path: Path,
) -> None:
    with FakeAlertmanager(ALERTS) as closed:
        port = closed.url.rsplit(":", 1)[1]
    url = f"http://ops:hunter2-secret@127.0.0.1:{port}"
    async with Gateway(make_settings(tmp_path, dashboard={"alertmanager_url": url})) as gw:
        response = await gw.http.get("/api/v1/dashboard/summary", headers=gw.admin())
    assert response.status_code == 200
    source = next(s for s in response.json()["alert_sources"] if s["source"] == "alertmanager")
    assert source["ok"] is False
    assert source["error"].startswith("unreachable")
    assert "hunter2" not in response.text


async def test_an_alertmanager_error_status_is_reported(tmp_path: Path) -> None:
    with FakeAlertmanager({"error": "boom"}, status=500) as failing:
        settings = make_settings(tmp_path, dashboard={"alertmanager_url": failing.url})
        async with Gateway(settings) as gw:
            response = await gw.http.get("/api/v1/dashboard/summary", headers=gw.admin())
    source = next(s for s in response.json()["alert_sources"] if s["source"] == "alertmanager")
    assert source == {"source": "alertmanager", "ok": False, "error": "answered HTTP 500"}


async def test_disabled_dashboard_is_absent(tmp_path: Path) -> None:
    async with Gateway(make_settings(tmp_path, dashboard={"enabled": False})) as gw:
        assert (await gw.http.get("/dashboard")).status_code == 404
        summary = await gw.http.get("/api/v1/dashboard/summary", headers=gw.admin())
        assert summary.status_code == 404

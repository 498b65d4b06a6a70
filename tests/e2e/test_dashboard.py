"""The operator dashboard in Debian's headless Chromium, driven by Playwright, on a real nsl."""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from tests.e2e.screenshot_pixels import decode
from tests.fake_alertmanager import ALERTS, FakeAlertmanager

from nsl import __version__
from nsl.client import Client
from nsl.core.catalogue import CATALOGUE, PHASE_NAMES

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 30_000
ENV = {
    "NSL_DASHBOARD__SAMPLE_INTERVAL_S": "0.5",  # the page polls every max(1 s, interval)
    "NSL_DASHBOARD__HISTORY_S": "300",
    "NSL_RATE_LIMIT__ENABLED": "false",  # the page and the test share one client IP
}
OK_GREEN, DEGRADED_AMBER, ACCENT_BLUE = (31, 138, 76), (201, 138, 0), (31, 95, 191)
# the requests graph has a drawn line with at least n points, one of them above the zero axis
REQUESTS_LINE = """(n) => {
  const line = document.querySelector('svg[data-panel="requests"] polyline[data-line="all"]');
  if (!line) return false;
  const points = line.getAttribute("points").trim().split(/\\s+/)
    .map((p) => p.split(",").map(Number));
  const axis = Number(document.querySelector('svg[data-panel="requests"] line.axis:last-of-type')
    .getAttribute("y1"));
  return points.length >= n && points.some(([, y]) => y < axis - 1);
}"""


def _require_browser() -> None:
    missing = None
    if not CHROMIUM.exists():
        missing = f"Debian's chromium is not installed at {CHROMIUM} (make browser)"
    elif importlib.util.find_spec("playwright") is None:
        missing = "the playwright package is not installed (pip install -e '.[dev]')"
    if missing is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(missing + " (CI=true: the browser test is mandatory)")
    pytest.skip(missing)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    """Chromium with a fresh profile; Playwright's own browser download is never used."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1000},
        )
        try:
            yield context
        finally:
            context.close()


def _sign_in(page: Page, url: str, key: str) -> None:
    from playwright.sync_api import expect

    page.goto(url + "/dashboard")
    expect(page.locator("#login")).to_be_visible()
    page.fill("#api-key", key)
    page.click("#login-form button[type=submit]")


def _row(page: Page, service: str) -> Any:
    return page.locator(f'#services tr[data-service="{service}"]')


def _count(pixels: list[tuple[int, int, int]], colours: set[tuple[int, int, int]]) -> int:
    return sum(1 for p in pixels if p in colours)


def test_admin_sees_services_alerts_live_graphs_and_acts(
    spawn: Any, browser: BrowserContext, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    with FakeAlertmanager(ALERTS) as alertmanager:
        process = spawn(env={**ENV, "NSL_DASHBOARD__ALERTMANAGER_URL": alertmanager.url})
        key = (process.data_dir / "admin-api-key").read_text().strip()
        page = browser.new_page()
        urls: list[str] = []
        csp_errors: list[str] = []
        page.on("request", lambda request: urls.append(request.url))
        page.on(
            "console",
            lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        _sign_in(page, process.url, key)

        # every catalogue service with its phase, health, version and flag
        expect(page.locator("#services tbody tr")).to_have_count(len(CATALOGUE), timeout=WAIT_MS)
        for item in CATALOGUE:
            row = _row(page, item.name)
            expect(row.locator("td.phase")).to_have_text(
                f"{item.phase} · {PHASE_NAMES[item.phase]}"
            )
            expect(row.locator("td.health .badge")).to_have_text(re.compile(r"^(ok|degraded)$"))
            expect(row.locator("td.version")).to_have_text(__version__)
            expect(row.locator("td.flag")).to_have_text("on")
            if item.required:  # nothing to switch off
                expect(row.locator("button.flag-toggle")).to_have_count(0)
            else:
                expect(row.locator("button.flag-toggle")).to_have_text("Turn off")
            expect(row.locator("button.rollback")).to_be_visible()
        expect(page.locator("#who")).to_contain_text("admin")

        # traffic the sampler turns into a request-rate line
        with Client(process.url, api_key=key) as client:
            for i in range(30):
                client.set_config(f"dashboard.k{i}", {"n": i})
        page.wait_for_function(REQUESTS_LINE, arg=3, timeout=WAIT_MS)
        expect(page.locator('[data-panel="latency"] polyline[data-line="p95"]')).not_to_have_count(
            0
        )
        # oracle and automation run here: their panels appear with their metric families
        for panel in ("oracle", "automation"):
            expect(page.locator(f'[data-panel="{panel}"]')).not_to_have_count(0)

        # Alertmanager's alert, with severity and start time
        alert = page.locator('#alerts tr[data-alert="NslHighErrorRate"]')
        expect(alert).to_contain_text("critical")
        expect(alert).to_contain_text("2026-11-27 10:00:00 UTC")
        expect(page.locator("#alert-sources")).to_contain_text("alertmanager ✓")

        # the screenshot shows data: coloured health badges, table text and the drawn line
        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot), full_page=True)
        image = decode(shot.read_bytes())
        table = page.locator("#services").bounding_box()
        assert table is not None
        pixels = image.region(
            int(table["x"]), int(table["y"]), int(table["width"]), int(table["height"])
        )
        badges = _count(pixels, {OK_GREEN, DEGRADED_AMBER})
        assert badges > 100 * len(CATALOGUE), f"{badges} badge pixels in the services table"
        text = sum(1 for p in pixels if max(p) < 120)
        assert text > 0.01 * len(pixels), f"only {text} dark pixels in {len(pixels)}"
        graph = page.locator('svg[data-panel="requests"]').bounding_box()
        assert graph is not None
        plot = image.region(
            int(graph["x"]),
            int(graph["y"] + 0.2 * graph["height"]),
            int(graph["width"]),
            int(0.65 * graph["height"]),
        )
        assert _count(plot, {ACCENT_BLUE}) > 40, "no request-rate line in the screenshot"

        # rollback with no standby: the page shows the server's problem detail
        refused = httpx.post(
            f"{process.url}/api/v1/deploy/configuration/rollback", headers={"X-API-Key": key}
        )
        assert refused.status_code == 409
        page.once("dialog", lambda dialog: dialog.accept())
        _row(page, "configuration").locator("button.rollback").click()
        expect(page.locator("#action-error")).to_contain_text(refused.json()["detail"])
        expect(page.locator("#action-error")).to_contain_text("deploy.no_standby")

        # the feature flag goes off and on again from the page
        row = _row(page, "configuration")
        row.locator("button.flag-toggle").click()
        expect(row.locator("td.flag")).to_have_text("off", timeout=WAIT_MS)
        status = httpx.get(f"{process.url}/api/v1/deploy/status", headers={"X-API-Key": key})
        flags = {s["name"]: s["enabled"] for s in status.json()["services"]}
        assert flags["configuration"] is False
        row.locator("button.flag-toggle").click()
        expect(row.locator("td.flag")).to_have_text("on", timeout=WAIT_MS)

        assert not csp_errors, csp_errors
        assert urls and all(key not in url for url in urls)


def test_non_admins_get_no_deploy_or_rollback_buttons(spawn: Any, browser: BrowserContext) -> None:
    from playwright.sync_api import expect

    process = spawn(env=ENV)
    admin = (process.data_dir / "admin-api-key").read_text().strip()
    keys = {}
    with Client(process.url, api_key=admin) as client:
        for role in ("developer", "operator"):
            principal = client.create_principal(f"dashboard-{role}", roles=[role])
            keys[role] = client.create_key(role, principal_id=principal["id"])["key"]

    developer = browser.new_page()
    _sign_in(developer, process.url, keys["developer"])
    expect(developer.locator("#login-error")).to_contain_text("cannot read the dashboard")
    expect(developer.locator("#board")).to_be_hidden()
    assert developer.locator("button.rollback, button.flag-toggle").count() == 0

    operator = browser.new_page()
    _sign_in(operator, process.url, keys["operator"])
    expect(operator.locator("#services tbody tr")).to_have_count(len(CATALOGUE), timeout=WAIT_MS)
    expect(operator.locator("#who")).to_contain_text("operator")
    assert operator.locator("button.rollback, button.flag-toggle").count() == 0
    expect(operator.locator("#services th.admin-only")).to_be_hidden()

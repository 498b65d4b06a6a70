"""The seed's smoke tests against a running service layer, each a function over an httpx client.

``run_smoke`` performs every check in an order that keeps the rate-limit burst last, so the
window it fills does not turn the other checks' answers into 429s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from nsl.core.settings import RateLimitSettings
from nsl.ops.report import (
    SERVICE_NAME,
    Result,
    failed,
    guarded,
    json_object,
    metrics_check,
    passed,
    skipped,
)

PROTECTED = "/api/v1/auth/me"  # auth is always enabled, so this route always exists
BURST_TARGET = "/api/info"  # a "read" route: limited per client IP, cheap to answer
# Enough to exceed the default per-IP "read" limit within one window.
DEFAULT_BURST = RateLimitSettings().per_ip.read + 10
PROBLEM_JSON = "application/problem+json"
_MAX_AGE = re.compile(r"max-age=(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class SmokeOptions:
    api_key: str | None = None
    origin: str | None = None
    burst: int = DEFAULT_BURST


def check_live(client: httpx.Client) -> Result:
    response = client.get("/health/live")
    if response.status_code != 200:
        return failed("live", f"/health/live answered {response.status_code}")
    status = json_object(response).get("status")
    if status != "alive":
        return failed("live", f"/health/live status is {status!r}, not 'alive'")
    return passed("live", "alive")


def check_ready(client: httpx.Client) -> Result:
    response = client.get("/health/ready")
    body = json_object(response)
    if response.status_code != 200 or body.get("status") != "ready":
        return failed("ready", f"/health/ready answered {response.status_code}: {body}")
    return passed("ready", "ready" + (" (degraded)" if body.get("degraded") else ""))


def check_health(client: httpx.Client) -> Result:
    response = client.get("/health")
    body = json_object(response)
    status = body.get("status")
    services = body.get("services")
    if not isinstance(services, dict):
        return failed("health", f"/health has no services report (status {status!r})")
    not_ok = sorted(
        n for n, s in services.items() if not isinstance(s, dict) or s.get("status") != "ok"
    )
    if response.status_code != 200 or status not in ("ok", "degraded"):
        return failed("health", f"/health answered {response.status_code}, status {status!r}")
    detail = f"status {status}, {len(services)} services"
    return passed("health", detail + (f"; not ok: {', '.join(not_ok)}" if not_ok else ""))


def check_info(client: httpx.Client) -> Result:
    response = client.get("/api/info")
    if response.status_code != 200:
        return failed("info", f"/api/info answered {response.status_code}")
    body = json_object(response)
    if body.get("service") != SERVICE_NAME:
        return failed("info", f"service is {body.get('service')!r}, not {SERVICE_NAME!r}")
    version = body.get("version")
    if not isinstance(version, str) or not version:
        return failed("info", f"no version in /api/info: {version!r}")
    return passed("info", f"{SERVICE_NAME} {version}")


def check_unauthenticated(client: httpx.Client) -> Result:
    response = client.get(PROTECTED)
    content_type = response.headers.get("content-type", "")
    if response.status_code != 401:
        return failed("unauthenticated", f"{PROTECTED} without credentials: {response.status_code}")
    if not content_type.startswith(PROBLEM_JSON):
        return failed("unauthenticated", f"401 with content type {content_type!r}")
    body = json_object(response)
    if body.get("status") != 401 or not body.get("code"):
        return failed("unauthenticated", f"401 body is not a problem document: {body}")
    return passed("unauthenticated", f"401 {body['code']} on {PROTECTED}")


def check_authenticated(client: httpx.Client, api_key: str | None) -> Result:
    if not api_key:
        return skipped("authenticated", "not checked: no --api-key given")
    response = client.get(PROTECTED, headers={"X-API-Key": api_key})
    if response.status_code != 200:
        return failed("authenticated", f"{PROTECTED} with the API key: {response.status_code}")
    return passed("authenticated", f"200 on {PROTECTED} with the API key")


def check_cors(client: httpx.Client, origin: str | None) -> Result:
    if not origin:
        return skipped("cors", "not checked: no --origin given")
    preflight = client.options(
        PROTECTED,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-API-Key",
        },
    )
    allowed = preflight.headers.get("access-control-allow-origin")
    if preflight.status_code != 200 or allowed not in (origin, "*"):
        return failed(
            "cors",
            f"preflight from {origin}: {preflight.status_code}, "
            f"Access-Control-Allow-Origin {allowed!r}",
        )
    simple = client.get("/api/info", headers={"Origin": origin})
    echoed = simple.headers.get("access-control-allow-origin")
    if echoed not in (origin, "*"):
        return failed("cors", f"GET from {origin}: Access-Control-Allow-Origin {echoed!r}")
    return passed("cors", f"{origin} allowed (preflight and simple request)")


def check_hsts(client: httpx.Client) -> Result:
    if client.base_url.scheme != "https":
        return skipped("hsts", "not applicable: the URL is not https")
    response = client.get("/health/live")
    header = response.headers.get("strict-transport-security")
    if not header:
        return failed("hsts", "no Strict-Transport-Security header over https")
    match = _MAX_AGE.search(header)
    if match is None or int(match.group(1)) <= 0:
        return failed("hsts", f"Strict-Transport-Security without a positive max-age: {header!r}")
    return passed("hsts", header)


def check_rate_limit(client: httpx.Client, burst: int) -> Result:
    if burst <= 0:
        return skipped("rate_limit", "not checked: --burst 0")
    reported = ""
    for sent in range(1, burst + 1):
        response = client.get(BURST_TARGET)
        reported = response.headers.get("x-ratelimit-limit", reported)
        if response.status_code == 429:
            content_type = response.headers.get("content-type", "")
            if not content_type.startswith(PROBLEM_JSON):
                return failed("rate_limit", f"429 with content type {content_type!r}")
            if not response.headers.get("retry-after"):
                return failed("rate_limit", "429 without a Retry-After header")
            limit = response.headers.get("x-ratelimit-limit", "?")
            return passed("rate_limit", f"429 after {sent} requests (limit {limit})")
    hint = f" (the server reports a limit of {reported}: raise --burst)" if reported else ""
    return failed("rate_limit", f"no 429 after {burst} requests to {BURST_TARGET}{hint}")


def run_smoke(client: httpx.Client, options: SmokeOptions) -> list[Result]:
    """Every smoke check against ``client.base_url``, in order; none is left out."""
    checks = [
        ("live", lambda: check_live(client)),
        ("ready", lambda: check_ready(client)),
        ("health", lambda: check_health(client)),
        ("info", lambda: check_info(client)),
        ("unauthenticated", lambda: check_unauthenticated(client)),
        ("authenticated", lambda: check_authenticated(client, options.api_key)),
        ("cors", lambda: check_cors(client, options.origin)),
        ("hsts", lambda: check_hsts(client)),
        ("metrics", lambda: metrics_check(client)),
        ("rate_limit", lambda: check_rate_limit(client, options.burst)),
    ]
    return [guarded(name, check) for name, check in checks]

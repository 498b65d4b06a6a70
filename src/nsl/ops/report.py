"""One check's outcome (passed, failed or skipped) and helpers shared by smoke and verify."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

SERVICE_NAME = "Neo Service Layer API"
MIN_METRIC_FAMILIES = 10


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Result:
    name: str
    outcome: Outcome
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "outcome": self.outcome.value, "detail": self.detail}


def passed(name: str, detail: str) -> Result:
    return Result(name, Outcome.PASSED, detail)


def failed(name: str, detail: str) -> Result:
    return Result(name, Outcome.FAILED, detail)


def skipped(name: str, detail: str) -> Result:
    return Result(name, Outcome.SKIPPED, detail)


def all_passed(results: list[Result]) -> bool:
    """True when no check failed (skipped checks neither pass nor fail the run)."""
    return not any(r.outcome is Outcome.FAILED for r in results)


def guarded(name: str, check: Callable[[], Result]) -> Result:
    """Run one check; a transport error or an unreadable body fails it with the reason."""
    try:
        return check()
    except httpx.HTTPError as exc:
        return failed(name, f"request failed: {type(exc).__name__}: {exc}")
    except ValueError as exc:  # JSON that does not parse, or not the shape expected
        return failed(name, f"unreadable answer: {exc}")


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The body as a JSON object; ValueError when it is not one."""
    body = response.json()
    if not isinstance(body, dict):
        raise ValueError(f"expected a JSON object, got {type(body).__name__}")
    return body


def metric_families(client: httpx.Client) -> tuple[int, str]:
    """``/metrics``: its ``# HELP`` family count, and why it is not Prometheus text (if so)."""
    response = client.get("/metrics")
    if response.status_code != 200:
        return 0, f"/metrics answered {response.status_code}"
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("text/plain"):
        return 0, f"/metrics content type is {content_type!r}, not Prometheus text"
    try:
        families = list(text_string_to_metric_families(response.text))
    except (ValueError, IndexError) as exc:
        return 0, f"/metrics is not Prometheus text: {exc}"
    helps = [line for line in response.text.splitlines() if line.startswith("# HELP ")]
    return min(len(helps), len(families)), ""


def metrics_check(client: httpx.Client, name: str = "metrics") -> Result:
    count, problem = metric_families(client)
    if problem:
        return failed(name, problem)
    if count < MIN_METRIC_FAMILIES:
        return failed(name, f"{count} metric families (# HELP), fewer than {MIN_METRIC_FAMILIES}")
    return passed(name, f"{count} metric families")

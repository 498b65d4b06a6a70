"""Health answers and problem+json errors map to the documented results and exceptions."""

from __future__ import annotations

import pytest
from client_fakes import Api, Recorder

from nsl.client import (
    ApiError,
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    Unauthorized,
    ValidationError,
)

PROBLEM = {"content-type": "application/problem+json"}


def problem(status: int, code: str, **extra: object) -> dict[str, object]:
    return {
        "type": "about:blank",
        "title": "t",
        "status": status,
        "detail": f"detail {status}",
        "code": code,
        "request_id": "req-1",
        **extra,
    }


def test_health_returns_the_report_with_status_even_when_503(api: Api, recorder: Recorder) -> None:
    recorder.reply(503, {"status": "down", "checks": {}})
    assert api("health") == {"status": "down", "checks": {}, "http_status": 503}


def test_ready_is_false_on_503_and_true_on_200(api: Api, recorder: Recorder) -> None:
    recorder.reply(503, {"status": "down"})
    assert api("ready") is False
    recorder.reply(200, {"status": "ok"})
    assert api("ready") is True
    assert recorder.last.url.path == "/health/ready"


def test_ready_raises_on_other_errors(api: Api, recorder: Recorder) -> None:
    recorder.reply(500, problem(500, "internal.error"), headers=PROBLEM)
    with pytest.raises(ServerError):
        api("ready")


def test_metrics_text_is_returned_verbatim(api: Api, recorder: Recorder) -> None:
    recorder.reply(200, None, text="# HELP x\nx 1\n")
    assert api("metrics_text") == "# HELP x\nx 1\n"


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, BadRequest),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (413, PayloadTooLarge),
        (422, ValidationError),
        (429, RateLimited),
        (500, ServerError),
        (503, ServerError),
        (405, ApiError),
    ],
)
def test_problem_status_maps_to_its_exception(
    api: Api, recorder: Recorder, status: int, kind: type[ApiError]
) -> None:
    recorder.reply(status, problem(status, "area.reason"), headers=PROBLEM)
    with pytest.raises(kind) as caught:
        api("get_config", "a")
    error = caught.value
    assert type(error) is kind
    assert (error.status, error.code, error.request_id) == (status, "area.reason", "req-1")
    assert error.detail == f"detail {status}"


def test_validation_error_carries_field_issues(api: Api, recorder: Recorder) -> None:
    issues = [{"field": "value", "rule": "schema", "message": "must be an integer"}]
    recorder.reply(422, problem(422, "configuration.schema", errors=issues), headers=PROBLEM)
    with pytest.raises(ValidationError) as caught:
        api("set_config", "limits/n", "x")
    assert caught.value.fields == [FieldError("value", "schema", "must be an integer")]


def test_rate_limited_exposes_retry_after_from_header(api: Api, recorder: Recorder) -> None:
    headers = {**PROBLEM, "retry-after": "7"}
    recorder.reply(429, problem(429, "rate_limit.exceeded"), headers=headers)
    with pytest.raises(RateLimited) as caught:
        api("me")
    assert caught.value.retry_after == 7.0


def test_error_without_problem_body_still_raises_typed(api: Api, recorder: Recorder) -> None:
    recorder.reply(502, None, text="bad gateway", headers={"x-request-id": "r9"})
    with pytest.raises(ServerError) as caught:
        api("info")
    assert (caught.value.code, caught.value.detail) == ("http.502", "bad gateway")
    assert caught.value.request_id == "r9"

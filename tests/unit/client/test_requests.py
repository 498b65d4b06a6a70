"""The client builds the requests the server's routes expect (method, path, query, body, auth)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from client_fakes import Api, Recorder


def test_api_key_is_sent_in_x_api_key_header(api: Api, recorder: Recorder) -> None:
    api("me")
    assert recorder.last.headers["X-API-Key"] == "k-123"
    assert "Authorization" not in recorder.last.headers


def test_token_is_sent_as_bearer_and_wins_over_api_key(
    make_api: Callable[..., Api], recorder: Recorder
) -> None:
    make_api(api_key="k", token="t-1")("me")
    assert recorder.last.headers["Authorization"] == "Bearer t-1"
    assert "X-API-Key" not in recorder.last.headers


def test_public_endpoints_send_no_credentials_when_none_given(
    make_api: Callable[..., Api], recorder: Recorder
) -> None:
    make_api()("info")
    assert "X-API-Key" not in recorder.last.headers
    assert "Authorization" not in recorder.last.headers


def test_login_with_token_authenticates_later_requests_with_the_access_token(
    api: Api, recorder: Recorder
) -> None:
    pair = {"access_token": "A", "token_type": "bearer", "expires_in": 900, "refresh_token": "R"}
    recorder.reply(200, pair)
    assert api("login_with_token", api_key="k-123") == pair
    assert recorder.last_json() == {"api_key": "k-123"}
    api("me")
    assert recorder.last.headers["Authorization"] == "Bearer A"


def test_token_with_password_sends_totp_code_only_when_given(api: Api, recorder: Recorder) -> None:
    api("token", username="ann", password="pw")
    assert recorder.last_json() == {"username": "ann", "password": "pw"}
    api("token", username="ann", password="pw", totp_code="123456")
    assert recorder.last_json() == {"username": "ann", "password": "pw", "totp_code": "123456"}
    assert recorder.last.url.path == "/api/v1/auth/token"


@pytest.mark.parametrize(
    "kwargs", [{}, {"username": "ann"}, {"api_key": "k", "username": "ann", "password": "p"}]
)
def test_token_refuses_ambiguous_or_incomplete_credentials(
    api: Api, recorder: Recorder, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ValueError):
        api("token", **kwargs)
    assert recorder.requests == []


def test_configuration_key_keeps_slashes_and_encodes_other_reserved_characters(
    api: Api, recorder: Recorder
) -> None:
    api("get_config", "app/db/url ?#%")
    assert recorder.last.url.raw_path == b"/api/v1/configuration/app/db/url%20%3F%23%25"


def test_get_config_sends_reveal_and_environment_only_when_set(
    api: Api, recorder: Recorder
) -> None:
    api("get_config", "a.b")
    assert recorder.last.url.query == b""
    api("get_config", "a.b", reveal=True, environment="prod")
    assert dict(recorder.last.url.params) == {"reveal": "true", "environment": "prod"}


def test_set_config_puts_value_and_flags(api: Api, recorder: Recorder) -> None:
    api("set_config", "svc/limit", {"n": 3}, secret=True, description="d", force=True)
    assert recorder.last.method == "PUT"
    assert recorder.last.url.path == "/api/v1/configuration/svc/limit"
    assert dict(recorder.last.url.params) == {"force": "true"}
    assert recorder.last_json() == {"value": {"n": 3}, "secret": True, "description": "d"}


def test_set_config_omits_flags_not_given_so_the_entry_keeps_them(
    api: Api, recorder: Recorder
) -> None:
    api("set_config", "svc/limit", 5, environment="prod")
    assert recorder.last_json() == {"value": 5}
    assert dict(recorder.last.url.params) == {"environment": "prod"}


def test_import_sends_the_export_document_with_mode_and_dry_run(
    api: Api, recorder: Recorder
) -> None:
    document = {"version": 1, "entries": [{"key": "a", "value": 1}]}
    api("import_config", document, mode="replace", dry_run=True)
    assert recorder.last.url.path == "/api/v1/configuration/import"
    assert recorder.last_json() == {**document, "mode": "replace", "dry_run": True}


def test_list_config_sends_prefix_and_paging(api: Api, recorder: Recorder) -> None:
    recorder.reply(200, {"items": [], "total": 0, "page": 2, "page_size": 10})
    page = api("list_config", prefix="app/", page=2, page_size=10)
    assert page["page"] == 2
    assert recorder.last.url.path == "/api/v1/configuration/"
    assert dict(recorder.last.url.params) == {"prefix": "app/", "page": "2", "page_size": "10"}


def test_schema_routes_address_the_prefix_in_the_query(api: Api, recorder: Recorder) -> None:
    schema = {"type": "integer"}
    api("put_config_schema", "limits/", schema)
    assert (recorder.last.method, recorder.last.url.path) == (
        "PUT",
        "/api/v1/configuration/schemas",
    )
    assert dict(recorder.last.url.params) == {"prefix": "limits/"}
    assert recorder.last_json() == {"schema": schema}


def test_update_principal_sends_only_the_fields_given(api: Api, recorder: Recorder) -> None:
    api("update_principal", "p/1", disabled=True)
    assert recorder.last.method == "PATCH"
    assert recorder.last.url.raw_path == b"/api/v1/auth/principals/p%2F1"
    assert recorder.last_json() == {"disabled": True}


def test_create_key_omits_unset_options(api: Api, recorder: Recorder) -> None:
    api("create_key", "ci")
    assert recorder.last_json() == {"name": "ci"}
    api("create_key", "ci", principal_id="p1", expires_in_s=60)
    assert recorder.last_json() == {"name": "ci", "principal_id": "p1", "expires_in_s": 60}


def test_deletes_return_none_on_204(api: Api, recorder: Recorder) -> None:
    recorder.reply(204)
    assert api("revoke_key", "k1") is None
    assert (recorder.last.method, recorder.last.url.path) == ("DELETE", "/api/v1/auth/keys/k1")
    assert api("delete_config", "a/b", force=True) is None
    assert dict(recorder.last.url.params) == {"force": "true"}


def test_empty_key_is_refused_before_sending(api: Api, recorder: Recorder) -> None:
    with pytest.raises(ValueError):
        api("get_config", "")
    assert recorder.requests == []

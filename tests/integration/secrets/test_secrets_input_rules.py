"""Bad input: 4xx naming the field and rule, never a 500, nothing written."""

from __future__ import annotations

import pytest
from secrets_harness import Harness


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("/app%20db", "charset"),
        ("/app//db", "slashes"),
        ("/app/", "slashes"),
        ("/_policies", "reserved_segment"),
        ("/app/_private", "reserved_segment"),
        ("/" + "x" * 501, "length"),
        ("/app/..%2Fdb", "dot_segments"),
    ],
)
async def test_bad_paths_are_400_naming_the_rule(harness: Harness, url: str, rule: str) -> None:
    response = await harness.request("PUT", url, json={"data": {"k": "v"}})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "secrets.invalid_path"
    assert body["errors"] == [
        {"field": "path", "rule": rule, "message": body["errors"][0]["message"]}
    ]
    assert await harness.rows("SELECT id FROM secrets_secrets") == []


async def test_reserved_last_segments_cannot_be_written(harness: Harness) -> None:
    # ".../metadata" is the metadata route; a secret named so could never be read back
    response = await harness.request("PUT", "/app/metadata", json={"data": {"k": "v"}})
    assert response.status_code == 422  # it is the metadata route: "data" is not a field there
    for suffix in ("undelete", "destroy"):
        posted = await harness.request("POST", f"/app/{suffix}", json={"data": {"k": "v"}})
        assert posted.status_code == 422  # the route wants "versions"
    assert await harness.rows("SELECT id FROM secrets_secrets") == []


@pytest.mark.parametrize(
    ("data", "rule"),
    [("text", "type"), ([1, 2], "type"), (None, "type"), (7, "type"), ({"n": 2**70}, "json")],
)
async def test_data_must_be_an_object(harness: Harness, data: object, rule: str) -> None:
    response = await harness.put("app/db", data)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "data"
    assert response.json()["errors"][0]["rule"] == rule


async def test_data_over_the_size_limit_is_refused(harness: Harness) -> None:
    response = await harness.put("app/db", {"blob": "x" * (64 * 1024)})
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "data",
        "rule": "max_bytes",
        "message": response.json()["errors"][0]["message"],
    }
    assert (await harness.put("app/db", {"blob": "x" * 60_000})).status_code == 200


@pytest.mark.parametrize("body", [{}, {"data": {}, "extra": 1}, {"data": {}, "cas": -1}])
async def test_malformed_bodies_are_422(harness: Harness, body: dict[str, object]) -> None:
    response = await harness.request("PUT", "/app/db", json=body)
    assert response.status_code == 422


@pytest.mark.parametrize("version", ["0", "-1", "abc", "1.5", "99999999999"])
async def test_bad_version_numbers_are_400(harness: Harness, version: str) -> None:
    await harness.put("app/db", {"k": "v"})
    response = await harness.get("app/db", version=version)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "version"
    deleted = await harness.request("DELETE", "/app/db", params={"versions": f"1,{version}"})
    assert deleted.status_code == 400 and deleted.json()["errors"][0]["field"] == "versions[1]"


@pytest.mark.parametrize("versions", [[], [0], ["a"], "1", None, list(range(1, 102)), [True]])
async def test_bad_version_lists_are_400(harness: Harness, versions: object) -> None:
    await harness.put("app/db", {"k": "v"})
    for action in ("undelete", "destroy"):
        response = await harness.request("POST", f"/app/db/{action}", json={"versions": versions})
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["field"].startswith("versions")
    assert (await harness.get("app/db")).json()["data"] == {"k": "v"}


async def test_empty_data_object_is_a_valid_secret(harness: Harness) -> None:
    assert (await harness.put("app/empty", {})).json()["version"] == 1
    assert (await harness.get("app/empty")).json()["data"] == {}

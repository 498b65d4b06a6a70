"""The randomness API through the real gateway (auth, problem+json) and the typed client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from randomness_harness import ED25519, P256, Api, expected_values, make_settings

from nsl.client import AsyncClient
from nsl.client.errors import ApiError
from nsl.enclave.ecvrf import SUITES


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    async with Api(make_settings(tmp_path)) as gateway:
        yield gateway


async def test_generate_read_list_and_verify_over_http(api: Api) -> None:
    alice = await api.user("alice")
    alpha = "ab" * 32
    created = await api.http.post(
        "/api/v1/randomness",
        json={"alpha": alpha, "count": 6, "min": 1, "max": 49, "request_id": "lotto-1"},
        headers=alice,
    )
    assert created.status_code == 201, created.text
    answer = created.json()
    expected_keys = {"request_id", "beta", "proof", "public_key", "values", "suite", "alpha"}
    assert expected_keys | {"min", "max", "count", "created_at"} <= set(answer)
    beta = SUITES[P256].verify(
        bytes.fromhex(answer["public_key"]), bytes.fromhex(answer["proof"]), bytes.fromhex(alpha)
    )
    assert answer["beta"] == beta.hex()
    assert answer["values"] == expected_values(beta, 6, 1, 49)

    again = await api.http.post(
        "/api/v1/randomness",
        json={"alpha": alpha, "count": 6, "min": 1, "max": 49, "request_id": "lotto-1"},
        headers=alice,
    )
    assert again.status_code == 201 and again.json() == answer

    read = await api.http.get("/api/v1/randomness/lotto-1", headers=alice)
    assert read.status_code == 200 and read.json() == answer
    listing = await api.http.get("/api/v1/randomness", params={"page_size": 10}, headers=alice)
    assert listing.json()["total"] == 1 and listing.json()["items"] == [answer]

    bob = await api.user("bob", ["auditor"])
    hidden = await api.http.get("/api/v1/randomness/lotto-1", headers=bob)
    assert hidden.status_code == 404 and hidden.json()["code"] == "randomness.not_found"
    assert (await api.http.get("/api/v1/randomness", headers=bob)).json()["total"] == 0

    checked = await api.http.post(
        "/api/v1/randomness/verify",
        json={
            "public_key": answer["public_key"],
            "proof": answer["proof"],
            "alpha": alpha,
            "values": answer["values"],
            "min": 1,
            "max": 49,
        },
        headers=bob,
    )
    assert checked.status_code == 200
    assert checked.json() == {
        "valid": True,
        "suite": P256,
        "beta": answer["beta"],
        "values": answer["values"],
    }
    tampered = await api.http.post(
        "/api/v1/randomness/verify",
        json={"public_key": answer["public_key"], "proof": answer["proof"], "alpha": "00"},
        headers=bob,
    )
    assert tampered.status_code == 200
    assert tampered.json()["valid"] is False and tampered.json()["reason"] == "proof_mismatch"


async def test_keys_are_published_per_suite(api: Api) -> None:
    alice = await api.user("alice")
    keys = (await api.http.get("/api/v1/randomness/keys", headers=alice)).json()["items"]
    assert [k["suite"] for k in keys] == sorted([P256, ED25519])
    by_suite = {k["suite"]: k["public_key"] for k in keys}
    assert len(bytes.fromhex(by_suite[P256])) == 33
    assert len(bytes.fromhex(by_suite[ED25519])) == 32
    health = (await api.http.get("/health")).json()["services"]["randomness"]
    check = next(c for c in health["checks"] if c["name"] == "randomness.vrf_keys")
    assert health["status"] == check["status"] == "ok"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"alpha": "zz"}, 400, "alpha"),
        ({"alpha": "00", "count": 1001}, 400, "count"),
        ({"alpha": "00", "min": 9, "max": 1}, 400, "max"),
        ({"alpha": "00", "suite": "ECVRF-P384-SHA384-TAI"}, 422, "suite"),
        ({"alpha": "00", "count": "3"}, 422, "count"),
        ({"alpha": "00", "colour": "red"}, 422, "colour"),
        ({}, 422, "alpha"),
    ],
)
async def test_bad_input_is_a_problem_naming_the_field(
    api: Api, body: dict[str, object], status: int, field: str
) -> None:
    alice = await api.user("alice")
    response = await api.http.post("/api/v1/randomness", json=body, headers=alice)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]]
    listing = await api.http.get("/api/v1/randomness", headers=alice)
    assert listing.json()["total"] == 0


async def test_bad_hex_in_a_check_is_a_400(api: Api) -> None:
    alice = await api.user("alice")
    response = await api.http.post(
        "/api/v1/randomness/verify",
        json={"public_key": "02" + "00" * 32, "proof": "xyz", "alpha": "00"},
        headers=alice,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "proof",
        "rule": "hex",
        "message": "must be an even number of hex digits",
    }


async def test_callers_must_authenticate(api: Api) -> None:
    for method, path in [
        ("POST", "/api/v1/randomness"),
        ("POST", "/api/v1/randomness/verify"),
        ("GET", "/api/v1/randomness"),
        ("GET", "/api/v1/randomness/keys"),
        ("GET", "/api/v1/randomness/anything"),
    ]:
        response = await api.http.request(method, path, json={"alpha": "00"})
        assert response.status_code == 401, (method, path)


async def test_the_typed_client_covers_every_route(api: Api) -> None:
    headers = await api.user("carol", ["developer"])
    client = AsyncClient(
        "http://gateway.test",
        api_key=headers["X-API-Key"],
        transport=httpx.ASGITransport(app=api.app),
    )
    try:
        made = await client.generate_randomness(
            b"client alpha", count=4, min_value=-5, max_value=5, suite=ED25519, request_id="c-1"
        )
        assert made["suite"] == ED25519 and len(made["values"]) == 4
        assert all(-5 <= v <= 5 for v in made["values"])
        assert await client.get_randomness("c-1") == made
        page = await client.list_randomness(status="fulfilled")
        assert [i["request_id"] for i in page["items"]] == ["c-1"]
        verdict = await client.verify_randomness(
            made["public_key"],
            made["proof"],
            b"client alpha",
            suite=ED25519,
            count=4,
            min_value=-5,
            max_value=5,
        )
        assert verdict["valid"] is True and verdict["values"] == made["values"]
        keys = await client.randomness_keys()
        assert {k["suite"] for k in keys["items"]} == {P256, ED25519}
        with pytest.raises(ApiError) as exc:
            await client.get_randomness("no-such-request")
        assert exc.value.status == 404
    finally:
        await client.aclose()

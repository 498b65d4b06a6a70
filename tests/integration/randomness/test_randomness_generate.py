"""Generating: proofs verify (RFC-vector-tested verifier), values recompute independently,
every request is persisted and audited, request ids are idempotent, owners are isolated."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from randomness_harness import ALICE, BOB, ED25519, P256, audit_entries, expected_values, rows

from nsl.core.audit import data_digest
from nsl.core.errors import ValidationFailed
from nsl.core.health import Status
from nsl.enclave.ecvrf import SUITES
from nsl.services.randomness.errors import InvalidInput, RequestIdReused, RequestNotFound
from nsl.services.randomness.schemas import GenerateBody
from nsl.services.randomness.service import RandomnessService


def body(**fields: Any) -> GenerateBody:
    return GenerateBody.model_validate({"alpha": "00ff" * 16, **fields})


@pytest.mark.parametrize("suite", [P256, ED25519])
async def test_answer_is_a_valid_proof_with_independently_recomputed_values(
    randomness: RandomnessService, suite: str
) -> None:
    alpha = bytes.fromhex("a1" * 32) + b"|req-1"
    view = await randomness.generate(
        body(alpha=alpha.hex(), count=25, min=1, max=6, suite=suite), principal=ALICE
    )
    assert view["status"] == "fulfilled" and view["suite"] == suite
    public_key, proof = bytes.fromhex(view["public_key"]), bytes.fromhex(view["proof"])
    beta = SUITES[suite].verify(public_key, proof, alpha)
    assert view["beta"] == beta.hex()
    assert view["values"] == expected_values(beta, 25, 1, 6)
    assert (view["alpha"], view["count"], view["min"], view["max"]) == (alpha.hex(), 25, 1, 6)
    # the key is the service's published key, and `cryptography` accepts it as a curve point
    published = {k["suite"]: k["public_key"] for k in randomness.keys()["items"]}
    assert published[suite] == view["public_key"]
    if suite == P256:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key)
    else:
        Ed25519PublicKey.from_public_bytes(public_key)


async def test_defaults_are_one_value_in_the_64_bit_range_on_p256(
    randomness: RandomnessService,
) -> None:
    view = await randomness.generate(body(), principal=ALICE)
    assert view["suite"] == P256 and view["count"] == 1
    assert (view["min"], view["max"]) == (0, 2**64 - 1)
    beta = bytes.fromhex(view["beta"])
    assert view["values"] == expected_values(beta, 1, 0, 2**64 - 1)


async def test_a_huge_range_and_negative_bounds_are_exact(randomness: RandomnessService) -> None:
    view = await randomness.generate(body(count=3, min=-(2**255), max=2**255 - 1), principal=ALICE)
    beta = bytes.fromhex(view["beta"])
    assert view["values"] == expected_values(beta, 3, -(2**255), 2**255 - 1)
    stored = await randomness.get(view["request_id"], principal=ALICE)
    assert stored["values"] == view["values"] and stored["min"] == -(2**255)


async def test_the_request_is_persisted_fulfilled_and_audited(
    randomness: RandomnessService, database: Any
) -> None:
    alpha = bytes(range(40))
    view = await randomness.generate(body(alpha=alpha.hex(), request_id="job-7"), principal=ALICE)
    assert view["request_id"] == "job-7"
    stored = await rows(
        database,
        "SELECT owner_id, status, attempts, beta, proof, fulfilled_at FROM randomness_requests",
    )
    assert len(stored) == 1
    owner, status, attempts, beta, proof, fulfilled_at = stored[0]
    assert (owner, status, attempts) == ("p-alice", "fulfilled", 1)
    assert bytes(beta).hex() == view["beta"] and bytes(proof).hex() == view["proof"]
    assert fulfilled_at is not None
    entries = await audit_entries(database)
    assert entries == [("p-alice", "generate", "request/job-7", "ok", data_digest(alpha))]


async def test_a_repeated_request_id_returns_the_stored_answer(
    randomness: RandomnessService, database: Any
) -> None:
    first = await randomness.generate(body(count=10, request_id="r1"), principal=ALICE)
    again = await randomness.generate(body(count=10, request_id="r1"), principal=ALICE)
    assert again == first
    assert len(await rows(database, "SELECT id FROM randomness_requests")) == 1
    with pytest.raises(RequestIdReused):
        await randomness.generate(body(count=11, request_id="r1"), principal=ALICE)
    with pytest.raises(RequestIdReused):
        await randomness.generate(body(count=10, max=9, request_id="r1"), principal=ALICE)
    assert (await randomness.get("r1", principal=ALICE))["values"] == first["values"]
    outcomes = [e[3] for e in await audit_entries(database)]
    assert outcomes == ["ok", "ok", "randomness.request_id_reused", "randomness.request_id_reused"]


async def test_the_same_alpha_gives_the_same_values_and_other_alphas_differ(
    randomness: RandomnessService,
) -> None:
    a = await randomness.generate(body(alpha="01", count=20), principal=ALICE)
    b = await randomness.generate(body(alpha="01", count=20), principal=ALICE)
    c = await randomness.generate(body(alpha="02", count=20), principal=ALICE)
    assert a["request_id"] != b["request_id"]
    assert a["values"] == b["values"] and a["proof"] == b["proof"]
    assert c["values"] != a["values"]


async def test_owners_see_only_their_own_requests(randomness: RandomnessService) -> None:
    mine = await randomness.generate(body(request_id="shared-name"), principal=ALICE)
    with pytest.raises(RequestNotFound):
        await randomness.get("shared-name", principal=BOB)
    theirs = await randomness.generate(body(alpha="beef", request_id="shared-name"), principal=BOB)
    assert theirs["alpha"] == "beef" and mine["alpha"] != "beef"
    for number in range(3):
        await randomness.generate(body(alpha=f"{number:02x}"), principal=ALICE)
    listing = await randomness.list_requests(
        principal=ALICE, status=None, page_number=1, page_size=2
    )
    assert (listing["total"], listing["page"], listing["page_size"]) == (4, 1, 2)
    assert len(listing["items"]) == 2
    second = await randomness.list_requests(
        principal=ALICE, status="fulfilled", page_number=2, page_size=2
    )
    ids = {i["request_id"] for i in listing["items"] + second["items"]}
    assert len(ids) == 4 and "shared-name" in ids
    bobs = await randomness.list_requests(principal=BOB, status=None, page_number=1, page_size=50)
    assert [i["alpha"] for i in bobs["items"]] == ["beef"]


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"alpha": ""}, "alpha", "length"),
        ({"alpha": "ab" * 1025}, "alpha", "length"),
        ({"alpha": "xyz1"}, "alpha", "hex"),
        ({"alpha": "abc"}, "alpha", "hex"),
        ({"count": 0}, "count", "range"),
        ({"count": 1001}, "count", "range"),
        ({"min": 5, "max": 4}, "max", "gte_min"),
        ({"min": -(2**256) - 1}, "min", "range"),
        ({"min": -(2**256), "max": 2**256}, "max", "span"),
        ({"request_id": "has space"}, "request_id", "format"),
        ({"request_id": "x" * 129}, "request_id", "format"),
        ({"request_id": "keys"}, "request_id", "reserved"),
    ],
)
async def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    randomness: RandomnessService, database: Any, fields: dict[str, Any], field: str, rule: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        await randomness.generate(body(**fields), principal=ALICE)
    assert exc.value.status == 400
    assert (exc.value.fields[0].field, exc.value.fields[0].rule) == (field, rule)
    assert await rows(database, "SELECT id FROM randomness_requests") == []
    assert await audit_entries(database) == []


async def test_an_unknown_suite_names_the_allowed_ones(randomness: RandomnessService) -> None:
    with pytest.raises(ValidationFailed) as exc:
        await randomness.generate(body(suite="ECVRF-SECP256K1-SHA256-TAI"), principal=ALICE)
    assert exc.value.fields[0].field == "suite"
    assert P256 in exc.value.detail and ED25519 in exc.value.detail


async def test_health_reports_both_vrf_keys_loaded(randomness: RandomnessService) -> None:
    health = await randomness.health()
    check = next(c for c in health.checks if c.name == "randomness.vrf_keys")
    assert check.status is Status.OK
    assert P256 in check.detail and ED25519 in check.detail

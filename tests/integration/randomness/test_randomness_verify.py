"""The public check: RFC 9381 vectors and our own answers verify; tampering is `valid: false`
(an answer, not an error); malformed input is a 400; every check is audited."""

from __future__ import annotations

from typing import Any

import pytest
from randomness_harness import ALICE, BOB, ED25519, P256, audit_entries, expected_values

from nsl.core.audit import data_digest
from nsl.services.randomness.errors import InvalidInput
from nsl.services.randomness.schemas import GenerateBody, VerifyBody
from nsl.services.randomness.service import RandomnessService

# RFC 9381 Appendix B.1 Example 10 and B.3 Example 17: (suite, PK, alpha, pi, beta)
RFC_P256 = (
    P256,
    "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
    "73616d706c65",
    "035b5c726e8c0e2c488a107c600578ee75cb702343c153cb1eb8dec77f4b5071b4a53f0a46f018bc2c56e5"
    "8d383f2305e0975972c26feea0eb122fe7893c15af376b33edf7de17c6ea056d4d82de6bc02f",
    "a3ad7b0ef73d8fc6655053ea22f9bede8c743f08bbed3d38821f0e16474b505e",
)
RFC_ED25519 = (
    ED25519,
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    "72",
    "f3141cd382dc42909d19ec5110469e4feae18300e94f304590abdced48aed5933bf0864a62558b3ed7f2fe"
    "a45c92a465301b3bbf5e3e54ddf2d935be3b67926da3ef39226bbc355bdc9850112c8f4b02",
    "eb4440665d3891d668e7e0fcaf587f1b4bd7fbfe99d0eb2211ccec90496310eb5e33821bc613efb94db5e5b5"
    "4c70a848a0bef4553a41befc57663b56373a5031",
)


def check(**fields: Any) -> VerifyBody:
    return VerifyBody.model_validate(fields)


@pytest.mark.parametrize("vector", [RFC_P256, RFC_ED25519], ids=["p256", "ed25519"])
async def test_rfc_vectors_verify_and_yield_their_beta(
    randomness: RandomnessService, vector: tuple[str, ...]
) -> None:
    suite, pk, alpha, pi, beta = vector
    result = await randomness.verify(
        check(suite=suite, public_key=pk, alpha=alpha, proof=pi, count=8, min=0, max=9),
        principal=BOB,
    )
    assert result["valid"] is True and result["beta"] == beta
    assert result["values"] == expected_values(bytes.fromhex(beta), 8, 0, 9)


@pytest.mark.parametrize("suite", [P256, ED25519])
async def test_our_answers_verify_and_tampering_is_reported_not_raised(
    randomness: RandomnessService, database: Any, suite: str
) -> None:
    alpha = "c0ffee" * 5
    made = await randomness.generate(
        GenerateBody.model_validate({"alpha": alpha, "count": 12, "max": 100, "suite": suite}),
        principal=ALICE,
    )
    claim = {"suite": suite, "public_key": made["public_key"], "alpha": alpha}
    ok = await randomness.verify(
        check(**claim, proof=made["proof"], values=made["values"], max=100), principal=BOB
    )
    assert ok == {"valid": True, "suite": suite, "beta": made["beta"], "values": made["values"]}

    proof = bytearray.fromhex(made["proof"])
    proof[-1] ^= 1
    bad = await randomness.verify(check(**claim, proof=proof.hex()), principal=BOB)
    assert bad["valid"] is False and bad["reason"] == "proof_mismatch" and "beta" not in bad

    other_alpha = await randomness.verify(
        check(**{**claim, "alpha": "00"}, proof=made["proof"]), principal=BOB
    )
    assert other_alpha["valid"] is False and other_alpha["reason"] == "proof_mismatch"

    short = await randomness.verify(check(**claim, proof=made["proof"][:-2]), principal=BOB)
    assert short["valid"] is False and short["reason"] == "proof_malformed"

    not_a_key = await randomness.verify(
        check(**{**claim, "public_key": "05" + "11" * 32}, proof=made["proof"]), principal=BOB
    )
    assert not_a_key["valid"] is False and not_a_key["reason"] == "public_key_invalid"

    wrong_values = [*made["values"][:-1], (made["values"][-1] + 1) % 101]
    mismatch = await randomness.verify(
        check(**claim, proof=made["proof"], values=wrong_values, max=100), principal=BOB
    )
    assert mismatch["valid"] is False and mismatch["reason"] == "values_mismatch"
    assert mismatch["beta"] == made["beta"] and mismatch["values"] == made["values"]

    verifies = [e for e in await audit_entries(database) if e[1] == "verify"]
    assert len(verifies) == 6
    assert {e[0] for e in verifies} == {"p-bob"}
    assert {e[3] for e in verifies} == {"ok"}
    assert verifies[0][4] == data_digest(bytes.fromhex(alpha))
    assert verifies[0][2].startswith("proof/")


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"public_key": "zz"}, "public_key", "hex"),
        ({"proof": "123"}, "proof", "hex"),
        ({"alpha": "0x1g"}, "alpha", "hex"),
        ({"proof": ""}, "proof", "length"),
        ({"count": 0}, "count", "range"),
        ({"values": [1, 2], "count": 3}, "values", "length"),
        ({"count": 2, "min": 3, "max": 1}, "max", "gte_min"),
    ],
)
async def test_malformed_checks_are_refused(
    randomness: RandomnessService,
    database: Any,
    fields: dict[str, Any],
    field: str,
    rule: str,
) -> None:
    base = dict(zip(("suite", "public_key", "alpha", "proof"), RFC_P256[:4], strict=True))
    with pytest.raises(InvalidInput) as exc:
        await randomness.verify(check(**{**base, **fields}), principal=BOB)
    assert (exc.value.fields[0].field, exc.value.fields[0].rule) == (field, rule)
    assert await audit_entries(database) == []

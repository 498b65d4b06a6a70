"""Input rules, ciphertext framing, scheme choice and the cached record's round trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nsl.core.enclave import KeyType, SignAlgorithm
from nsl.services.keys import ciphertexts, rules, schemes
from nsl.services.keys.errors import InvalidInput
from nsl.services.keys.record import KeyRecord, ParsedRecords, VersionInfo
from nsl.services.keys.usage import UsageCounters


def issue(call: object, *args: object, **kwargs: object) -> tuple[int, str, str]:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    field = caught.value.fields[0]
    return caught.value.status, field.field, field.rule


def test_unknown_key_type_is_400_naming_the_allowed_values() -> None:
    with pytest.raises(InvalidInput) as caught:
        rules.key_type("rsa2048")
    assert caught.value.status == 400
    assert "secp256r1, secp256k1, ed25519" in caught.value.detail
    assert caught.value.fields[0].rule == "allowed_values"


def test_usages_default_canonical_order_and_per_type() -> None:
    assert rules.usages(None, KeyType.SECP256R1) == ["sign", "verify"]
    assert rules.usages(["decrypt", "sign", "encrypt"], KeyType.SECP256K1) == [
        "sign",
        "encrypt",
        "decrypt",
    ]
    assert issue(rules.usages, ["encrypt"], KeyType.ED25519) == (
        400,
        "usages",
        "usage_for_key_type",
    )
    assert issue(rules.usages, ["wrap"], KeyType.SECP256R1)[2] == "allowed_values"
    assert issue(rules.usages, [], KeyType.SECP256R1)[2] == "not_empty"


@pytest.mark.parametrize("text", ["0x0g", "abc", "zz", "0x1"])
def test_bad_hex_names_the_field(text: str) -> None:
    assert issue(rules.hex_bytes, text, "data") == (400, "data", "hex")


def test_hex_accepts_0x_prefix_and_limits_length() -> None:
    assert rules.hex_bytes("0xA0ff", "data") == b"\xa0\xff"
    assert rules.hex_bytes("", "data") == b""
    assert issue(rules.hex_bytes, "00" * 5, "aad", max_bytes=4) == (400, "aad", "length")


def test_base64_both_alphabets_and_errors() -> None:
    assert rules.base64_bytes("+/8=", "plaintext") == b"\xfb\xff"
    assert rules.base64_bytes("-_8", "plaintext") == b"\xfb\xff"
    assert issue(rules.base64_bytes, "a!b", "plaintext") == (400, "plaintext", "base64")


def test_names_reasons_policies_and_paging() -> None:
    assert rules.name("treasury/hot-1") == "treasury/hot-1"
    assert issue(rules.name, " lead")[2] == "format"
    assert issue(rules.name, "x" * 129)[2] == "format"
    assert rules.reason("  compromised  ") == "compromised"
    assert issue(rules.reason, "   ")[2] == "required"
    assert issue(rules.reason, "x" * 501)[2] == "length"
    assert rules.rotation_days(None) is None
    assert issue(rules.rotation_days, 0)[1] == "rotation_period_days"
    assert issue(rules.rate_limit, 0)[1] == "rate_limit_per_minute"
    assert issue(rules.page, 0, 10)[1] == "page"
    assert issue(rules.page, 1, 501)[1] == "page_size"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert issue(rules.expires_at, now, now)[2] == "future"
    assert issue(rules.expires_at, datetime(2027, 1, 1), now)[2] == "timezone"
    assert rules.expires_at(now + timedelta(days=1), now) == now + timedelta(days=1)


def test_ciphertext_framing_round_trip_and_errors() -> None:
    blob = bytes(range(200))
    text = ciphertexts.encode(12, blob)
    assert text.startswith("nsl:v12:") and "=" not in text
    assert ciphertexts.decode(text) == (12, blob)
    for bad in ["vault:v1:AAAA", "nsl:v0:AAAA", "nsl:v1:", "nsl:vx:AAAA", "nsl:v1:A$A"]:
        assert issue(ciphertexts.decode, bad) == (400, "ciphertext", "format")
    assert ciphertexts.associated_data("key_1", 2, b"ctx") == b"nsl-keys|key_1|v2|ctx"


def test_default_schemes_and_allowed_lists() -> None:
    assert schemes.resolve(None, KeyType.SECP256R1, transactions=True) == "ecdsa-sha256"
    assert schemes.resolve(None, KeyType.SECP256K1, transactions=True) == "eip191"
    assert schemes.resolve(None, KeyType.ED25519, transactions=True) == "ed25519"
    with pytest.raises(InvalidInput) as caught:
        schemes.resolve("eip191", KeyType.SECP256R1, transactions=True)
    assert caught.value.fields[0].rule == "scheme_for_key_type"
    assert "ecdsa-sha256, neo-n3-tx" in caught.value.detail
    # transaction schemes sign but do not verify
    with pytest.raises(InvalidInput):
        schemes.resolve("evm-eip1559", KeyType.SECP256K1, transactions=False)


def test_signing_inputs_per_scheme() -> None:
    data = b"hello"
    sha = schemes.SCHEMES["ecdsa-sha256"]
    assert sha.signing_input(data, False) == (data, SignAlgorithm.ECDSA_SHA256)
    assert sha.signing_input(b"\x01" * 32, True) == (b"\x01" * 32, SignAlgorithm.ECDSA_PREHASHED)
    assert issue(sha.signing_input, b"short", True) == (400, "data", "digest_length")
    eip191 = schemes.SCHEMES["eip191"]
    assert issue(eip191.signing_input, b"\x01" * 32, True) == (400, "prehashed", "scheme")
    keccak = schemes.SCHEMES["ecdsa-keccak256"]
    # Keccak-256("") from the Keccak team's published value
    empty = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak.signing_input(b"", False)[0].hex() == empty


def test_ethereum_v_byte_round_trip() -> None:
    scheme = schemes.SCHEMES["eip191"]
    enclave_form = b"\x11" * 64 + b"\x01"
    wire = scheme.to_wire(enclave_form)
    assert wire[64] == 28
    assert scheme.from_wire(wire) == enclave_form
    assert scheme.from_wire(b"\x11" * 64 + b"\x05") is None
    assert issue(scheme.from_wire, b"\x11" * 64) == (400, "signature", "length")


def record(**changes: object) -> KeyRecord:
    base: dict[str, object] = {
        "id": "key_1",
        "owner_id": "p1",
        "key_type": KeyType.SECP256K1,
        "usages": frozenset({"sign", "verify"}),
        "exportable": False,
        "status": "active",
        "expires_at": None,
        "current_version": 3,
        "min_verify_version": 2,
        "rate_limit": None,
        "versions": {
            n: VersionInfo(n, f"ref{n}", bytes([2]) + bytes([n]) * 32, n == 1) for n in (1, 2, 3)
        },
    }
    base.update(changes)
    return KeyRecord(**base)  # type: ignore[arg-type]


def test_record_round_trip_and_version_choice() -> None:
    original = record(expires_at=1_800_000_000.5, rate_limit=10)
    assert KeyRecord.loads(original.dumps()) == original
    assert [v.version for v in original.verifying_versions()] == [3, 2]
    assert original.retired_versions() == []  # v1 is destroyed
    assert [v.version for v in record(min_verify_version=3).retired_versions()] == [2]


def test_parsed_records_reuse_identical_bytes_only() -> None:
    parsed = ParsedRecords(max_entries=2)
    raw = record().dumps()
    first = parsed.parse("key_1", raw)
    assert parsed.parse("key_1", raw) is first
    assert parsed.parse("key_1", bytes(bytearray(raw))) is not first  # other bytes: parsed
    parsed.parse("key_2", raw)
    parsed.parse("key_3", raw)  # over the bound: cleared, still correct
    assert parsed.parse("key_1", raw) == first


def test_usage_counters_drain_and_put_back() -> None:
    counters = UsageCounters()
    t1 = datetime(2026, 1, 1, tzinfo=UTC)
    counters.count("a", "sign", t1)
    counters.count("a", "sign", t1)
    counters.count("b", "decrypt", t1)
    batch = counters.drain()
    assert batch["a"].counts["sign"] == 2 and batch["b"].counts["decrypt"] == 1
    assert counters.pending("a") is None
    t2 = t1 + timedelta(seconds=5)
    counters.count("a", "verify", t2)
    counters.put_back(batch)
    merged = counters.pending("a")
    assert merged is not None
    assert merged.counts == {"sign": 2, "verify": 1, "encrypt": 0, "decrypt": 0}
    assert merged.last_used == t2

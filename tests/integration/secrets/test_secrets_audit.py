"""Audit: every read, write, delete, undelete, destroy, metadata and policy change, and every
refusal, leaves an entry with the outcome and a hash of the value, never the value."""

from __future__ import annotations

import hashlib
import itertools

from secrets_harness import Harness

VALUE = "audit-me-not-7731"


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


async def test_data_operations_are_audited_with_the_ciphertext_hash(harness: Harness) -> None:
    await harness.put("app/db", {"password": VALUE})
    stored = await harness.rows("SELECT ciphertext FROM secrets_versions WHERE version = 1")
    await harness.get("app/db")
    await harness.get("app/db", version=1)
    await harness.request("DELETE", "/app/db")
    await harness.request("POST", "/app/db/undelete", json={"versions": [1]})
    await harness.request("POST", "/app/db/destroy", json={"versions": [1]})
    entries = await harness.audit()
    # the stored ciphertext's hash: a hash of the value could be guessed offline
    value_hash = digest(bytes(stored[0][0]))
    assert value_hash != digest(b'{"password":"' + VALUE.encode() + b'"}')
    assert [(e["action"], e["target"], e["outcome"], e["data_hash"]) for e in entries] == [
        ("write", "secret/app/db/v1", "ok", value_hash),
        ("read", "secret/app/db/v1", "ok", value_hash),
        ("read", "secret/app/db/v1", "ok", value_hash),
        ("delete", "secret/app/db/v1", "ok", None),
        ("undelete", "secret/app/db/v1", "ok", None),
        ("destroy", "secret/app/db/v1", "ok", None),
    ]
    assert all(e["actor"] == "alice" for e in entries)
    assert VALUE not in str(entries)


async def test_refusals_and_failures_are_audited_with_their_code(harness: Harness) -> None:
    await harness.put("app/db", {"password": VALUE})
    await harness.get("app/db", who="mallory")
    await harness.put("app/db", {"x": 1}, cas=7)
    await harness.get("app/db", version=5)
    await harness.put("bad//path", {"x": 1})
    await harness.put("app/db", "not an object")
    outcomes = [(e["actor"], e["action"], e["target"], e["outcome"]) for e in await harness.audit()]
    assert outcomes[1:] == [
        ("mallory", "read", "secret/app/db", "secrets.not_found"),
        ("alice", "write", "secret/app/db", "secrets.cas_mismatch"),
        ("alice", "read", "secret/app/db/v5", "secrets.version_not_found"),
        ("alice", "write", "secret/bad//path", "secrets.invalid_path"),
        ("alice", "write", "secret/app/db", "request.invalid"),
    ]


async def test_metadata_and_policy_changes_are_audited(harness: Harness) -> None:
    await harness.request("PUT", "/app/db/metadata", json={"max_versions": 2})
    await harness.request("GET", "/app/db/metadata")
    policy_id = await harness.policy("app/**", "role:user", "read")
    await harness.request("DELETE", f"/_policies/{policy_id}", "root", "admin")
    await harness.request("DELETE", "/app/db/metadata")
    entries = await harness.audit()
    assert [(e["actor"], e["action"], e["target"], e["outcome"]) for e in entries] == [
        ("alice", "write_metadata", "secret/app/db", "ok"),
        ("alice", "read_metadata", "secret/app/db", "ok"),
        ("root", "create_policy", f"policy/{policy_id}", "ok"),
        ("root", "delete_policy", f"policy/{policy_id}", "ok"),
        ("alice", "delete_metadata", "secret/app/db", "ok"),
    ]
    assert entries[0]["details"] == {"fields": ["max_versions"]}
    assert entries[2]["details"] == {
        "pattern": "app/**",
        "subject": "role:user",
        "capabilities": ["read"],
        "effect": "allow",
    }


async def test_the_audit_chain_of_these_entries_verifies(harness: Harness) -> None:
    await harness.put("app/db", {"password": VALUE})
    await harness.get("app/db", who="bob")
    rows = await harness.rows("SELECT seq, prev_hash, entry_hash FROM audit_entries ORDER BY seq")
    assert len(rows) >= 2
    for before, after in itertools.pairwise(rows):
        assert after[1] == before[2]

"""Damaged, reordered, swapped or missing chunks are refused with ``storage.integrity``; no
damaged byte is ever returned."""

from __future__ import annotations

import hashlib

from storage_harness import MIB, Harness

from nsl.services.storage.errors import IntegrityFailure

THREE_CHUNKS = b"".join(bytes([n]) * MIB for n in (1, 2, 3))


async def _chunk(h: Harness, version_id: str, index: int) -> bytes:
    rows = await h.rows(
        "SELECT data FROM storage_chunks WHERE version_id = :v AND " + '"index"' + " = :i",
        v=version_id,
        i=index,
    )
    return bytes(rows[0][0])


async def _replace(h: Harness, version_id: str, index: int, data: bytes) -> None:
    await h.service.stores["database"].put(version_id, index, data)


async def test_a_flipped_bit_in_the_first_chunk_is_a_clean_integrity_error(
    harness: Harness,
) -> None:
    h = harness
    version_id = (await h.put("obj", THREE_CHUNKS)).json()["version_id"]
    stored = bytearray(await _chunk(h, version_id, 0))
    stored[100] ^= 1
    await _replace(h, version_id, 0, bytes(stored))
    got = await h.get("obj")
    assert got.status_code == 500
    assert got.headers["content-type"] == "application/problem+json"
    assert got.json()["code"] == "storage.integrity"
    assert b"\x01" * 64 not in got.content
    audit = await h.rows("SELECT action, outcome FROM audit_entries WHERE service = 'storage'")
    assert ("integrity", "storage.integrity") in [tuple(r) for r in audit]


async def test_damage_in_a_later_chunk_aborts_the_stream_before_it(harness: Harness) -> None:
    h = harness
    version_id = (await h.put("obj", THREE_CHUNKS)).json()["version_id"]
    stored = bytearray(await _chunk(h, version_id, 2))
    stored[-1] ^= 0x80  # the tag
    await _replace(h, version_id, 2, bytes(stored))
    received, raised = await h.raw_get("obj")
    assert h.last_status == 200
    assert isinstance(raised, RuntimeError)  # Starlette: "response already started"
    assert isinstance(raised.__cause__, IntegrityFailure)
    assert len(received) == 2 * MIB
    assert bytes([3]) not in received  # nothing of the damaged chunk left the service


async def test_verify_first_refuses_before_sending_anything(harness: Harness) -> None:
    h = harness
    version_id = (await h.put("obj", THREE_CHUNKS)).json()["version_id"]
    stored = bytearray(await _chunk(h, version_id, 1))
    stored[20] ^= 4
    await _replace(h, version_id, 1, bytes(stored))
    got = await h.get("obj", verify="true")
    assert got.status_code == 500 and got.json()["code"] == "storage.integrity"
    checked = await h.call("POST", "/verify/obj")
    assert checked.status_code == 500 and checked.json()["code"] == "storage.integrity"


async def test_reordered_chunks_do_not_open(harness: Harness) -> None:
    h = harness
    version_id = (await h.put("obj", THREE_CHUNKS)).json()["version_id"]
    first, second = await _chunk(h, version_id, 0), await _chunk(h, version_id, 1)
    await _replace(h, version_id, 0, second)
    await _replace(h, version_id, 1, first)
    assert (await h.get("obj", verify="true")).json()["code"] == "storage.integrity"


async def test_a_chunk_moved_from_another_object_does_not_open(harness: Harness) -> None:
    h = harness
    mine = (await h.put("mine", THREE_CHUNKS)).json()["version_id"]
    other = (await h.put("other", THREE_CHUNKS)).json()["version_id"]
    await _replace(h, mine, 1, await _chunk(h, other, 1))
    assert (await h.get("mine", verify="true")).json()["code"] == "storage.integrity"


async def test_a_truncated_object_is_detected(harness: Harness) -> None:
    h = harness
    version_id = (await h.put("obj", THREE_CHUNKS)).json()["version_id"]
    await h.execute(
        "UPDATE storage_versions SET chunk_count = 2, size = :s WHERE id = :v",
        v=version_id,
        s=2 * MIB,
    )
    assert (await h.get("obj", verify="true")).json()["code"] == "storage.integrity"
    await h.execute("DELETE FROM storage_chunks WHERE version_id = :v", v=version_id)
    assert (await h.get("obj")).json()["code"] == "storage.integrity"


async def test_a_wrong_stored_hash_withholds_the_last_chunk(harness: Harness) -> None:
    h = harness
    data = bytes([7]) * (MIB + 10)
    version_id = (await h.put("obj", data)).json()["version_id"]
    await h.execute(
        "UPDATE storage_versions SET sha256 = :d WHERE id = :v",
        v=version_id,
        d=hashlib.sha256(b"something else").hexdigest(),
    )
    received, raised = await h.raw_get("obj")
    assert h.last_status == 200
    assert raised is not None and isinstance(raised.__cause__, IntegrityFailure)
    assert len(received) == MIB  # the first chunk only; the last was held back

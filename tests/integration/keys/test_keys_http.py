"""The keys API through the gateway (authentication, problem+json, TOTP), with the typed
client, and exports unwrapped independently with `cryptography`."""

from __future__ import annotations

import base64
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eth_keys import keys as eth_keys
from keys_harness import Api, client, compressed, unwrap_export
from neo3.core import cryptography as neo_crypto

from nsl.client.errors import ApiError

KEYS = "/api/v1/keys"
DATA = b"hello neo"


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


async def test_create_sign_verify_list_with_the_client(api: Api) -> None:
    alice = await api.user("alice")
    async with client(api, alice) as nsl:
        key = await nsl.create_managed_key("secp256r1", name="n3-hot")
        for field in (
            "key_id", "key_type", "version", "public_key", "neo_address", "script_hash",
            "usages", "exportable", "status", "name", "created_at", "rotation_period_days",
            "next_rotation_at", "min_verify_version", "versions",
        ):  # fmt: skip
            assert field in key
        public = bytes.fromhex(key["public_key"])
        signed = await nsl.sign(key["key_id"], DATA)
        assert neo_crypto.verify_signature(DATA, bytes.fromhex(signed["signature"]), public)
        checked = await nsl.verify(key["key_id"], DATA, bytes.fromhex(signed["signature"]))
        assert checked["valid"] is True and checked["key_version"] == 1

        k1 = await nsl.create_managed_key("secp256k1", usages=["sign", "encrypt", "decrypt"])
        assert k1["evm_address"].startswith("0x")
        sealed = await nsl.encrypt(k1["key_id"], b"secret", aad=b"ctx")
        opened = await nsl.decrypt(k1["key_id"], sealed["ciphertext"], aad=b"ctx")
        assert opened["plaintext"] == "c2VjcmV0"
        hidden = await nsl.data_key(k1["key_id"], plaintext=False)
        assert set(hidden) == {"ciphertext", "key_version"}

        rotated = await nsl.rotate_managed_key(key["key_id"])
        assert rotated["version"] == 2
        updated = await nsl.update_managed_key(key["key_id"], min_verify_version=2)
        assert updated["min_verify_version"] == 2
        listed = await nsl.list_managed_keys(key_type="secp256r1")
        assert [k["key_id"] for k in listed["items"]] == [key["key_id"]]
        revoked = await nsl.revoke_managed_key(key["key_id"], "retired")
        assert revoked["status"] == "revoked"
        try:
            await nsl.sign(key["key_id"], DATA)
        except ApiError as exc:
            assert exc.status == 409 and exc.code == "keys.revoked"
        else:
            raise AssertionError("a revoked key signed")


async def test_bad_input_is_a_problem_naming_the_field(api: Api) -> None:
    alice = await api.user("alice")
    http = api.http
    body = problem(
        await http.post(KEYS, json={"key_type": "rsa"}, headers=alice), 400, "keys.invalid_input"
    )
    assert body["errors"][0]["field"] == "key_type"
    assert "secp256r1, secp256k1, ed25519" in body["detail"]
    key = (await http.post(KEYS, json={"key_type": "secp256r1"}, headers=alice)).json()
    sign = f"{KEYS}/{key['key_id']}/sign"
    bad_hex = problem(
        await http.post(sign, json={"data": "0xZZ"}, headers=alice), 400, "keys.invalid_input"
    )
    assert bad_hex["errors"][0] == {
        "field": "data",
        "rule": "hex",
        "message": bad_hex["errors"][0]["message"],
    }
    wrong_scheme = problem(
        await http.post(sign, json={"data": "00", "scheme": "eip191"}, headers=alice),
        400,
        "keys.invalid_input",
    )
    assert "ecdsa-sha256, neo-n3-tx" in wrong_scheme["detail"]
    problem(
        await http.post(
            f"{KEYS}/{key['key_id']}/encrypt", json={"plaintext": "AA=="}, headers=alice
        ),
        400,
        "keys.usage_not_allowed",
    )
    problem(
        await http.post(f"{KEYS}/{key['key_id']}/revoke", json={}, headers=alice),
        422,
        "request.invalid",
    )
    problem(await http.get(f"{KEYS}?status=lost", headers=alice), 400, "keys.invalid_input")
    raw = alice | {"content-type": "application/json"}
    problem(await http.post(sign, content=b"{data", headers=raw), 400, "request.malformed_json")
    typed = problem(await http.post(sign, json={"data": 5}, headers=alice), 422, "request.invalid")
    assert typed["errors"][0]["field"] == "data"
    verify = f"{KEYS}/{key['key_id']}/verify"
    missing = problem(
        await http.post(verify, json={"data": "00"}, headers=alice), 422, "request.invalid"
    )
    assert missing["errors"][0]["field"] == "signature"
    extra = problem(
        await http.post(sign, json={"data": "00", "x": 1}, headers=alice), 422, "request.invalid"
    )
    assert extra["errors"][0]["field"] == "x"

    bob = await api.user("bob", ["developer"])
    problem(await http.get(f"{KEYS}/{key['key_id']}", headers=bob), 404, "keys.not_found")
    problem(await http.post(sign, json={"data": "00"}, headers=bob), 404, "keys.not_found")
    auditor = await api.user("carol", ["auditor"])
    problem(
        await http.post(KEYS, json={"key_type": "ed25519"}, headers=auditor),
        403,
        "auth.role_required",
    )
    problem(await http.get(KEYS), 401, "auth.unauthenticated")


async def test_delete_and_export_need_a_fresh_totp_code(api: Api) -> None:
    alice = await api.user("alice")
    key = (
        await api.http.post(KEYS, json={"key_type": "secp256r1", "exportable": True}, headers=alice)
    ).json()
    path = f"{KEYS}/{key['key_id']}"
    recipient = ec.generate_private_key(ec.SECP256R1())
    export = {"recipient_public_key": compressed(recipient.public_key()).hex()}
    problem(await api.http.delete(path, headers=alice), 403, "auth.totp_required")
    not_enrolled = alice | {"X-TOTP-Code": "123456"}
    problem(await api.http.delete(path, headers=not_enrolled), 403, "auth.totp_not_enrolled")

    authenticator = await api.enrol_totp(alice)
    problem(await api.http.delete(path, headers=alice), 403, "auth.totp_required")
    wrong = alice | {"X-TOTP-Code": "000000"}
    problem(
        await api.http.post(f"{path}/export", json=export, headers=wrong), 403, "auth.invalid_totp"
    )
    code = api.fresh_code(authenticator)
    exported = await api.http.post(
        f"{path}/export", json=export, headers=alice | {"X-TOTP-Code": code}
    )
    assert exported.status_code == 200, exported.text
    replay = await api.http.delete(path, headers=alice | {"X-TOTP-Code": code})
    problem(replay, 403, "auth.invalid_totp")

    deleted = await api.http.delete(
        path, headers=alice | {"X-TOTP-Code": api.fresh_code(authenticator)}
    )
    assert deleted.status_code == 200 and deleted.json()["status"] == "deleted"
    problem(
        await api.http.post(f"{path}/sign", json={"data": "00"}, headers=alice), 409, "keys.deleted"
    )
    restored = await api.http.post(f"{path}/restore", headers=alice)
    assert restored.json()["status"] == "active"


async def test_exports_unwrap_to_the_keys_private_half(api: Api) -> None:
    alice = await api.user("alice")
    authenticator = await api.enrol_totp(alice)
    recipient = ec.generate_private_key(ec.SECP256R1())
    async with client(api, alice) as nsl:
        for key_type in ("secp256r1", "secp256k1", "ed25519"):
            key = await nsl.create_managed_key(key_type, exportable=True)
            answer = await nsl.export_managed_key(
                key["key_id"],
                compressed(recipient.public_key()),
                totp_code=api.fresh_code(authenticator),
            )
            assert answer["format"] == "nsl-export-v1" and answer["key_version"] == 1
            secret = unwrap_export(bytes.fromhex(answer["wrapped_key"]), recipient, key_type)
            assert public_of(key_type, secret).hex() == key["public_key"]

        plain = await nsl.create_managed_key("secp256r1")
        try:
            await nsl.export_managed_key(
                plain["key_id"], compressed(recipient.public_key()), api.fresh_code(authenticator)
            )
        except ApiError as exc:
            assert exc.status == 403 and exc.code == "keys.not_exportable"
        else:
            raise AssertionError("a non-exportable key was exported")


def public_of(key_type: str, secret: bytes) -> bytes:
    if key_type == "secp256r1":
        private = ec.derive_private_key(int.from_bytes(secret, "big"), ec.SECP256R1())
        return compressed(private.public_key())
    if key_type == "secp256k1":
        return eth_keys.PrivateKey(secret).public_key.to_compressed_bytes()
    return Ed25519PrivateKey.from_private_bytes(secret).public_key().public_bytes_raw()


async def test_ciphertexts_open_with_the_exported_key_and_documented_aad(api: Api) -> None:
    alice = await api.user("alice")
    authenticator = await api.enrol_totp(alice)
    recipient = ec.generate_private_key(ec.SECP256R1())
    async with client(api, alice) as nsl:
        key = await nsl.create_managed_key(
            "secp256r1", usages=["encrypt", "decrypt"], exportable=True
        )
        sealed = await nsl.encrypt(key["key_id"], b"attack at dawn", aad=b"\x01\x02")
        answer = await nsl.export_managed_key(
            key["key_id"], compressed(recipient.public_key()), api.fresh_code(authenticator)
        )
    secret = unwrap_export(bytes.fromhex(answer["wrapped_key"]), recipient, "secp256r1")
    private = ec.derive_private_key(int.from_bytes(secret, "big"), ec.SECP256R1())
    version, body = sealed["ciphertext"].removeprefix("nsl:v").split(":")
    blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert version == "1" and blob[0] == 1
    ephemeral, nonce, ciphertext = blob[1:34], blob[34:46], blob[46:]
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ephemeral)
    info = b"nsl-ecies-v1|secp256r1|" + ephemeral + bytes.fromhex(key["public_key"])
    shared = private.exchange(ec.ECDH(), peer)
    aes_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)
    aad = f"nsl-keys|{key['key_id']}|v1|".encode() + b"\x01\x02"
    assert AESGCM(aes_key).decrypt(nonce, ciphertext, aad) == b"attack at dawn"


async def test_fast_path_and_framework_route_answer_alike(api: Api) -> None:
    alice = await api.user("alice")
    key = (await api.http.post(KEYS, json={"key_type": "secp256k1"}, headers=alice)).json()
    sign = f"{KEYS}/{key['key_id']}/sign"
    answers = [
        await api.http.post(sign + suffix, json={"data": DATA.hex()}, headers=alice)
        for suffix in ("", "?via=framework")
    ]
    assert [a.status_code for a in answers] == [200, 200]
    bodies = [a.json() for a in answers]
    assert {b["scheme"] for b in bodies} == {"eip191"}
    assert all(b.keys() == {"signature", "key_version", "scheme"} for b in bodies)
    problem(
        await api.http.post(sign + "?via=framework", json={"data": 5}, headers=alice),
        422,
        "request.invalid",
    )
    metrics = (await api.http.get("/metrics")).text
    assert 'route="/api/v1/keys/{key_id}/sign"' in metrics and key["key_id"] not in metrics

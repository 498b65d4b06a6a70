"""No private key, data key or encrypted plaintext appears in the database file or the logs.

The private keys to look for are obtained the legitimate way: exported (with TOTP) and
unwrapped by the test itself.
"""

from __future__ import annotations

import base64
import logging
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from keys_harness import Api, client, compressed, unwrap_export


def spellings(secret: bytes) -> list[bytes]:
    return [
        secret,
        secret.hex().encode(),
        secret.hex().upper().encode(),
        base64.b64encode(secret),
        base64.urlsafe_b64encode(secret).rstrip(b"="),
    ]


async def test_database_file_and_logs_hold_no_secret(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alice = await api.user("alice")
    authenticator = await api.enrol_totp(alice)
    recipient = ec.generate_private_key(ec.SECP256R1())
    secrets: list[bytes] = []
    async with client(api, alice) as nsl:
        for key_type in ("secp256r1", "secp256k1", "ed25519"):
            usages = ["sign", "verify"] + (["encrypt", "decrypt"] if key_type != "ed25519" else [])
            key = await nsl.create_managed_key(key_type, usages=usages, exportable=True)
            await nsl.sign(key["key_id"], b"some data")
            await nsl.rotate_managed_key(key["key_id"])
            for version in (1, 2):
                wrapped = await nsl.export_managed_key(
                    key["key_id"],
                    compressed(recipient.public_key()),
                    totp_code=api.fresh_code(authenticator),
                    key_version=version,
                )
                secrets.append(
                    unwrap_export(bytes.fromhex(wrapped["wrapped_key"]), recipient, key_type)
                )
            if key_type == "ed25519":
                continue
            plaintext = os.urandom(32)
            secrets.append(plaintext)
            sealed = await nsl.encrypt(key["key_id"], plaintext)
            assert (
                base64.b64decode(
                    (await nsl.decrypt(key["key_id"], sealed["ciphertext"]))["plaintext"]
                )
                == plaintext
            )
            for _ in range(2):
                issued = await nsl.data_key(key["key_id"])
                secrets.append(base64.b64decode(issued["plaintext"]))
    await api.keys.run_task_once("flush_usage")
    assert len(secrets) == 6 + 2 * 3 and all(len(s) == 32 for s in secrets)

    data_dir = api.settings.data_dir
    stored = b"".join(
        (data_dir / name).read_bytes()
        for name in ("nsl.db", "nsl.db-wal")
        if (data_dir / name).exists()
    )
    assert len(stored) > 10_000
    logs = caplog.text.encode()
    assert b"rotated" in logs  # the capture works
    for secret in secrets:
        for spelling in spellings(secret):
            assert spelling not in stored
            assert spelling not in logs

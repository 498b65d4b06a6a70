"""Key management endpoints (``/api/v1/keys``): create, list, read, update, sign, verify,
rotate, revoke, encrypt, decrypt, data keys, export, delete and restore.

Byte arguments are ``bytes`` (sent as hex, plaintexts as base64); delete and export take the
caller's current TOTP code.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from nsl.client import results
from nsl.client.base import Call, drop_none, endpoint, path_segment
from nsl.client.results import JsonObject, Page

PREFIX = "/api/v1/keys"
TOTP_HEADER = "X-TOTP-Code"
_UNSET: Any = object()


def _key(key_id: str, action: str = "") -> str:
    path = f"{PREFIX}/{path_segment(key_id)}"
    return f"{path}/{action}" if action else path


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class KeysEndpoints:
    @endpoint
    def create_managed_key(
        self,
        key_type: str,
        usages: list[str] | None = None,
        exportable: bool = False,
        name: str | None = None,
        rotation_period_days: int | None = _UNSET,
        expires_at: datetime | None = None,
        rate_limit_per_minute: int | None = None,
    ) -> Call[JsonObject]:
        """A new key; ``rotation_period_days=None`` means never rotate (omitted: the default)."""
        body: dict[str, Any] = {"key_type": key_type, "exportable": exportable}
        body |= drop_none(
            usages=usages,
            name=name,
            expires_at=expires_at.isoformat() if expires_at else None,
            rate_limit_per_minute=rate_limit_per_minute,
        )
        if rotation_period_days is not _UNSET:
            body["rotation_period_days"] = rotation_period_days
        return Call("POST", PREFIX, results.json_object, json=body)

    @endpoint
    def list_managed_keys(
        self,
        key_type: str | None = None,
        status: str | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Call[Page]:
        params = {"key_type": key_type, "status": status, "page": page, "page_size": page_size}
        return Call("GET", PREFIX, results.json_body, params=params)

    @endpoint
    def get_managed_key(self, key_id: str) -> Call[JsonObject]:
        return Call("GET", _key(key_id), results.json_object)

    @endpoint
    def update_managed_key(
        self,
        key_id: str,
        name: str | None = _UNSET,
        min_verify_version: int | None = _UNSET,
        rotation_period_days: int | None = _UNSET,
        rate_limit_per_minute: int | None = _UNSET,
    ) -> Call[JsonObject]:
        """Change only the arguments given; ``None`` resets a policy to never / the default."""
        given = {
            "name": name,
            "min_verify_version": min_verify_version,
            "rotation_period_days": rotation_period_days,
            "rate_limit_per_minute": rate_limit_per_minute,
        }
        body = {k: v for k, v in given.items() if v is not _UNSET}
        return Call("PATCH", _key(key_id), results.json_object, json=body)

    @endpoint
    def sign(
        self, key_id: str, data: bytes, scheme: str | None = None, prehashed: bool = False
    ) -> Call[JsonObject]:
        """``{"signature", "key_version", "scheme"}`` (hex signature)."""
        body = {"data": data.hex(), "prehashed": prehashed} | drop_none(scheme=scheme)
        return Call("POST", _key(key_id, "sign"), results.json_object, json=body)

    @endpoint
    def sign_neo_n3_transaction(
        self, key_id: str, transaction: bytes, network_magic: int, submit: bool = False
    ) -> Call[JsonObject]:
        """The key account's witness (``invocation_script``, ``verification_script``...);
        ``submit=True`` also sends it and adds ``submitted`` (tx hash, block, state)."""
        body = {
            "scheme": "neo-n3-tx",
            "transaction": transaction.hex(),
            "network_magic": network_magic,
            "submit": submit,
        }
        return Call("POST", _key(key_id, "sign"), results.json_object, json=body)

    @endpoint
    def sign_evm_transaction(
        self, key_id: str, transaction: dict[str, Any], submit: bool = False
    ) -> Call[JsonObject]:
        """A signed EIP-1559 transaction: ``raw_transaction`` and ``tx_hash``; ``submit=True``
        also sends it and adds ``submitted`` (tx hash, block, state)."""
        body = {"scheme": "evm-eip1559", "transaction": transaction, "submit": submit}
        return Call("POST", _key(key_id, "sign"), results.json_object, json=body)

    @endpoint
    def verify(
        self,
        key_id: str,
        data: bytes,
        signature: bytes,
        scheme: str | None = None,
        prehashed: bool = False,
        key_version: int | None = None,
    ) -> Call[JsonObject]:
        """``{"valid", "key_version", ...}`` (``reason`` when not valid)."""
        body = {"data": data.hex(), "signature": signature.hex(), "prehashed": prehashed}
        body |= drop_none(scheme=scheme, key_version=key_version)
        return Call("POST", _key(key_id, "verify"), results.json_object, json=body)

    @endpoint
    def rotate_managed_key(self, key_id: str) -> Call[JsonObject]:
        return Call("POST", _key(key_id, "rotate"), results.json_object)

    @endpoint
    def revoke_managed_key(self, key_id: str, reason: str) -> Call[JsonObject]:
        return Call("POST", _key(key_id, "revoke"), results.json_object, json={"reason": reason})

    @endpoint
    def encrypt(self, key_id: str, plaintext: bytes, aad: bytes | None = None) -> Call[JsonObject]:
        """``{"ciphertext": "nsl:v<n>:...", "key_version"}``."""
        body = {"plaintext": _b64(plaintext)} | drop_none(aad=aad.hex() if aad else None)
        return Call("POST", _key(key_id, "encrypt"), results.json_object, json=body)

    @endpoint
    def decrypt(self, key_id: str, ciphertext: str, aad: bytes | None = None) -> Call[JsonObject]:
        """``{"plaintext" (base64), "key_version"}``."""
        body = {"ciphertext": ciphertext} | drop_none(aad=aad.hex() if aad else None)
        return Call("POST", _key(key_id, "decrypt"), results.json_object, json=body)

    @endpoint
    def data_key(
        self, key_id: str, aad: bytes | None = None, plaintext: bool = True
    ) -> Call[JsonObject]:
        """``{"plaintext" (base64, unless plaintext=False), "ciphertext", "key_version"}``."""
        body = drop_none(aad=aad.hex() if aad else None)
        params = {"plaintext": None if plaintext else "false"}
        return Call("POST", _key(key_id, "datakey"), results.json_object, json=body, params=params)

    @endpoint
    def export_managed_key(
        self,
        key_id: str,
        recipient_public_key: bytes,
        totp_code: str,
        key_version: int | None = None,
    ) -> Call[JsonObject]:
        """``{"wrapped_key", "format": "nsl-export-v1", "key_version"}`` (exportable keys only)."""
        body = {"recipient_public_key": recipient_public_key.hex()}
        body |= drop_none(key_version=key_version)
        headers = {TOTP_HEADER: totp_code}
        return Call("POST", _key(key_id, "export"), results.json_object, json=body, headers=headers)

    @endpoint
    def delete_managed_key(self, key_id: str, totp_code: str) -> Call[JsonObject]:
        """Soft delete; restorable until the answer's ``destroy_at``."""
        headers = {TOTP_HEADER: totp_code}
        return Call("DELETE", _key(key_id), results.json_object, headers=headers)

    @endpoint
    def restore_managed_key(self, key_id: str) -> Call[JsonObject]:
        return Call("POST", _key(key_id, "restore"), results.json_object)

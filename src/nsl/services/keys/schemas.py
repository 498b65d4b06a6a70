"""Request bodies of the keys API (unknown fields are refused).

Byte fields are hex strings (``0x`` optional) except plaintexts, which are base64 as in
Vault and KMS; the service checks them and answers 400 naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateKey(_Body):
    key_type: str = Field(description="secp256r1 (Neo N3), secp256k1 (Neo X) or ed25519")
    usages: list[str] | None = Field(None, description="sign, verify, encrypt, decrypt")
    exportable: bool = Field(False, description="allow export (wrapped, with TOTP) later")
    name: str | None = Field(None, description="unique among your keys")
    rotation_period_days: int | None = Field(
        None, description="automatic rotation; omitted: the default (90), null: never"
    )
    expires_at: datetime | None = Field(None, description="after this the key is expired")
    rate_limit_per_minute: int | None = Field(None, description="omitted: the default")


class UpdateKey(_Body):
    """Only the fields sent change; ``null`` resets a policy to never / the default."""

    name: str | None = None
    min_verify_version: int | None = None
    rotation_period_days: int | None = None
    rate_limit_per_minute: int | None = None


class SignBody(_Body):
    data: str | None = Field(None, description="hex; for the raw-data schemes")
    scheme: str | None = Field(None, description="default: the key type's usual scheme")
    prehashed: bool = Field(False, description="data is the 32-byte digest (ecdsa-*)")
    transaction: str | dict[str, Any] | None = Field(
        None, description="neo-n3-tx: unsigned tx hex; evm-eip1559: web3-style fields"
    )
    network_magic: int | None = Field(None, description="neo-n3-tx: the network's magic")
    submit: bool = Field(
        False, description="transaction schemes: also send it and wait for its block"
    )


class VerifyBody(_Body):
    data: str
    signature: str
    scheme: str | None = None
    prehashed: bool = False
    key_version: int | None = None


class RevokeBody(_Body):
    reason: str


class EncryptBody(_Body):
    plaintext: str = Field(description="base64, up to 64 KiB")
    aad: str | None = Field(None, description="hex; must be given again to decrypt")


class DecryptBody(_Body):
    ciphertext: str = Field(description="nsl:v<version>:<base64url>")
    aad: str | None = None


class DataKeyBody(_Body):
    aad: str | None = None


class ExportBody(_Body):
    recipient_public_key: str = Field(description="hex P-256 public key to wrap the key for")
    key_version: int | None = None

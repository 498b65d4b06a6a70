"""Ciphertexts as the API shows them: ``nsl:v<version>:<base64url>`` (the version picks the key
version to decrypt with, as Vault's ``vault:vN:``), and the associated data bound to them."""

from __future__ import annotations

import base64
import binascii
import re

from nsl.services.keys.errors import InvalidInput

_FORMAT = re.compile(r"nsl:v([1-9][0-9]{0,8}):([A-Za-z0-9_-]+={0,2})")
MAX_CIPHERTEXT_CHARS = 200_000


def encode(version: int, blob: bytes) -> str:
    return f"nsl:v{version}:" + base64.urlsafe_b64encode(blob).rstrip(b"=").decode()


def decode(text: str, field: str = "ciphertext") -> tuple[int, bytes]:
    match = _FORMAT.fullmatch(text) if len(text) <= MAX_CIPHERTEXT_CHARS else None
    if match is None:
        raise InvalidInput.on(field, "format", "must be nsl:v<version>:<base64url>")
    body = match.group(2).rstrip("=")
    try:
        blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise InvalidInput.on(
            field, "base64", "the part after the version is not base64url"
        ) from None
    return int(match.group(1)), blob


def associated_data(key_id: str, version: int, caller_aad: bytes) -> bytes:
    """What AES-GCM authenticates besides the ciphertext: the key, its version, the caller's."""
    return f"nsl-keys|{key_id}|v{version}|".encode() + caller_aad

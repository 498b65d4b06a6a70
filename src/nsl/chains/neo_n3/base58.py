"""Base58Check (Bitcoin alphabet, 4-byte double-SHA-256 checksum) as Neo N3 addresses use it."""

from __future__ import annotations

import hashlib

from nsl.core.errors import ValidationFailed

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: value for value, char in enumerate(ALPHABET)}


def _checksum(payload: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def b58encode(data: bytes) -> str:
    zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(ALPHABET[rest])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str, field: str) -> bytes:
    number = 0
    for char in text:
        value = _INDEX.get(char)
        if value is None:
            raise ValidationFailed.on(field, "base58", f"{char!r} is not a base58 character")
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * zeros + body


def b58check_encode(payload: bytes) -> str:
    return b58encode(payload + _checksum(payload))


def b58check_decode(text: str, field: str) -> bytes:
    """The payload of a Base58Check string; ValidationFailed naming ``field`` if it is broken."""
    raw = b58decode(text, field)
    if len(raw) < 5:
        raise ValidationFailed.on(field, "base58check", "too short to carry a checksum")
    payload, checksum = raw[:-4], raw[-4:]
    if _checksum(payload) != checksum:
        raise ValidationFailed.on(field, "base58check", "checksum does not match")
    return payload

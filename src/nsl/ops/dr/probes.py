"""Probes through the HTTP API: an enclave key that must keep signing, configuration values.

Signatures are verified here with ``cryptography``, not by asking the service layer.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

KEYS = "/api/v1/keys"
CONFIG = "/api/v1/configuration"


def _client(url: str, admin_key: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"X-API-Key": admin_key}, timeout=10)


@dataclass(frozen=True)
class KeyProbe:
    key_id: str
    public_key: str  # hex, Ed25519
    created_at: float


def create_key(url: str, admin_key: str, name: str) -> KeyProbe:
    with _client(url, admin_key) as client:
        response = client.post(KEYS, json={"key_type": "ed25519", "name": name})
    response.raise_for_status()
    body = response.json()
    return KeyProbe(body["key_id"], body["public_key"], time.time())


@dataclass(frozen=True)
class SignCheck:
    signs: bool
    detail: str
    data: str = ""  # hex, what was signed
    signature: str = ""  # hex, as the service layer returned it


def signs_with_same_key(url: str, admin_key: str, key: KeyProbe) -> SignCheck:
    """Ask the service layer to sign fresh data; verify it against the recorded public key."""
    data = os.urandom(32)
    with _client(url, admin_key) as client:
        response = client.post(f"{KEYS}/{key.key_id}/sign", json={"data": data.hex()})
    if response.status_code != 200:
        return SignCheck(False, f"sign answered {response.status_code}: {response.text[:300]}")
    signature = bytes.fromhex(response.json()["signature"].removeprefix("0x"))
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(key.public_key)).verify(signature, data)
    except InvalidSignature:
        detail = "the signature does not verify under the recorded public key"
        return SignCheck(False, detail, data.hex(), signature.hex())
    detail = "signature verified under the recorded public key"
    return SignCheck(True, detail, data.hex(), signature.hex())


@dataclass(frozen=True)
class ConfigChange:
    key: str
    value: int
    acked_at: float


def set_config(url: str, admin_key: str, key: str, value: int) -> ConfigChange:
    with _client(url, admin_key) as client:
        response = client.put(f"{CONFIG}/{key}", json={"value": value})
    response.raise_for_status()
    return ConfigChange(key, value, time.time())


def config_present(url: str, admin_key: str, change: ConfigChange) -> bool:
    with _client(url, admin_key) as client:
        response = client.get(f"{CONFIG}/{change.key}")
    return response.status_code == 200 and response.json().get("value") == change.value

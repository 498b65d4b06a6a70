"""The dev neo-go node's own validator key: made once per workdir (files mode 0600), reused on
restart. It is a throw-away local key; the genesis GAS sits on its 1-of-1 committee multisig.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from neo3.wallet.account import Account
from neo3.wallet.scrypt_parameters import ScryptParameters
from neo3.wallet.wallet import Wallet

from nsl.chains.neo_n3.accounts import (
    PUSHDATA1,
    SYSCALL,
    hash160,
    script_hash_to_address,
    verification_script,
)

KEY_FILE = "validator.pem"
WALLET_FILE = "wallet.json"
PASSWORD_FILE = "wallet.password"
DEV_SCRYPT = ScryptParameters(n=1024, r=8, p=8)  # cheap on purpose: dev keys only
PUSH1 = 0x11
CHECK_MULTISIG_ID = bytes.fromhex("9ed0dc3a")  # System.Crypto.CheckMultisig


def multisig_script(public_key: bytes) -> bytes:
    """PUSH1 PUSHDATA1 <key> PUSH1 SYSCALL CheckMultisig: the 1-of-1 committee account."""
    return bytes([PUSH1, PUSHDATA1, 33]) + public_key + bytes([PUSH1, SYSCALL]) + CHECK_MULTISIG_ID


@dataclass(frozen=True, repr=False)
class DevValidator:
    """The validator key and the committee multisig account it controls."""

    private_key: ec.EllipticCurvePrivateKey

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )

    @property
    def committee_script(self) -> bytes:
        return multisig_script(self.public_key)

    @property
    def committee_hash(self) -> bytes:
        """Little-endian script hash of the committee (= validators) multisig."""
        return hash160(self.committee_script)

    @property
    def committee_address(self) -> str:
        return script_hash_to_address(self.committee_hash)

    async def sign(self, message: bytes) -> bytes:
        """ECDSA-P256/SHA-256 of ``message`` as 64-byte r ‖ s."""
        r, s = decode_dss_signature(self.private_key.sign(message, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def __repr__(self) -> str:
        return f"DevValidator(public_key={self.public_key.hex()}, private_key=<hidden>)"


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def load_validator(workdir: Path) -> DevValidator:
    """The validator key of a workdir already set up by :func:`ensure_validator`."""
    key = serialization.load_pem_private_key((workdir / KEY_FILE).read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError(f"{workdir / KEY_FILE} is not a secp256r1 key")
    return DevValidator(key)


def ensure_validator(workdir: Path) -> tuple[DevValidator, Path, str]:
    """The validator, its NEP-6 wallet file and the wallet password; made on first use."""
    workdir.mkdir(parents=True, exist_ok=True)
    key_path = workdir / KEY_FILE
    if not key_path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(key_path, pem)
    validator = load_validator(workdir)
    wallet_path, password_path = workdir / WALLET_FILE, workdir / PASSWORD_FILE
    if (
        not wallet_path.exists()
        or not password_path.exists()
        or not _wallet_holds(wallet_path, validator)
    ):
        password = secrets.token_hex(16)
        secret = validator.private_key.private_numbers().private_value.to_bytes(32, "big")
        account = Account.from_private_key(secret, password, scrypt_parameters=DEV_SCRYPT)
        wallet = Wallet(scrypt_params=DEV_SCRYPT, accounts=[account])
        _write_private(wallet_path, json.dumps(wallet.to_json()).encode())
        _write_private(password_path, password.encode())
    return validator, wallet_path, password_path.read_text().strip()


def _wallet_holds(wallet_path: Path, validator: DevValidator) -> bool:
    """Whether the wallet file has the validator's standard account (else it is rewritten)."""
    data = json.loads(wallet_path.read_text())
    expected = verification_script(validator.public_key)
    return any(
        base64.b64decode(account.get("contract", {}).get("script", "")) == expected
        for account in data.get("accounts", [])
    )

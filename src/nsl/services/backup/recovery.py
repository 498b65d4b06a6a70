"""The operator recovery key: an X25519 pair whose private half is split k-of-n (Shamir).

The 32-byte private key is split as two 16-byte halves with pycryptodome's Shamir scheme over
GF(2^128), both halves at the same share index. A share file carries its index, the threshold,
the recovery public key and the two share values; combining fewer than k shares yields a
wrong key, which is detected by comparing the derived public key with the recorded one.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass
from pathlib import Path

from Crypto.Protocol.SecretSharing import Shamir
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from nsl.core.settings import Settings
from nsl.services.backup.errors import InvalidInput
from nsl.services.backup.keywrap import recovery_key_id

SHARE_FORMAT = "nsl-recovery-share-v1"


@dataclass(frozen=True)
class Ceremony:
    public_key: bytes
    key_id: str
    share_files: list[Path]
    public_file: Path


def _public(private: bytes) -> bytes:
    key = X25519PrivateKey.from_private_bytes(private)
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def init(out: Path, shares: int, threshold: int) -> Ceremony:
    """A fresh recovery pair; writes ``share-<i>-of-<n>.json`` (0600) and ``recovery.pub``."""
    if not 2 <= threshold <= shares <= 255:
        raise InvalidInput.on("threshold", "range", "need 2 <= threshold <= shares <= 255")
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    existing = sorted(out.glob("share-*-of-*.json"))
    if existing:
        raise InvalidInput.on("out", "empty", f"{out} already holds share files")
    private = os.urandom(32)
    public = _public(private)
    low = Shamir.split(threshold, shares, private[:16], ssss=False)
    high = Shamir.split(threshold, shares, private[16:], ssss=False)
    files = []
    for (index, first), (_, second) in zip(low, high, strict=True):
        document = {
            "format": SHARE_FORMAT,
            "index": index,
            "threshold": threshold,
            "shares": shares,
            "public_key": base64.b64encode(public).decode(),
            "key_id": recovery_key_id(public),
            "halves": [first.hex(), second.hex()],
        }
        path = out / f"share-{index}-of-{shares}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
        files.append(path)
    public_file = out / "recovery.pub"
    public_file.write_text(base64.b64encode(public).decode() + "\n", encoding="ascii")
    return Ceremony(public, recovery_key_id(public), files, public_file)


def combine(paths: list[Path]) -> bytes:
    """The recovery private key from at least ``threshold`` share files."""
    documents = []
    for path in paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput.on("share", "readable", f"{path} is not a share file") from exc
        if not isinstance(document, dict) or document.get("format") != SHARE_FORMAT:
            raise InvalidInput.on("share", "format", f"{path} is not an {SHARE_FORMAT} file")
        documents.append(document)
    if not documents:
        raise InvalidInput.on("share", "required", "give the recovery key shares (--share FILE)")
    publics = {d["public_key"] for d in documents}
    if len(publics) != 1:
        raise InvalidInput.on("share", "same_key", "the shares belong to different recovery keys")
    indexes = {int(d["index"]) for d in documents}
    threshold = int(documents[0]["threshold"])
    if len(indexes) < threshold:
        raise InvalidInput.on(
            "share", "threshold", f"{len(indexes)} distinct shares given; {threshold} are needed"
        )
    unique = {int(d["index"]): d for d in documents}
    try:
        low = Shamir.combine(
            [(i, bytes.fromhex(d["halves"][0])) for i, d in unique.items()], ssss=False
        )
        high = Shamir.combine(
            [(i, bytes.fromhex(d["halves"][1])) for i, d in unique.items()], ssss=False
        )
    except (ValueError, KeyError, IndexError) as exc:
        raise InvalidInput.on("share", "format", "a share file is malformed") from exc
    private = low + high
    if _public(private) != base64.b64decode(publics.pop()):
        raise InvalidInput.on("share", "reconstruct", "the shares do not rebuild the recovery key")
    return private


def configured_public_key(settings: Settings) -> bytes:
    """``NSL_BACKUP__RECOVERY_PUBLIC_KEY`` (base64 or hex) or the file it names."""
    text = settings.backup.recovery_public_key
    source = "NSL_BACKUP__RECOVERY_PUBLIC_KEY"
    if text is None and settings.backup.recovery_public_key_file is not None:
        source = "NSL_BACKUP__RECOVERY_PUBLIC_KEY_FILE"
        try:
            text = Path(settings.backup.recovery_public_key_file).read_text(encoding="ascii")
        except OSError as exc:
            raise InvalidInput.on(source, "readable", "cannot read the recovery key") from exc
    if text is None:
        raise InvalidInput.on(
            "NSL_BACKUP__RECOVERY_PUBLIC_KEY",
            "required",
            "keys backups need a recovery public key: run 'nsl backup recovery-key init'",
        )
    text = text.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput.on(source, "format", "not base64 or hex") from exc
    if len(raw) != 32:
        raise InvalidInput.on(source, "length", "an X25519 public key is 32 bytes")
    return raw

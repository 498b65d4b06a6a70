"""Attestation reports: which provider answered, the enclave code's measurement, caller data.

The report body is canonical JSON (sorted keys, no spaces) signed with Ed25519 by the
enclave's identity key. ``measurement`` is SHA-256 over the enclave package's source files
(relative path and bytes, in path order), so a changed enclave changes the measurement. A
software report says so plainly: it proves which code and identity key answered, not that the
host is isolated.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature

from nsl.core.enclave import AttestationReport
from nsl.core.errors import ValidationFailed
from nsl.enclave import points

FORMAT = "nsl-attestation-v1"
MAX_USER_DATA = 1024
SOFTWARE_NOTICE = (
    "software provider: keys are sealed under a master key and used in this process's memory; "
    "no hardware isolation"
)


@functools.cache
def measurement() -> str:
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix().encode()
        digest.update(len(relative).to_bytes(4, "big") + relative)
        content = path.read_bytes()
        digest.update(len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()


def make_report(
    *,
    provider: str,
    identity_public_key: bytes,
    user_data: bytes,
    now: datetime,
    sign: Callable[[bytes], bytes],
    hardware: bool,
    notice: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AttestationReport:
    """``details`` adds provider facts (e.g. ``{"token": {...}}``) beside the fixed fields."""
    if len(user_data) > MAX_USER_DATA:
        raise ValidationFailed.on("user_data", "max_bytes", f"at most {MAX_USER_DATA} bytes")
    document: dict[str, Any] = {
        "format": FORMAT,
        "provider": provider,
        "hardware_isolation": hardware,
        "measurement": measurement(),
        "identity_public_key": identity_public_key.hex(),
        "user_data": user_data.hex(),
        "timestamp": now.isoformat(),
    }
    for name, value in (details or {}).items():
        document.setdefault(name, value)
    if not hardware:
        document["notice"] = notice or SOFTWARE_NOTICE
    body = orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    return AttestationReport(body, sign(body), identity_public_key, document)


def verify_report(
    body: bytes, signature: bytes, expected_measurement: str | None = None
) -> dict[str, Any]:
    """The report's document if its signature holds (and the measurement matches, if given)."""
    try:
        document: dict[str, Any] = orjson.loads(body)
        identity = bytes.fromhex(document["identity_public_key"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValidationFailed.on(
            "report", "attestation_format", "not an attestation report"
        ) from exc
    if document.get("format") != FORMAT:
        raise ValidationFailed.on("report", "attestation_format", f"format is not {FORMAT}")
    try:
        points.load_ed25519(identity, "report").verify(signature, body)
    except InvalidSignature as exc:
        raise ValidationFailed.on("signature", "attestation_signature", "does not verify") from exc
    if expected_measurement is not None and document.get("measurement") != expected_measurement:
        raise ValidationFailed.on("report", "measurement", "enclave measurement differs")
    return document

"""The manifest of one backup: a JSON document with an HMAC over every other field."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

FORMAT = "nsl-backup-v1"
KINDS = ("database-full", "database-incremental", "database-base", "wal", "keys", "config")


@dataclass
class Manifest:
    """What one backup holds and how to open it (``<target>/manifests/<id>.json``).

    ``sha256``/``stored_bytes`` describe the stored object, ``plain_bytes`` the uncompressed
    stream; ``key_id`` is a fingerprint of the wrapping key (never the key); ``wrapped_key`` is
    the per-backup data key (base64) wrapped under the backup key (master-keyed kinds) or to
    the recovery public key (``keys``). ``status`` is ``complete`` when every target was
    written, ``failed`` when some were not (``failed_targets`` names them; the copies in
    ``targets`` are still good). ``mac`` is HMAC-SHA256 over the canonical JSON of the rest.
    """

    id: str
    kind: str
    engine: str | None
    created_at: str
    parent: str | None
    covers_until: str
    plain_bytes: int
    stored_bytes: int
    sha256: str
    key_id: str
    wrapped_key: str
    status: str
    targets: list[str]
    failed_targets: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    format: str = FORMAT
    compression: str = "zstd"
    mac: str = ""

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)

    @property
    def covers(self) -> datetime:
        return datetime.fromisoformat(self.covers_until)

    def body(self) -> bytes:
        """The canonical bytes the MAC covers (every field but ``mac``)."""
        data = asdict(self)
        data.pop("mac")
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()

    def sign(self, mac_key: bytes) -> None:
        self.mac = hmac.new(mac_key, self.body(), hashlib.sha256).hexdigest()

    def mac_ok(self, mac_key: bytes) -> bool:
        expected = hmac.new(mac_key, self.body(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.mac)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, indent=2)

    def public(self) -> dict[str, Any]:
        """The JSON the CLI and the API print (the wrapped key is not useful to callers)."""
        data = asdict(self)
        data.pop("wrapped_key")
        return data

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not an nsl-backup-v1 manifest")
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})

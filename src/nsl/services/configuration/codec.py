"""How a value is stored: JSON text, or sealed (AES-256-GCM) to its environment, key and version."""

from __future__ import annotations

from dataclasses import dataclass

from nsl.core.sealing import AesGcmSealer, SealError
from nsl.services.configuration.errors import ValueUnreadable


@dataclass(frozen=True)
class Stored:
    """A value as it lies in a row: exactly one of the two forms is set."""

    json: str | None
    sealed: bytes | None


def aad(environment: str, key: str, version: int) -> bytes:
    """Associated data naming the row, so a sealed value cannot be moved to another one."""
    return b"nsl.configuration.v1\x00%s\x00%s\x00%d" % (
        environment.encode(),
        key.encode(),
        version,
    )


class ValueCodec:
    """Turns serialized values into their stored form and back."""

    def __init__(self, sealer: AesGcmSealer) -> None:
        self._sealer = sealer

    def __repr__(self) -> str:
        return "ValueCodec(<sealer>)"

    def store(
        self, data: bytes, *, secret: bool, environment: str, key: str, version: int
    ) -> Stored:
        if secret:
            return Stored(None, self._sealer.seal(data, aad(environment, key, version)))
        return Stored(data.decode("utf-8"), None)

    def load(self, stored: Stored, *, environment: str, key: str, version: int) -> bytes:
        """The value's JSON bytes (opening the seal when it is a secret)."""
        if stored.sealed is not None:
            try:
                return self._sealer.open(stored.sealed, aad(environment, key, version))
            except SealError as exc:
                raise ValueUnreadable(
                    f"the secret value of {key!r} (version {version}) does not open with the "
                    "configured master key"
                ) from exc
        if stored.json is None:
            raise ValueUnreadable(f"{key!r} (version {version}) has no stored value")
        return stored.json.encode("utf-8")

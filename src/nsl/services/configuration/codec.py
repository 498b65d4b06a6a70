"""How a value is stored: JSON text, or sealed by the enclave to its environment, key and version.

Values sealed before the enclave existed (``v1`` blobs under a key derived from the platform
master key) still open when that key is configured; every new write is sealed by the enclave.
"""

from __future__ import annotations

from dataclasses import dataclass

from nsl.core.enclave import Enclave, EnclaveDecryptFailed, SealContext
from nsl.core.sealing import VERSION as LEGACY_VERSION
from nsl.core.sealing import AesGcmSealer, SealError
from nsl.services.configuration.errors import ValueUnreadable

SERVICE = "configuration"


@dataclass(frozen=True)
class Stored:
    """A value as it lies in a row: exactly one of the two forms is set."""

    json: str | None
    sealed: bytes | None


def aad(environment: str, key: str, version: int) -> bytes:
    """Associated data of legacy blobs, naming the row."""
    return b"nsl.configuration.v1\x00%s\x00%s\x00%d" % (
        environment.encode(),
        key.encode(),
        version,
    )


def seal_context(environment: str, key: str, version: int) -> SealContext:
    """The enclave seal's binding: a sealed value cannot be moved to another row."""
    return SealContext(SERVICE, f"{environment}\x00{key}", version)


class ValueCodec:
    """Turns serialized values into their stored form and back."""

    def __init__(self, enclave: Enclave, legacy: AesGcmSealer | None = None) -> None:
        self._enclave = enclave
        self._legacy = legacy

    def __repr__(self) -> str:
        return "ValueCodec(<enclave>)"

    async def store(
        self, data: bytes, *, secret: bool, environment: str, key: str, version: int
    ) -> Stored:
        if secret:
            context = seal_context(environment, key, version)
            return Stored(None, await self._enclave.seal(context, data))
        return Stored(data.decode("utf-8"), None)

    async def load(self, stored: Stored, *, environment: str, key: str, version: int) -> bytes:
        """The value's JSON bytes (opening the seal when it is a secret)."""
        if stored.sealed is not None:
            return await self._open(stored.sealed, environment, key, version)
        if stored.json is None:
            raise ValueUnreadable(f"{key!r} (version {version}) has no stored value")
        return stored.json.encode("utf-8")

    async def _open(self, blob: bytes, environment: str, key: str, version: int) -> bytes:
        try:
            if blob.startswith(LEGACY_VERSION):
                if self._legacy is None:
                    raise SealError("legacy blob and no platform master key configured")
                return self._legacy.open(blob, aad(environment, key, version))
            return await self._enclave.unseal(seal_context(environment, key, version), blob)
        except (SealError, EnclaveDecryptFailed) as exc:
            raise ValueUnreadable(
                f"the secret value of {key!r} (version {version}) does not open with this "
                "enclave's keys"
            ) from exc

"""The sealed-blob envelope every provider writes: which enclave key sealed it, then ciphertext.

``b"S1" ‖ len(key_ref) (1 byte) ‖ key_ref (ASCII) ‖ ciphertext``. The ciphertext's associated
data is the ``SealContext`` (service, object, version), so a blob opens only for its object.
"""

from __future__ import annotations

from nsl.core.enclave import EnclaveDecryptFailed

SEAL_PREFIX = b"S1"


def pack_sealed(key_ref: str, ciphertext: bytes) -> bytes:
    ref = key_ref.encode("ascii")
    return SEAL_PREFIX + bytes([len(ref)]) + ref + ciphertext


def unpack_sealed(blob: bytes) -> tuple[str, bytes]:
    if not blob.startswith(SEAL_PREFIX) or len(blob) < 3:
        raise EnclaveDecryptFailed("not a sealed blob of this enclave")
    length = blob[2]
    ref = blob[3 : 3 + length]
    if len(ref) != length:
        raise EnclaveDecryptFailed("sealed blob is truncated")
    return ref.decode("ascii", errors="replace"), blob[3 + length :]

"""Synchronous PKCS#11 operations on one session (token thread only); keys found by CKA_ID."""

from __future__ import annotations

from typing import Any

import pkcs11
from pkcs11 import KDF, Attribute, Mechanism, ObjectClass
from pkcs11 import KeyType as P11KeyType
from pkcs11.exceptions import (
    AttributeSensitive,
    AttributeValueInvalid,
    DataLenRange,
    EncryptedDataInvalid,
    EncryptedDataLenRange,
    GeneralError,
    KeyUnextractable,
    NoSuchKey,
    PKCS11Error,
    TemplateIncomplete,
    TemplateInconsistent,
)
from pkcs11.mechanisms import GCMParams
from pkcs11.util.ec import encode_named_curve_parameters

from nsl.core.enclave import EnclaveDecryptFailed, EnclaveError, EnclaveUnsupported, KeyType

# OIDs: secp256r1 (prime256v1), secp256k1, id-Ed25519 (RFC 8410)
CURVE_OIDS = {
    KeyType.SECP256R1: "1.2.840.10045.3.1.7",
    KeyType.SECP256K1: "1.3.132.0.10",
    KeyType.ED25519: "1.3.101.112",
}
POINT_BYTES = {KeyType.SECP256R1: 65, KeyType.SECP256K1: 65, KeyType.ED25519: 32}
GENERATE = {
    KeyType.SECP256R1: Mechanism.EC_KEY_PAIR_GEN,
    KeyType.SECP256K1: Mechanism.EC_KEY_PAIR_GEN,
    KeyType.ED25519: Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
}
SIGN = {
    KeyType.SECP256R1: Mechanism.ECDSA,
    KeyType.SECP256K1: Mechanism.ECDSA,
    KeyType.ED25519: Mechanism.EDDSA,
}
_P11_TYPES = {
    KeyType.SECP256R1: P11KeyType.EC,
    KeyType.SECP256K1: P11KeyType.EC,
    KeyType.ED25519: P11KeyType.EC_EDWARDS,
}
# a token policy refusing to hand out an ECDH result
POLICY_REFUSALS = (
    AttributeSensitive,
    AttributeValueInvalid,
    KeyUnextractable,
    TemplateInconsistent,
    TemplateIncomplete,
)
# a tampered or foreign GCM ciphertext: SoftHSM2 reports a failed tag check as a general error
DECRYPT_FAILURES = (EncryptedDataInvalid, EncryptedDataLenRange, DataLenRange, GeneralError)


def curve_works(session: pkcs11.Session, mechanisms: frozenset[int], key_type: KeyType) -> bool:
    """Whether the token generates (a throw-away session pair) and signs on this curve."""
    if not {int(GENERATE[key_type]), int(SIGN[key_type])} <= mechanisms:
        return False
    try:
        public, private = _generate(session, key_type, None, None, store=False)
    except PKCS11Error:
        return False
    public.destroy()
    private.destroy()
    return True


def generate_pair(session: pkcs11.Session, key_type: KeyType, item_id: str) -> bytes:
    """A token key pair with ``CKA_ID`` = ``item_id``; returns the raw public point."""
    public, _ = _generate(session, key_type, item_id.encode(), item_id, store=True)
    return public_point(key_type, public)


def _generate(
    session: pkcs11.Session,
    key_type: KeyType,
    key_id: bytes | None,
    label: str | None,
    *,
    store: bool,
) -> tuple[Any, Any]:
    ec = key_type is not KeyType.ED25519
    common: dict[Attribute, Any] = {Attribute.TOKEN: store}
    if key_id is not None and label is not None:
        common.update({Attribute.ID: key_id, Attribute.LABEL: label})
    public_template = {
        **common,
        Attribute.EC_PARAMS: encode_named_curve_parameters(CURVE_OIDS[key_type]),
        Attribute.PRIVATE: False,
        Attribute.VERIFY: True,
    }
    private_template = {
        **common,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
        Attribute.SIGN: True,
        Attribute.DERIVE: ec,
    }
    return session.generate_keypair(
        _P11_TYPES[key_type],
        mechanism=GENERATE[key_type],
        store=store,
        public_template=public_template,
        private_template=private_template,
    )


def generate_aes(session: pkcs11.Session, item_id: str) -> None:
    """A token AES-256 key that never leaves the token, ``CKA_ID`` = ``item_id``."""
    session.generate_key(
        P11KeyType.AES,
        256,
        id=item_id.encode(),
        label=item_id,
        store=True,
        mechanism=Mechanism.AES_KEY_GEN,
        template={
            Attribute.TOKEN: True,
            Attribute.PRIVATE: True,
            Attribute.SENSITIVE: True,
            Attribute.EXTRACTABLE: False,
            Attribute.ENCRYPT: True,
            Attribute.DECRYPT: True,
            Attribute.WRAP: False,
            Attribute.UNWRAP: False,
        },
    )


def find(session: pkcs11.Session, item_id: str, object_class: ObjectClass) -> Any:
    """The token object of this class with ``CKA_ID`` = ``item_id``."""
    try:
        return session.get_key(object_class=object_class, id=item_id.encode())
    except NoSuchKey as exc:
        raise EnclaveError(
            f"enclave item {item_id} has no {object_class.name.lower()} object in the token "
            "(the token was reset or replaced, or the key was destroyed half-way)",
            code="enclave.token_object_missing",
        ) from exc


def find_pair(session: pkcs11.Session, item_id: str, key_type: KeyType) -> tuple[Any, bytes]:
    """The private key object and the raw public point of a token key pair."""
    private = find(session, item_id, ObjectClass.PRIVATE_KEY)
    return private, public_point(key_type, find(session, item_id, ObjectClass.PUBLIC_KEY))


def public_point(key_type: KeyType, public: Any) -> bytes:
    """The raw public point (uncompressed SEC1, or 32 bytes for Ed25519)."""
    value = bytes(public[Attribute.EC_POINT])
    size = POINT_BYTES[key_type]
    if len(value) == size + 2 and value[0] == 0x04 and value[1] == size:
        value = value[2:]  # DER OCTET STRING wrapper
    if len(value) != size:
        raise EnclaveError(
            f"the token returned a {len(value)}-byte {key_type} public point",
            code="enclave.token_bad_point",
        )
    return value


def sign_ecdsa(private: Any, digest: bytes) -> bytes:
    """Raw ECDSA over a digest: the token's r‖s (64 bytes, s not normalised)."""
    return bytes(private.sign(digest, mechanism=Mechanism.ECDSA))


def sign_eddsa(private: Any, message: bytes) -> bytes:
    return bytes(private.sign(message, mechanism=Mechanism.EDDSA))


def ecdh_x(private: Any, peer_uncompressed: bytes) -> bytes:
    """The ECDH shared x-coordinate with a peer point, computed in the token.

    The token derives a session-only generic secret (no KDF) that this function reads and
    destroys at once: one message's key material, never the private key.
    """
    try:
        secret = private.derive_key(
            P11KeyType.GENERIC_SECRET,
            256,
            mechanism=Mechanism.ECDH1_DERIVE,
            mechanism_param=(KDF.NULL, None, peer_uncompressed),
            template={
                Attribute.TOKEN: False,
                Attribute.SENSITIVE: False,
                Attribute.EXTRACTABLE: True,
            },
        )
    except POLICY_REFUSALS as exc:
        raise _no_shared_secret(exc) from exc
    try:
        return bytes(secret[Attribute.VALUE])
    except POLICY_REFUSALS as exc:
        raise _no_shared_secret(exc) from exc
    finally:
        secret.destroy()


def _no_shared_secret(exc: Exception) -> EnclaveUnsupported:
    return EnclaveUnsupported(
        "this token keeps ECDH results inside (refused a readable derived secret: "
        f"{type(exc).__name__}); ECIES decryption with its EC keys needs a token that releases "
        "the per-message shared secret, or use a wrapping key"
    )


def gcm_encrypt(key: Any, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """AES-256-GCM in the token: ciphertext ‖ 16-byte tag."""
    return bytes(
        key.encrypt(plaintext, mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(nonce, aad))
    )


def gcm_decrypt(key: Any, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    try:
        return bytes(
            key.decrypt(sealed, mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(nonce, aad))
        )
    except DECRYPT_FAILURES as exc:
        raise EnclaveDecryptFailed(
            "ciphertext failed authentication (tampered, other key, or other context)"
        ) from exc


def destroy_objects(session: pkcs11.Session, item_id: str) -> int:
    """Destroy every token object with ``CKA_ID`` = ``item_id``; how many there were."""
    found = list(session.get_objects({Attribute.ID: item_id.encode()}))
    for obj in found:
        obj.destroy()
    return len(found)


def random_bytes(session: pkcs11.Session, length: int) -> bytes:
    return bytes(session.generate_random(length * 8))

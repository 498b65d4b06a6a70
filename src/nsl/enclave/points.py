"""Public-key encodings shared by every provider: compressed points, DER ↔ r‖s, low-s."""

from __future__ import annotations

import coincurve
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from nsl.core.enclave import KeyType
from nsl.core.errors import ValidationFailed

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
ORDERS = {KeyType.SECP256R1: P256_ORDER, KeyType.SECP256K1: SECP256K1_ORDER}


def compressed_p256(public: ec.EllipticCurvePublicKey) -> bytes:
    return public.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)


def load_p256(public_key: bytes, field: str = "public_key") -> ec.EllipticCurvePublicKey:
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key)
    except ValueError as exc:
        raise ValidationFailed.on(field, "p256_point", "not a P-256 point (SEC1)") from exc


def load_secp256k1(public_key: bytes, field: str = "public_key") -> coincurve.PublicKey:
    try:
        return coincurve.PublicKey(public_key)
    except ValueError as exc:
        raise ValidationFailed.on(field, "secp256k1_point", "not a secp256k1 point") from exc


def load_ed25519(public_key: bytes, field: str = "public_key") -> ed25519.Ed25519PublicKey:
    if len(public_key) != 32:
        raise ValidationFailed.on(field, "ed25519_key", "an Ed25519 public key is 32 bytes")
    return ed25519.Ed25519PublicKey.from_public_bytes(public_key)


def rs_from_der(der: bytes, order: int) -> bytes:
    """A DER ECDSA signature as 64-byte r‖s with s in the lower half of the order."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + low_s(s, order).to_bytes(32, "big")


def low_s(s: int, order: int) -> int:
    return order - s if s > order // 2 else s

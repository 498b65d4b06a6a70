"""The ECVRF algorithm of RFC 9381 §5 (prove, proof_to_hash, verify) over an abstract curve.

A concrete suite supplies the group operations, encodings, key derivation, nonce generation
and the hash-to-point interpretation; everything else (domain separators, challenge
generation, proof layout, validation) lives here once.
"""

from __future__ import annotations

import hmac
from abc import ABC, abstractmethod
from typing import Any, Literal, Protocol

from nsl.enclave.ecvrf.errors import VrfInvalid

Point = Any  # a curve-specific tuple of ints
C_LEN = 16  # challenge length in bytes, both suites
Q_LEN = 32  # scalar length in bytes, both suites
_TAI_ATTEMPTS = 256


class Suite(Protocol):
    """An ECVRF ciphersuite (RFC 9381)."""

    name: str

    def public_key(self, secret: bytes) -> bytes: ...

    def prove(self, secret: bytes, alpha: bytes) -> bytes: ...

    def verify(self, public_key: bytes, pi: bytes, alpha: bytes) -> bytes: ...

    def proof_to_hash(self, pi: bytes) -> bytes: ...


class EcvrfSuite(ABC):
    """RFC 9381 ECVRF with try-and-increment hash-to-curve; subclasses bind a curve."""

    name: str
    suite_string: bytes
    order: int  # q, the prime order of the generator
    cofactor: int
    point_len: int  # ptLen: bytes of an encoded point
    byteorder: Literal["big", "little"]

    # -- curve hooks ------------------------------------------------------------------------
    @abstractmethod
    def digest(self, data: bytes) -> bytes:
        """The suite's hash function."""

    @abstractmethod
    def encode_point(self, point: Point) -> bytes: ...

    @abstractmethod
    def decode_point(self, data: bytes) -> Point | None: ...

    @abstractmethod
    def multiply_base(self, k: int) -> Point: ...

    @abstractmethod
    def multiply(self, point: Point, k: int) -> Point: ...

    @abstractmethod
    def multiply_two(self, a: int, pa: Point, b: int, pb: Point) -> Point: ...

    @abstractmethod
    def add(self, a: Point, b: Point) -> Point: ...

    @abstractmethod
    def negate(self, point: Point) -> Point: ...

    @abstractmethod
    def clear_cofactor(self, point: Point) -> Point: ...

    @abstractmethod
    def is_identity(self, point: Point) -> bool: ...

    @abstractmethod
    def secret_scalar(self, secret: bytes) -> int:
        """x from the secret key SK; ValueError (naming nothing secret) if SK is malformed."""

    @abstractmethod
    def nonce(self, secret: bytes, x: int, h_string: bytes) -> int: ...

    @abstractmethod
    def hash_to_point(self, hash_string: bytes) -> tuple[Point, bytes] | None:
        """interpret_hash_value_as_a_point, then cofactor clearing: (H, point_to_string(H))."""

    # -- RFC 9381 ---------------------------------------------------------------------------
    @property
    def proof_len(self) -> int:
        return self.point_len + C_LEN + Q_LEN

    def public_key(self, secret: bytes) -> bytes:
        return self.encode_point(self.multiply_base(self.secret_scalar(secret)))

    def prove(self, secret: bytes, alpha: bytes) -> bytes:
        """ECVRF_prove (§5.1): pi = Gamma ‖ c ‖ s."""
        x = self.secret_scalar(secret)
        pk = self.encode_point(self.multiply_base(x))
        point_h, h_string = self.encode_to_curve(pk, alpha)
        gamma = self.encode_point(self.multiply(point_h, x))
        k = self.nonce(secret, x, h_string)
        u = self.encode_point(self.multiply_base(k))
        v = self.encode_point(self.multiply(point_h, k))
        c = self.challenge(pk, h_string, gamma, u, v)
        s = (k + c * x) % self.order
        return gamma + c.to_bytes(C_LEN, self.byteorder) + s.to_bytes(Q_LEN, self.byteorder)

    def proof_to_hash(self, pi: bytes) -> bytes:
        """ECVRF_proof_to_hash (§5.2): beta from a well-formed proof, VrfInvalid otherwise."""
        gamma, _, _ = self.decode_proof(pi)
        return self.gamma_to_hash(gamma)

    def verify(self, public_key: bytes, pi: bytes, alpha: bytes) -> bytes:
        """ECVRF_verify (§5.3) with key validation (§5.4.5); returns beta or raises VrfInvalid."""
        y = self.validate_key(public_key)
        gamma, c, s = self.decode_proof(pi)
        point_h, h_string = self.encode_to_curve(public_key, alpha)
        u = self.add(self.multiply_base(s), self.multiply(self.negate(y), c))
        v = self.multiply_two(s, point_h, c, self.negate(gamma))
        if self.is_identity(u) or self.is_identity(v):
            raise VrfInvalid("proof_mismatch", "the proof does not match the key and alpha")
        gamma_string = pi[: self.point_len]
        expected = self.challenge(
            public_key, h_string, gamma_string, self.encode_point(u), self.encode_point(v)
        )
        if not hmac.compare_digest(expected.to_bytes(C_LEN, "big"), c.to_bytes(C_LEN, "big")):
            raise VrfInvalid("proof_mismatch", "the proof does not match the key and alpha")
        return self.gamma_to_hash(gamma)

    # -- pieces -----------------------------------------------------------------------------
    def validate_key(self, public_key: bytes) -> Point:
        y = self.decode_point(public_key)
        if y is None:
            raise VrfInvalid("public_key_invalid", "the public key is not a point on the curve")
        if self.is_identity(self.clear_cofactor(y)):
            raise VrfInvalid("public_key_invalid", "the public key has small order")
        return y

    def decode_proof(self, pi: bytes) -> tuple[Point, int, int]:
        if len(pi) != self.proof_len:
            raise VrfInvalid("proof_malformed", f"a proof is {self.proof_len} bytes")
        gamma = self.decode_point(pi[: self.point_len])
        if gamma is None:
            raise VrfInvalid("proof_malformed", "Gamma is not a point on the curve")
        c = int.from_bytes(pi[self.point_len : self.point_len + C_LEN], self.byteorder)
        s = int.from_bytes(pi[self.point_len + C_LEN :], self.byteorder)
        if s >= self.order:
            raise VrfInvalid("proof_malformed", "s is not reduced modulo the group order")
        return gamma, c, s

    def encode_to_curve(self, salt: bytes, alpha: bytes) -> tuple[Point, bytes]:
        """ECVRF_encode_to_curve_try_and_increment (§5.4.1.1)."""
        prefix = self.suite_string + b"\x01" + salt + alpha
        for ctr in range(_TAI_ATTEMPTS):
            found = self.hash_to_point(self.digest(prefix + bytes((ctr, 0))))
            if found is not None:
                return found
        raise VrfInvalid("proof_malformed", "no curve point found for alpha")  # p ≈ 2^-256

    def challenge(self, *encoded_points: bytes) -> int:
        """ECVRF_challenge_generation (§5.4.3) over already encoded points."""
        digest = self.digest(self.suite_string + b"\x02" + b"".join(encoded_points) + b"\x00")
        return int.from_bytes(digest[:C_LEN], self.byteorder)

    def gamma_to_hash(self, gamma: Point) -> bytes:
        encoded = self.encode_point(self.clear_cofactor(gamma))
        return self.digest(self.suite_string + b"\x03" + encoded + b"\x00")

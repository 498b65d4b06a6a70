"""ECVRF against RFC 9381 Appendix B (all TAI examples), `cryptography` keys, and tampering."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from nsl.core.errors import ValidationFailed
from nsl.enclave.ecvrf import (
    EDWARDS25519_SHA512_TAI,
    P256_SHA256_TAI,
    SUITES,
    VrfInvalid,
    draw_values,
    suite_for,
)
from nsl.enclave.ecvrf.core import EcvrfSuite


@dataclass(frozen=True)
class Vector:
    example: int
    sk: str
    pk: str
    alpha: str
    h: str
    k: str
    u: str
    v: str
    pi: str
    beta: str


# RFC 9381 Appendix B.1: ECVRF-P256-SHA256-TAI, Examples 10-12 (k is the RFC 6979 nonce).
P256_VECTORS = [
    Vector(
        10,
        "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
        "73616d706c65",
        "0272a877532e9ac193aff4401234266f59900a4a9e3fc3cfc6a4b7e467a15d06d4",
        "0d90591273453d2dc67312d39914e3a93e194ab47a58cd598886897076986f77",
        "02bb6a034f67643c6183c10f8b41dc4babf88bff154b674e377d90bde009c21672",
        "02893ebee7af9a0faa6da810da8a91f9d50e1dc071240c9706726820ff919e8394",
        "035b5c726e8c0e2c488a107c600578ee75cb702343c153cb1eb8dec77f4b5071b4"
        "a53f0a46f018bc2c56e58d383f2305e0"
        "975972c26feea0eb122fe7893c15af376b33edf7de17c6ea056d4d82de6bc02f",
        "a3ad7b0ef73d8fc6655053ea22f9bede8c743f08bbed3d38821f0e16474b505e",
    ),
    Vector(
        11,
        "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        "0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
        "74657374",
        "02173119b4fff5e6f8afed4868a29fe8920f1b54c2cf89cc7b301d0d473de6b974",
        "5852353a868bdce26938cde1826723e58bf8cb06dd2fed475213ea6f3b12e961",
        "022779a2cafcb65414c4a04a4b4d2adf4c50395f57995e89e6de823250d91bc48e",
        "033b4a14731672e82339f03b45ff6b5b13dee7ada38c9bf1d6f8f61e2ce5921119",
        "034dac60aba508ba0c01aa9be80377ebd7562c4a52d74722e0abae7dc3080ddb56"
        "c19e067b15a8a8174905b13617804534"
        "214f935b94c2287f797e393eb0816969d864f37625b443f30f1a5a33f2b3c854",
        "a284f94ceec2ff4b3794629da7cbafa49121972671b466cab4ce170aa365f26d",
    ),
    Vector(
        12,
        "2ca1411a41b17b24cc8c3b089cfd033f1920202a6c0de8abb97df1498d50d2c8",
        "03596375e6ce57e0f20294fc46bdfcfd19a39f8161b58695b3ec5b3d16427c274d",
        "4578616d706c65207573696e67204543445341206b65792066726f6d"
        "20417070656e646978204c2e342e32206f6620414e53492e58392d36322d32303035",
        "0258055c26c4b01d01c00fb57567955f7d39cd6f6e85fd37c58f696cc6b7aa761d",
        "5689e2e08e1110b4dda293ac21667eac6db5de4a46a519c73d533f69be2f4da3",
        "020f465cd0ec74d2e23af0abde4c07e866ae4e5138bded5dd1196b8843f380db84",
        "036cb6f811428fc4904370b86c488f60c280fa5b496d2f34ff8772f60ed24b2d1d",
        "03d03398bf53aa23831d7d1b2937e005fb0062cbefa06796579f2a1fc7e7b8c667"
        "d091c00b0f5c3619d10ecea44363b5a5"
        "99cadc5b2957e223fec62e81f7b4825fc799a771a3d7334b9186bdbee87316b1",
        "90871e06da5caa39a3c61578ebb844de8635e27ac0b13e829997d0d95dd98c19",
    ),
]

# RFC 9381 Appendix B.3: ECVRF-EDWARDS25519-SHA512-TAI, Examples 16-18 (k is the 64-byte
# SHA-512 nonce string before reduction; SKs are the RFC 8032 §7.1 test keys 1-3).
ED25519_VECTORS = [
    Vector(
        16,
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "91bbed02a99461df1ad4c6564a5f5d829d0b90cfc7903e7a5797bd658abf3318",
        "7100f3d9eadb6dc4743b029736ff283f5be494128df128df2817106f345b8594"
        "b6d6da2d6fb0b4c0257eb337675d96eab49cf39e66cc2c9547c2bf8b2a6afae4",
        "aef27c725be964c6a9bf4c45ca8e35df258c1878b838f37d9975523f09034071",
        "5016572f71466c646c119443455d6cb9b952f07d060ec8286d678615d55f954f",
        "8657106690b5526245a92b003bb079ccd1a92130477671f6fc01ad16f26f723f"
        "26f8a57ccaed74ee1b190bed1f479d97"
        "27d2d0f9b005a6e456a35d4fb0daab1268a1b0db10836d9826a528ca76567805",
        "90cf1df3b703cce59e2a35b925d411164068269d7b2d29f3301c03dd757876ff"
        "66b71dda49d2de59d03450451af026798e8f81cd2e333de5cdf4f3e140fdd8ae",
    ),
    Vector(
        17,
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "5b659fc3d4e9263fd9a4ed1d022d75eaacc20df5e09f9ea937502396598dc551",
        "42589bbf0c485c3c91c1621bb4bfe04aed7be76ee48f9b00793b2342acb9c167"
        "cab856f9f9d4febc311330c20b0a8afd3743d05433e8be8d32522ecdc16cc5ce",
        "1dcb0a4821a2c48bf53548228b7f170962988f6d12f5439f31987ef41f034ab3",
        "fd03c0bf498c752161bae4719105a074630a2aa5f200ff7b3995f7bfb1513423",
        "f3141cd382dc42909d19ec5110469e4feae18300e94f304590abdced48aed593"
        "3bf0864a62558b3ed7f2fea45c92a465"
        "301b3bbf5e3e54ddf2d935be3b67926da3ef39226bbc355bdc9850112c8f4b02",
        "eb4440665d3891d668e7e0fcaf587f1b4bd7fbfe99d0eb2211ccec90496310eb"
        "5e33821bc613efb94db5e5b54c70a848a0bef4553a41befc57663b56373a5031",
    ),
    Vector(
        18,
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "bf4339376f5542811de615e3313d2b36f6f53c0acfebb482159711201192576a",
        "38b868c335ccda94a088428cbf3ec8bc7955bfaffe1f3bd2aa2c59fc31a0febc"
        "59d0e1af3715773ce11b3bbdd7aba8e3505d4b9de6f7e4a96e67e0d6bb6d6c3a",
        "2bae73e15a64042fcebf062abe7e432b2eca6744f3e8265bc38e009cd577ecd5",
        "88cba1cb0d4f9b649d9a86026b69de076724a93a65c349c988954f0961c5d506",
        "9bc0f79119cc5604bf02d23b4caede71393cedfbb191434dd016d30177ccbf80"
        "96bb474e53895c362d8628ee9f9ea3c0"
        "e52c7a5c691b6c18c9979866568add7a2d41b00b05081ed0f58ee5e31b3a970e",
        "645427e5d00c62a23fb703732fa5d892940935942101e456ecca7bb217c61c45"
        "2118fec1219202a0edcf038bb6373241578be7217ba85a2687f7a0310b2df19f",
    ),
]

ALL = [(P256_SHA256_TAI, v) for v in P256_VECTORS] + [
    (EDWARDS25519_SHA512_TAI, v) for v in ED25519_VECTORS
]
IDS = [f"example-{v.example}" for _, v in ALL]


def _impl(suite: object) -> EcvrfSuite:
    assert isinstance(suite, EcvrfSuite)
    return suite


@pytest.mark.parametrize(("suite", "vec"), ALL, ids=IDS)
def test_rfc9381_vector_prove_hash_verify(suite: EcvrfSuite, vec: Vector) -> None:
    sk, pk, alpha = bytes.fromhex(vec.sk), bytes.fromhex(vec.pk), bytes.fromhex(vec.alpha)
    pi, beta = bytes.fromhex(vec.pi), bytes.fromhex(vec.beta)
    assert suite.public_key(sk) == pk
    assert suite.prove(sk, alpha) == pi
    assert suite.proof_to_hash(pi) == beta
    assert suite.verify(pk, pi, alpha) == beta


@pytest.mark.parametrize(("suite", "vec"), ALL, ids=IDS)
def test_rfc9381_vector_intermediate_values(suite: EcvrfSuite, vec: Vector) -> None:
    impl = _impl(suite)
    sk, pk, alpha = bytes.fromhex(vec.sk), bytes.fromhex(vec.pk), bytes.fromhex(vec.alpha)
    point_h, h_string = impl.encode_to_curve(pk, alpha)
    assert h_string.hex() == vec.h
    x = impl.secret_scalar(sk)
    k = impl.nonce(sk, x, h_string)
    if impl is EDWARDS25519_SHA512_TAI:
        assert k == int.from_bytes(bytes.fromhex(vec.k), "little") % impl.order
    else:
        assert k == int(vec.k, 16)
    assert impl.encode_point(impl.multiply_base(k)).hex() == vec.u
    assert impl.encode_point(impl.multiply(point_h, k)).hex() == vec.v


def test_p256_public_key_matches_cryptography() -> None:
    for _ in range(8):
        private = ec.generate_private_key(ec.SECP256R1())
        secret = private.private_numbers().private_value.to_bytes(32, "big")
        expected = private.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
        assert P256_SHA256_TAI.public_key(secret) == expected
    for vec in P256_VECTORS:
        private = ec.derive_private_key(int(vec.sk, 16), ec.SECP256R1())
        compressed = private.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
        assert compressed.hex() == vec.pk


def test_ed25519_public_key_matches_cryptography() -> None:
    for seed in [os.urandom(32) for _ in range(8)] + [bytes.fromhex(v.sk) for v in ED25519_VECTORS]:
        expected = (
            Ed25519PrivateKey.from_private_bytes(seed)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
        assert EDWARDS25519_SHA512_TAI.public_key(seed) == expected


def _random_secret(suite: EcvrfSuite) -> bytes:
    if suite is P256_SHA256_TAI:
        private = ec.generate_private_key(ec.SECP256R1())
        return private.private_numbers().private_value.to_bytes(32, "big")
    return os.urandom(32)


SUITE_PARAMS = [P256_SHA256_TAI, EDWARDS25519_SHA512_TAI]
SUITE_IDS = ["p256", "ed25519"]


@pytest.mark.parametrize("suite", SUITE_PARAMS, ids=SUITE_IDS)
def test_random_keys_round_trip_and_are_deterministic(suite: EcvrfSuite) -> None:
    for _ in range(4):
        secret = _random_secret(suite)
        alpha = os.urandom(40)
        pi = suite.prove(secret, alpha)
        assert len(pi) == suite.proof_len
        assert suite.prove(secret, alpha) == pi
        beta = suite.verify(suite.public_key(secret), pi, alpha)
        assert beta == suite.proof_to_hash(pi)
        assert len(beta) == (32 if suite is P256_SHA256_TAI else 64)


def _reason(exc: pytest.ExceptionInfo[VrfInvalid]) -> str:
    return exc.value.reason


@pytest.mark.parametrize("suite", SUITE_PARAMS, ids=SUITE_IDS)
def test_tampered_proof_alpha_and_key_are_rejected(suite: EcvrfSuite) -> None:
    secret = _random_secret(suite)
    pk = suite.public_key(secret)
    alpha = b"block-hash|request-1"
    pi = suite.prove(secret, alpha)
    with pytest.raises(VrfInvalid) as exc:
        suite.verify(pk, pi, alpha + b"!")
    assert _reason(exc) == "proof_mismatch"
    other_pk = suite.public_key(_random_secret(suite))
    with pytest.raises(VrfInvalid) as exc:
        suite.verify(other_pk, pi, alpha)
    assert _reason(exc) == "proof_mismatch"
    # every byte of the proof matters: flip one bit in each region
    for index in (0, 5, suite.point_len - 1, suite.point_len, suite.point_len + 15, len(pi) - 1):
        tampered = bytearray(pi)
        tampered[index] ^= 0x01
        with pytest.raises(VrfInvalid):
            suite.verify(pk, bytes(tampered), alpha)
    with pytest.raises(VrfInvalid) as exc:
        suite.verify(pk, pi[:-1], alpha)
    assert _reason(exc) == "proof_malformed"
    with pytest.raises(VrfInvalid) as exc:
        suite.proof_to_hash(pi + b"\x00")
    assert _reason(exc) == "proof_malformed"


@pytest.mark.parametrize("suite", SUITE_PARAMS, ids=SUITE_IDS)
def test_unreduced_s_is_rejected(suite: EcvrfSuite) -> None:
    secret = _random_secret(suite)
    alpha = b"x"
    pi = suite.prove(secret, alpha)
    head = pi[: suite.point_len + 16]
    s = int.from_bytes(pi[suite.point_len + 16 :], suite.byteorder)
    aliases = [suite.order, 2**256 - 1] + ([s + suite.order] if s + suite.order < 2**256 else [])
    for unreduced in aliases:
        forged = head + unreduced.to_bytes(32, suite.byteorder)
        with pytest.raises(VrfInvalid) as exc:
            suite.verify(suite.public_key(secret), forged, alpha)
        assert _reason(exc) == "proof_malformed"


def _p256_x_off_curve(field_p: int) -> int:
    """The smallest x for which x³ - 3x + b is a non-residue (Euler's criterion)."""
    b = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
    x = 1
    while pow((x**3 - 3 * x + b) % field_p, (field_p - 1) // 2, field_p) == 1:
        x += 1
    return x


def test_p256_invalid_public_keys_are_rejected() -> None:
    vec = P256_VECTORS[0]
    pi, alpha = bytes.fromhex(vec.pi), bytes.fromhex(vec.alpha)
    pk = bytes.fromhex(vec.pk)
    field_p = 2**256 - 2**224 + 2**192 + 2**96 - 1
    uncompressed = (
        ec.derive_private_key(int(vec.sk, 16), ec.SECP256R1())
        .public_key()
        .public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    bad_keys = [
        b"",
        pk[:-1],
        b"\x04" + pk[1:],  # wrong prefix for 33 bytes
        uncompressed,  # only the compressed form is a VRF public key here
        b"\x02" + field_p.to_bytes(32, "big"),  # x not reduced
        b"\x02" + _p256_x_off_curve(field_p).to_bytes(32, "big"),
        b"\x00" * 33,
    ]
    for bad in bad_keys:
        with pytest.raises(VrfInvalid) as exc:
            P256_SHA256_TAI.verify(bad, pi, alpha)
        assert _reason(exc) == "public_key_invalid", bad.hex()


# The eight points of order dividing 8 on edwards25519 (as in libsodium's blocklist).
SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
]


def test_ed25519_small_order_and_noncanonical_keys_are_rejected() -> None:
    vec = ED25519_VECTORS[0]
    pi, alpha = bytes.fromhex(vec.pi), bytes.fromhex(vec.alpha)
    impl = _impl(EDWARDS25519_SHA512_TAI)
    for encoded in SMALL_ORDER:
        point = impl.decode_point(bytes.fromhex(encoded))
        assert point is not None, encoded  # these are curve points ...
        assert impl.is_identity(impl.clear_cofactor(point))  # ... of small order
        with pytest.raises(VrfInvalid) as exc:
            EDWARDS25519_SHA512_TAI.verify(bytes.fromhex(encoded), pi, alpha)
        assert _reason(exc) == "public_key_invalid"
    # y >= p is a non-canonical encoding (here y = p + 1, an alias of the identity's y = 1)
    field_p = 2**255 - 19
    for y in (field_p, field_p + 1):
        with pytest.raises(VrfInvalid) as exc:
            EDWARDS25519_SHA512_TAI.verify(y.to_bytes(32, "little"), pi, alpha)
        assert _reason(exc) == "public_key_invalid"
    with pytest.raises(VrfInvalid):
        EDWARDS25519_SHA512_TAI.verify(bytes.fromhex(vec.pk)[:31], pi, alpha)


def test_ed25519_gamma_of_small_order_cannot_forge() -> None:
    vec = ED25519_VECTORS[1]
    pk, alpha = bytes.fromhex(vec.pk), bytes.fromhex(vec.alpha)
    pi = bytes.fromhex(vec.pi)
    for encoded in SMALL_ORDER:
        forged = bytes.fromhex(encoded) + pi[32:]
        with pytest.raises(VrfInvalid):
            EDWARDS25519_SHA512_TAI.verify(pk, forged, alpha)


def test_bad_secrets_are_refused_without_echo() -> None:
    for suite in SUITE_PARAMS:
        with pytest.raises(ValueError) as exc:
            suite.prove(b"\x01" * 31, b"a")
        assert "0101" not in str(exc.value)
    with pytest.raises(ValueError):
        P256_SHA256_TAI.public_key(b"\x00" * 32)
    with pytest.raises(ValueError):
        P256_SHA256_TAI.public_key(b"\xff" * 32)


def test_suite_registry() -> None:
    assert set(SUITES) == {"ECVRF-P256-SHA256-TAI", "ECVRF-EDWARDS25519-SHA512-TAI"}
    assert suite_for("ECVRF-P256-SHA256-TAI") is P256_SHA256_TAI
    assert suite_for("ECVRF-EDWARDS25519-SHA512-TAI") is EDWARDS25519_SHA512_TAI
    with pytest.raises(ValidationFailed) as exc:
        suite_for("ECVRF-SECP256K1-SHA256-TAI")
    issue = exc.value.fields[0]
    assert (issue.field, issue.rule) == ("suite", "one_of")
    assert "ECVRF-P256-SHA256-TAI" in issue.message
    assert VrfInvalid("proof_mismatch", "x").code == "randomness.proof_invalid"
    assert VrfInvalid("proof_mismatch", "x").status == 400


# -- draw_values -------------------------------------------------------------------------


def _recompute(beta: bytes, count: int, low: int, high: int) -> list[int]:
    """An independent, deliberately naive reading of docs/decisions/0006-vrf-values.md."""
    span = high - low + 1
    if span == 1:
        return [low] * count
    nbytes = 0
    while 256**nbytes < span:
        nbytes += 1
    limit = 256**nbytes - (256**nbytes % span)
    stream = b""
    counter = 0
    while len(stream) < nbytes * count * 4 + 64:
        stream += hashlib.sha256(b"nsl-vrf-values" + beta + counter.to_bytes(4, "big")).digest()
        counter += 1
    out: list[int] = []
    pos = 0
    while len(out) < count:
        v = int.from_bytes(stream[pos : pos + nbytes], "big")
        pos += nbytes
        if v < limit:
            out.append(low + v % span)
    return out


BETA = bytes.fromhex(P256_VECTORS[0].beta)


@pytest.mark.parametrize(
    ("count", "low", "high"),
    [
        (1, 0, 2**64 - 1),
        (1000, 1, 6),
        (500, -50, 50),
        (300, 0, 128),  # 1-byte candidates, limit 129: about half are rejected
        (300, 0, 256),  # 2-byte candidates
        (50, 0, 2**256 - 1),  # the widest span
        (20, 7, 7),  # a single value
        (100, 10**30, 10**30 + 999),
    ],
)
def test_draw_values_matches_independent_recomputation(count: int, low: int, high: int) -> None:
    values = draw_values(BETA, count, low, high)
    assert values == _recompute(BETA, count, low, high)
    assert len(values) == count
    assert all(low <= v <= high for v in values)
    assert draw_values(BETA, count, low, high) == values


def test_draw_values_known_answers_of_the_decision_record() -> None:
    # docs/decisions/0006-vrf-values.md, worked example
    assert draw_values(BETA, 5, 1, 6) == [2, 4, 6, 6, 6]
    assert draw_values(BETA, 4, 0, 128) == [7, 29, 24, 30]


def test_draw_values_cover_a_small_range_evenly() -> None:
    values = draw_values(BETA, 1000, 1, 6)
    counts = [values.count(face) for face in range(1, 7)]
    assert all(c > 0 for c in counts)
    assert min(counts) > 120 and max(counts) < 220  # expected 166.7 each
    other = draw_values(bytes.fromhex(P256_VECTORS[1].beta), 1000, 1, 6)
    assert other != values


def test_draw_values_prefix_is_stable() -> None:
    assert draw_values(BETA, 10, 0, 99) == draw_values(BETA, 1000, 0, 99)[:10]


@pytest.mark.parametrize(
    ("count", "low", "high", "field", "rule"),
    [
        (0, 0, 1, "count", "range"),
        (1001, 0, 1, "count", "range"),
        (True, 0, 1, "count", "type"),
        (1, 5, 4, "high", "gte_low"),
        (1, 0, 2**256, "high", "span"),
        (1, -1, 2**256 - 1, "high", "span"),
    ],
)
def test_draw_values_validation(count: int, low: int, high: int, field: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        draw_values(BETA, count, low, high)
    issue = exc.value.fields[0]
    assert (issue.field, issue.rule) == (field, rule)


def test_openssl_p256_multiplication_matches_the_pure_python_arithmetic() -> None:
    import os

    from nsl.enclave.ecvrf import p256, p256_openssl

    for _ in range(20):
        k = int.from_bytes(os.urandom(32), "big")
        point = p256.multiply_base(int.from_bytes(os.urandom(32), "big"))
        assert p256.to_affine(p256_openssl.multiply(point, k)) == p256.to_affine(
            p256.multiply(point, k)
        )
        assert p256.to_affine(p256_openssl.multiply_base(k)) == p256.to_affine(
            p256.multiply_base(k)
        )
    minus_g = p256.negate(p256.GENERATOR)  # the degenerate input takes the fallback
    assert p256.to_affine(p256_openssl.multiply(minus_g, 5)) == p256.to_affine(
        p256.multiply(minus_g, 5)
    )
    assert p256_openssl.multiply(p256.GENERATOR, 0) == p256.IDENTITY

# pragma version 0.4.3
# pragma evm-version shanghai
"""
@title OracleConsumer (Neo X)
@notice Stores a price feed's latest report once enough oracle nodes signed it: at least
        `threshold` valid secp256k1 signatures from distinct members of the admin-set signer
        set, over the EIP-191 personal message of the report digest defined in
        nsl.chains.reports (bound to chain id and this contract's address). Round ids strictly
        increase per feed.
"""

MAX_SIGNERS: constant(uint256) = 31
INT64_END: constant(uint64) = 9223372036854775808  # 2^63: round ids and timestamps as on N3
ENTRY: constant(uint256) = 65  # r (32) ++ s (32) ++ v (1), v = 27 or 28
# "NSL/oracle-report/v1" right-padded to 32 bytes
DOMAIN: constant(bytes32) = 0x4e534c2f6f7261636c652d7265706f72742f7631000000000000000000000000
# secp256k1 group order // 2 (0x7FFF…681B20A0): EIP-2 low-s bound
HALF_N: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168

struct Round:
    round_id: uint64
    answer: int256
    timestamp: uint64

event ReportAccepted:
    feed: String[60]
    round_id: uint64
    answer: int256
    timestamp: uint64
    signers: uint256

event SignersChanged:
    signers: DynArray[address, MAX_SIGNERS]
    threshold: uint256

event AdminChanged:
    previous: indexed(address)
    admin: indexed(address)

admin: public(address)
threshold: public(uint256)
_signers: DynArray[address, MAX_SIGNERS]
is_signer: public(HashMap[address, bool])
_rounds: HashMap[bytes32, Round]


@deploy
def __init__():
    self.admin = msg.sender


@external
def set_admin(new_admin: address):
    assert msg.sender == self.admin, "only the admin"
    assert new_admin != empty(address), "admin must not be zero"
    log AdminChanged(previous=self.admin, admin=new_admin)
    self.admin = new_admin


@external
def set_signers(signers: DynArray[address, MAX_SIGNERS], threshold: uint256):
    """
    @notice Replace the signer set (distinct non-zero addresses) and the threshold.
    """
    assert msg.sender == self.admin, "only the admin"
    assert len(signers) > 0, "signers must hold 1..31 addresses"
    assert threshold >= 1 and threshold <= len(signers), "threshold must be 1..len(signers)"
    for old: address in self._signers:
        self.is_signer[old] = False
    for signer: address in signers:
        assert signer != empty(address), "signer must not be zero"
        assert not self.is_signer[signer], "duplicate signer"
        self.is_signer[signer] = True
    self._signers = signers
    self.threshold = threshold
    log SignersChanged(signers=signers, threshold=threshold)


@view
@external
def signers() -> DynArray[address, MAX_SIGNERS]:
    return self._signers


@view
@internal
def _digest(feed: String[60], round_id: uint64, answer: int256, timestamp: uint64) -> bytes32:
    report: bytes32 = keccak256(
        abi_encode(DOMAIN, chain.id, self, keccak256(feed), round_id, answer, timestamp)
    )
    return keccak256(concat(b"\x19Ethereum Signed Message:\n32", report))


@view
@external
def report_digest(feed: String[60], round_id: uint64, answer: int256, timestamp: uint64) -> bytes32:
    """
    @notice The EIP-191 digest oracle nodes sign for this report (for cross-checking encoders).
    """
    return self._digest(feed, round_id, answer, timestamp)


@external
def submit(
    feed: String[60],
    round_id: uint64,
    answer: int256,
    timestamp: uint64,
    signatures: Bytes[2015],
):
    """
    @notice Accept a report carrying `threshold` or more packed signatures (r ++ s ++ v),
            ordered by strictly increasing signer address; every one must be valid.
    """
    assert len(feed) > 0, "feed must be 1..60 bytes"
    assert round_id > 0 and round_id < INT64_END, "round_id must be 1..2^63-1"
    assert timestamp < INT64_END, "timestamp must be 0..2^63-1"
    count: uint256 = len(signatures) // ENTRY
    assert len(signatures) == count * ENTRY, "signatures must be 65-byte entries"
    assert count >= self.threshold and count > 0, "not enough signatures"
    feed_key: bytes32 = keccak256(feed)
    assert round_id > self._rounds[feed_key].round_id, "round_id must increase"
    digest: bytes32 = self._digest(feed, round_id, answer, timestamp)
    last: uint256 = 0
    for i: uint256 in range(MAX_SIGNERS):
        if i >= count:
            break
        start: uint256 = i * ENTRY
        r: uint256 = extract32(signatures, start, output_type=uint256)
        s: uint256 = extract32(signatures, start + 32, output_type=uint256)
        v: uint256 = convert(slice(signatures, start + 64, 1), uint256)
        assert v == 27 or v == 28, "v must be 27 or 28"
        assert s <= HALF_N, "s must be in the lower half"
        signer: address = ecrecover(digest, v, r, s)
        assert signer != empty(address), "invalid signature"
        assert self.is_signer[signer], "signer outside the set"
        assert convert(signer, uint256) > last, "signers must be distinct and ascending"
        last = convert(signer, uint256)
    self._rounds[feed_key] = Round(round_id=round_id, answer=answer, timestamp=timestamp)
    log ReportAccepted(
        feed=feed, round_id=round_id, answer=answer, timestamp=timestamp, signers=count
    )


@view
@external
def latest(feed: String[60]) -> Round:
    """
    @notice The newest accepted report of `feed`; round_id 0 before the first.
    """
    return self._rounds[keccak256(feed)]

# pragma version 0.4.3
# pragma evm-version shanghai
"""
@title RandomnessConsumer (Neo X)
@notice dApps request randomness; only the registered fulfiller account (msg.sender) may
        fulfil, once per request. The admin (deployer, transferable) sets the fulfiller.
"""

struct Request:
    requester: address
    seed: Bytes[64]
    fulfilled: bool
    randomness: Bytes[64]

event RandomnessRequested:
    request_id: indexed(uint256)
    requester: indexed(address)
    seed: Bytes[64]

event RandomnessFulfilled:
    request_id: indexed(uint256)
    fulfiller: indexed(address)
    randomness: Bytes[64]

event FulfillerChanged:
    fulfiller: indexed(address)

event AdminChanged:
    previous: indexed(address)
    admin: indexed(address)

admin: public(address)
fulfiller: public(address)
request_count: public(uint256)
_requests: HashMap[uint256, Request]


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
def set_fulfiller(fulfiller: address):
    assert msg.sender == self.admin, "only the admin"
    assert fulfiller != empty(address), "fulfiller must not be zero"
    self.fulfiller = fulfiller
    log FulfillerChanged(fulfiller=fulfiller)


@external
def request(seed: Bytes[64]) -> uint256:
    """
    @notice A new request id (1, 2, ...) for msg.sender.
    """
    request_id: uint256 = self.request_count + 1
    self.request_count = request_id
    self._requests[request_id] = Request(
        requester=msg.sender, seed=seed, fulfilled=False, randomness=b""
    )
    log RandomnessRequested(request_id=request_id, requester=msg.sender, seed=seed)
    return request_id


@external
def fulfill(request_id: uint256, randomness: Bytes[64]):
    """
    @notice Store `randomness` for a pending request; only the fulfiller may call.
    """
    assert self.fulfiller != empty(address), "no fulfiller set"
    assert msg.sender == self.fulfiller, "only the fulfiller"
    assert len(randomness) > 0, "randomness must be 1..64 bytes"
    assert self._requests[request_id].requester != empty(address), "unknown request"
    assert not self._requests[request_id].fulfilled, "already fulfilled"
    self._requests[request_id].fulfilled = True
    self._requests[request_id].randomness = randomness
    log RandomnessFulfilled(request_id=request_id, fulfiller=msg.sender, randomness=randomness)


@view
@external
def get(request_id: uint256) -> Request:
    """
    @notice The request; an unknown id gives the zero request (requester 0x0).
    """
    return self._requests[request_id]

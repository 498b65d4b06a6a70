# pragma version 0.4.3
# pragma evm-version shanghai
"""
@title ServiceRegistry (Neo X)
@notice The admin registers, updates and removes platform services by name: operator
        account, endpoint URL and public key. Anyone reads. The admin is the deployer and
        can hand the role to another account.
"""

MAX_SERVICES: constant(uint256) = 64

struct Service:
    name: String[60]
    operator: address
    endpoint: String[256]
    public_key: Bytes[128]

event ServiceRegistered:
    name: String[60]
    operator: indexed(address)
    endpoint: String[256]
    public_key: Bytes[128]

event ServiceRemoved:
    name: String[60]

event AdminChanged:
    previous: indexed(address)
    admin: indexed(address)

admin: public(address)
_services: HashMap[bytes32, Service]
_names: DynArray[String[60], MAX_SERVICES]


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
def register(name: String[60], operator: address, endpoint: String[256], public_key: Bytes[128]):
    """
    @notice Create or replace the entry for `name`.
    """
    assert msg.sender == self.admin, "only the admin"
    assert len(name) > 0, "name must be 1..60 bytes"
    assert operator != empty(address), "operator must not be zero"
    assert len(endpoint) > 0, "endpoint must be 1..256 bytes"
    assert len(public_key) > 0, "public_key must be 1..128 bytes"
    key: bytes32 = keccak256(name)
    if self._services[key].operator == empty(address):
        assert len(self._names) < MAX_SERVICES, "registry is full"
        self._names.append(name)
    self._services[key] = Service(
        name=name, operator=operator, endpoint=endpoint, public_key=public_key
    )
    log ServiceRegistered(name=name, operator=operator, endpoint=endpoint, public_key=public_key)


@external
def remove(name: String[60]):
    assert msg.sender == self.admin, "only the admin"
    key: bytes32 = keccak256(name)
    assert self._services[key].operator != empty(address), "unknown service"
    self._services[key] = empty(Service)
    count: uint256 = len(self._names)
    for i: uint256 in range(MAX_SERVICES):
        if i >= count:
            break
        if keccak256(self._names[i]) == key:
            self._names[i] = self._names[count - 1]
            self._names.pop()
            break
    log ServiceRemoved(name=name)


@view
@external
def get(name: String[60]) -> Service:
    """
    @notice The entry for `name`; an unknown name gives the zero entry (operator 0x0).
    """
    return self._services[keccak256(name)]


@view
@external
def names() -> DynArray[String[60], MAX_SERVICES]:
    return self._names

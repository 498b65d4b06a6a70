"""Chain adapters and wire formats for Neo N3 and Neo X.

The modules here are pure encodings (addresses, witnesses, RLP, EIP-1559/EIP-191): no network
and no key material. Issue 4 adds the RPC adapters next to them.
"""

"""Neo X (EVM) formats: EIP-55 addresses, RLP, EIP-191 messages and EIP-1559 transactions."""

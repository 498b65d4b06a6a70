"""The randomness service: verifiable random values from ECVRF proofs, keys in the enclave."""

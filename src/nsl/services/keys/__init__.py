"""Key management: keys that never leave the enclave, with versions, lifecycle and audit."""

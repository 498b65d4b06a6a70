"""Neo N3 formats: accounts (verification script, script hash, address) and witnesses."""

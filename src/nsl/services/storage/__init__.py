"""Storage: encrypted, chunked, versioned objects with quotas, sharing and expiry."""

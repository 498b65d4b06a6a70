"""Operations: smoke tests, readiness, credentials and certificates (the seed's operator steps)."""

"""Authentication: principals, API keys, JWT access tokens, refresh tokens, lockout and TOTP."""

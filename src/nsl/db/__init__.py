"""Persistence: the declarative base, the engine and sessions, and Alembic migrations."""

"""Alembic environment and revisions (one per area, chained)."""

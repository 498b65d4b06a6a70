"""principals, API keys, refresh tokens (auth)

Revision ID: 0002_auth
Revises: 0001_core
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_auth"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""configuration entries, versions, schemas

Revision ID: 0003_configuration
Revises: 0002_auth
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_configuration"
down_revision = "0002_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

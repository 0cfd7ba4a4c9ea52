"""baseline

Revision ID: 339363a8b3f4
Revises: 
Create Date: 2026-11-22 05:16:30.003815+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '339363a8b3f4'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

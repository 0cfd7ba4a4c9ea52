"""baseline

Revision ID: e8b444eb7ab7
Revises: 
Create Date: 2026-11-22 05:16:28.933046+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'e8b444eb7ab7'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

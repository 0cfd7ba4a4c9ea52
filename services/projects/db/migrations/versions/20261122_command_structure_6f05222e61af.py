"""command structure

Revision ID: 6f05222e61af
Revises: 65f7a461711c
Create Date: 2026-11-22 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '6f05222e61af'
down_revision: str | None = '65f7a461711c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

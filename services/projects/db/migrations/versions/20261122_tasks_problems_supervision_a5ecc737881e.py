"""tasks problems supervision

Revision ID: a5ecc737881e
Revises: 6f05222e61af
Create Date: 2026-11-22 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a5ecc737881e'
down_revision: str | None = '6f05222e61af'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

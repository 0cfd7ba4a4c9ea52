"""stages read models escalation

Revision ID: b57740c8f1f7
Revises: ddb052f37232
Create Date: 2026-11-22 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b57740c8f1f7'
down_revision: str | None = 'ddb052f37232'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

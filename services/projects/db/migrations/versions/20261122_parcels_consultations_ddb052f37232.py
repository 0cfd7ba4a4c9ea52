"""parcels consultations

Revision ID: ddb052f37232
Revises: a5ecc737881e
Create Date: 2026-11-22 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'ddb052f37232'
down_revision: str | None = 'a5ecc737881e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

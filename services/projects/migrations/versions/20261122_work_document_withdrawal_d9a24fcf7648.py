"""work document withdrawal

A document attached to a task or a problem may be withdrawn (作废) instead of deleted: when, by whom
(subject and name) and why, all four set together or none. Existing rows are not withdrawn.

Revision ID: d9a24fcf7648
Revises: b57740c8f1f7
Create Date: 2026-11-22 10:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'd9a24fcf7648'
down_revision: str | None = 'b57740c8f1f7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    op.add_column('work_document', sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
                  schema=SCHEMA)
    op.add_column('work_document', sa.Column('withdrawn_by', sa.String(length=200), nullable=True), schema=SCHEMA)
    op.add_column('work_document', sa.Column('withdrawn_by_name', sa.String(length=200), nullable=True),
                  schema=SCHEMA)
    op.add_column('work_document', sa.Column('withdrawal_reason', sa.String(length=500), nullable=True),
                  schema=SCHEMA)
    op.create_check_constraint(
        op.f('ck_work_document_withdrawal_whole'), 'work_document',
        "(withdrawn_at IS NULL) = (withdrawn_by IS NULL) AND "
        "(withdrawn_at IS NULL) = (withdrawn_by_name IS NULL) AND "
        "(withdrawn_at IS NULL) = (withdrawal_reason IS NULL)",
        schema=SCHEMA)


def downgrade() -> None:
    op.drop_constraint(op.f('ck_work_document_withdrawal_whole'), 'work_document', type_='check', schema=SCHEMA)
    op.drop_column('work_document', 'withdrawal_reason', schema=SCHEMA)
    op.drop_column('work_document', 'withdrawn_by_name', schema=SCHEMA)
    op.drop_column('work_document', 'withdrawn_by', schema=SCHEMA)
    op.drop_column('work_document', 'withdrawn_at', schema=SCHEMA)

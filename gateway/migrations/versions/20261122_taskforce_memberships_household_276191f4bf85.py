"""task-force memberships (from the projects feed) and a resident's household

Revision ID: 276191f4bf85
Revises: 53c51db924fb
Create Date: 2026-11-22 09:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '276191f4bf85'
down_revision: str | None = '53c51db924fb'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('app_user', sa.Column('household_id', sa.Uuid(), nullable=True), schema='gateway')
    op.create_table('taskforce_membership',
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_taskforce_membership')),
    schema='gateway'
    )
    op.create_index(op.f('ix_taskforce_membership_username'), 'taskforce_membership', ['username'], unique=False,
                    schema='gateway')


def downgrade() -> None:
    op.drop_index(op.f('ix_taskforce_membership_username'), table_name='taskforce_membership', schema='gateway')
    op.drop_table('taskforce_membership', schema='gateway')
    op.drop_column('app_user', 'household_id', schema='gateway')

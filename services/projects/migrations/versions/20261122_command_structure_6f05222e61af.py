"""command structure

Revision ID: 6f05222e61af
Revises: 65f7a461711c
Create Date: 2026-11-22 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from kernel.db.migrations import child_rls_sql, drop_scope_rls_sql, scope_rls_sql

revision: str = '6f05222e61af'
down_revision: str | None = '65f7a461711c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    ]


def upgrade() -> None:
    op.create_table('command_unit',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('function', sa.String(length=32), nullable=True),
    sa.Column('project_id', sa.Uuid(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    *_timestamps(),
    sa.CheckConstraint("(kind = 'task_force') = (project_id IS NOT NULL)", name=op.f('ck_command_unit_task_force_project')),
    sa.CheckConstraint("function IS NULL OR kind = 'department'", name=op.f('ck_command_unit_function_department')),
    sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name=op.f('ck_command_unit_parent_not_self')),
    sa.ForeignKeyConstraint(['parent_id'], ['projects.command_unit.id'], name=op.f('fk_command_unit_parent_id_command_unit')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_command_unit_project_id_project')),
    sa.ForeignKeyConstraint(['region_code'], ['projects.region.code'], name=op.f('fk_command_unit_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_unit')),
    sa.UniqueConstraint('project_id', name=op.f('uq_command_unit_project_id')),
    schema='projects'
    )
    op.create_index('ix_command_unit_region_code_pattern', 'command_unit', ['region_code'], unique=False, schema='projects', postgresql_ops={'region_code': 'varchar_pattern_ops'})
    op.create_index(op.f('ix_command_unit_kind'), 'command_unit', ['kind'], unique=False, schema='projects')
    op.create_index(op.f('ix_command_unit_parent_id'), 'command_unit', ['parent_id'], unique=False, schema='projects')
    op.create_index(op.f('ix_command_unit_updated_at'), 'command_unit', ['updated_at'], unique=False, schema='projects')

    op.create_table('person',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('phone_enc', sa.Text(), nullable=True),
    sa.Column('phone_index', sa.String(length=64), nullable=True),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('gateway_username', sa.String(length=64), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    *_timestamps(),
    sa.CheckConstraint("gateway_username IS NULL OR gateway_username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'", name=op.f('ck_person_gateway_username_format')),
    sa.ForeignKeyConstraint(['region_code'], ['projects.region.code'], name=op.f('fk_person_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('gateway_username', name=op.f('uq_person_gateway_username')),
    schema='projects'
    )
    op.create_index('ix_person_region_code_pattern', 'person', ['region_code'], unique=False, schema='projects', postgresql_ops={'region_code': 'varchar_pattern_ops'})
    op.create_index(op.f('ix_person_phone_index'), 'person', ['phone_index'], unique=False, schema='projects')
    op.create_index(op.f('ix_person_updated_at'), 'person', ['updated_at'], unique=False, schema='projects')

    op.create_table('unit_position',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    *_timestamps(),
    sa.CheckConstraint('ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on', name=op.f('ck_unit_position_dates')),
    sa.ForeignKeyConstraint(['person_id'], ['projects.person.id'], name=op.f('fk_unit_position_person_id_person')),
    sa.ForeignKeyConstraint(['unit_id'], ['projects.command_unit.id'], name=op.f('fk_unit_position_unit_id_command_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_position')),
    schema='projects'
    )
    op.create_index(op.f('ix_unit_position_person_id'), 'unit_position', ['person_id'], unique=False, schema='projects')
    op.create_index(op.f('ix_unit_position_unit_id'), 'unit_position', ['unit_id'], unique=False, schema='projects')
    op.create_index(op.f('ix_unit_position_updated_at'), 'unit_position', ['updated_at'], unique=False, schema='projects')

    op.create_table('responsibility',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('person_name', sa.String(length=50), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=True),
    sa.Column('household_count', sa.Integer(), nullable=True),
    sa.Column('household_ids', postgresql.ARRAY(sa.Uuid()), server_default=sa.text("'{}'"), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    *_timestamps(),
    sa.CheckConstraint("level IN ('lead_leader', 'township_secretary', 'department_head', 'staff')", name=op.f('ck_responsibility_level')),
    sa.CheckConstraint("level = 'staff' OR (household_count IS NULL AND cardinality(household_ids) = 0)", name=op.f('ck_responsibility_share_staff_only')),
    sa.CheckConstraint('household_count IS NULL OR household_count >= 0', name=op.f('ck_responsibility_household_count')),
    sa.ForeignKeyConstraint(['person_id'], ['projects.person.id'], name=op.f('fk_responsibility_person_id_person')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_responsibility_project_id_project')),
    sa.ForeignKeyConstraint(['unit_id'], ['projects.command_unit.id'], name=op.f('fk_responsibility_unit_id_command_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responsibility')),
    schema='projects'
    )
    op.create_index(op.f('ix_responsibility_person_id'), 'responsibility', ['person_id'], unique=False, schema='projects')
    op.create_index(op.f('ix_responsibility_project_id'), 'responsibility', ['project_id'], unique=False, schema='projects')
    op.create_index(op.f('ix_responsibility_updated_at'), 'responsibility', ['updated_at'], unique=False, schema='projects')
    op.create_index('uq_responsibility_project_level', 'responsibility', ['project_id', 'level'], unique=True, schema='projects', postgresql_where=sa.text("level <> 'staff'"))
    op.create_index('uq_responsibility_project_staff', 'responsibility', ['project_id', 'person_id'], unique=True, schema='projects', postgresql_where=sa.text("level = 'staff'"))

    op.create_table('taskforce_member',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('person_name', sa.String(length=50), nullable=False),
    sa.Column('gateway_username', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=50), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    *_timestamps(),
    sa.CheckConstraint('left_on IS NULL OR left_on >= joined_on', name=op.f('ck_taskforce_member_dates')),
    sa.ForeignKeyConstraint(['person_id'], ['projects.person.id'], name=op.f('fk_taskforce_member_person_id_person')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_taskforce_member_project_id_project')),
    sa.ForeignKeyConstraint(['unit_id'], ['projects.command_unit.id'], name=op.f('fk_taskforce_member_unit_id_command_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taskforce_member')),
    schema='projects'
    )
    op.create_index(op.f('ix_taskforce_member_person_id'), 'taskforce_member', ['person_id'], unique=False, schema='projects')
    op.create_index(op.f('ix_taskforce_member_project_id'), 'taskforce_member', ['project_id'], unique=False, schema='projects')
    op.create_index(op.f('ix_taskforce_member_unit_id'), 'taskforce_member', ['unit_id'], unique=False, schema='projects')
    op.create_index(op.f('ix_taskforce_member_updated_at'), 'taskforce_member', ['updated_at'], unique=False, schema='projects')
    op.create_index('uq_taskforce_member_current', 'taskforce_member', ['unit_id', 'person_id'], unique=True, schema='projects', postgresql_where=sa.text('left_on IS NULL'))

    # The project's legal basis, outline and the units that lead, implement and work on it.
    op.add_column('project', sa.Column('legal_basis', sa.String(length=32), nullable=True), schema='projects')
    op.add_column('project', sa.Column('geometry', postgresql.JSONB(astext_type=sa.Text()), nullable=True), schema='projects')
    for column in ('lead_unit_id', 'implementing_company_id', 'task_force_id'):
        op.add_column('project', sa.Column(column, sa.Uuid(), nullable=True), schema='projects')
        op.create_foreign_key(op.f(f'fk_project_{column}_command_unit'), 'project', 'command_unit', [column], ['id'],
                              source_schema='projects', referent_schema='projects')

    statements = scope_rls_sql(SCHEMA, "command_unit", "region_code", "project_id")
    statements += scope_rls_sql(SCHEMA, "person", "region_code", None)
    statements += child_rls_sql(SCHEMA, "unit_position", "command_unit", "unit_id")
    statements += child_rls_sql(SCHEMA, "responsibility", "project", "project_id")
    statements += child_rls_sql(SCHEMA, "taskforce_member", "project", "project_id")
    for sql in statements:
        op.execute(sql)


def downgrade() -> None:
    for table in ("taskforce_member", "responsibility", "unit_position", "person", "command_unit"):
        for sql in drop_scope_rls_sql(SCHEMA, table):
            op.execute(sql)
    for column in ('task_force_id', 'implementing_company_id', 'lead_unit_id'):
        op.drop_constraint(op.f(f'fk_project_{column}_command_unit'), 'project', schema='projects', type_='foreignkey')
        op.drop_column('project', column, schema='projects')
    op.drop_column('project', 'geometry', schema='projects')
    op.drop_column('project', 'legal_basis', schema='projects')
    op.drop_index('uq_taskforce_member_current', table_name='taskforce_member', schema='projects', postgresql_where=sa.text('left_on IS NULL'))
    op.drop_table('taskforce_member', schema='projects')
    op.drop_index('uq_responsibility_project_staff', table_name='responsibility', schema='projects', postgresql_where=sa.text("level = 'staff'"))
    op.drop_index('uq_responsibility_project_level', table_name='responsibility', schema='projects', postgresql_where=sa.text("level <> 'staff'"))
    op.drop_table('responsibility', schema='projects')
    op.drop_table('unit_position', schema='projects')
    op.drop_index('ix_person_region_code_pattern', table_name='person', schema='projects', postgresql_ops={'region_code': 'varchar_pattern_ops'})
    op.drop_table('person', schema='projects')
    op.drop_index('ix_command_unit_region_code_pattern', table_name='command_unit', schema='projects', postgresql_ops={'region_code': 'varchar_pattern_ops'})
    op.drop_table('command_unit', schema='projects')

"""tasks problems supervision

Tasks (倒排工期) with progress reports and approval documents, the problem ledger (挂号/销号) with its
history and closing evidence, supervision items (督办) with progress reports. Every table carries
``project_id`` and follows its project's row-level security.

Revision ID: a5ecc737881e
Revises: 6f05222e61af
Create Date: 2026-11-22 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from kernel.db.migrations import child_rls_sql, drop_scope_rls_sql

revision: str = 'a5ecc737881e'
down_revision: str | None = '6f05222e61af'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"
#: Every table of this revision: each row belongs to a project.
TABLES = ['task', 'task_progress', 'problem', 'problem_event', 'work_document', 'problem_evidence', 'supervision_item', 'supervision_report']


def upgrade() -> None:
    op.create_table('problem',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('measure', sa.Text(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closing_note', sa.Text(), nullable=True),
    sa.Column('episode', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_name', sa.String(length=100), nullable=True),
    sa.Column('owner_unit_name', sa.String(length=200), nullable=True),
    sa.Column('owner_person_id', sa.Uuid(), nullable=True),
    sa.Column('owner_unit_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status <> 'closed' OR closing_note IS NOT NULL", name=op.f('ck_problem_closed_with_note')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_problem_status_known')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_problem_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem')),
    schema='projects'
    )
    op.create_index(op.f('ix_problem_category'), 'problem', ['category'], unique=False, schema='projects')
    op.create_index('ix_problem_open_by_deadline', 'problem', ['project_id', 'deadline', 'id'], unique=False, schema='projects', postgresql_where=sa.text("status = 'open'"))
    op.create_index('ix_problem_project_id_registered_at', 'problem', ['project_id', 'created_at', 'id'], unique=False, schema='projects')
    op.create_index(op.f('ix_problem_updated_at'), 'problem', ['updated_at'], unique=False, schema='projects')
    op.create_table('task',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('planned_start', sa.Date(), nullable=True),
    sa.Column('planned_end', sa.Date(), nullable=True),
    sa.Column('actual_start', sa.Date(), nullable=True),
    sa.Column('actual_end', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('duration_days', sa.Integer(), nullable=True),
    sa.Column('working_days', sa.Boolean(), nullable=False),
    sa.Column('depends_on', postgresql.ARRAY(sa.Uuid()), nullable=False),
    sa.Column('plan_target', sa.Date(), nullable=True),
    sa.Column('document_number', sa.String(length=100), nullable=True),
    sa.Column('approving_authority', sa.String(length=200), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_name', sa.String(length=100), nullable=True),
    sa.Column('owner_unit_name', sa.String(length=200), nullable=True),
    sa.Column('owner_person_id', sa.Uuid(), nullable=True),
    sa.Column('owner_unit_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('not_started', 'in_progress', 'done', 'cancelled')", name=op.f('ck_task_status_known')),
    sa.CheckConstraint('actual_start IS NULL OR actual_end IS NULL OR actual_start <= actual_end', name=op.f('ck_task_actual_order')),
    sa.CheckConstraint('duration_days IS NULL OR duration_days >= 1', name=op.f('ck_task_duration_positive')),
    sa.CheckConstraint('planned_start IS NULL OR planned_end IS NULL OR planned_start <= planned_end', name=op.f('ck_task_planned_order')),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_task_progress_range')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_task_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task')),
    schema='projects'
    )
    op.create_index(op.f('ix_task_kind'), 'task', ['kind'], unique=False, schema='projects')
    op.create_index('ix_task_open_by_deadline', 'task', ['project_id', 'planned_end', 'id'], unique=False, schema='projects', postgresql_where=sa.text("status IN ('not_started', 'in_progress') AND planned_end IS NOT NULL"))
    op.create_index('ix_task_project_id_created_at', 'task', ['project_id', 'created_at', 'id'], unique=False, schema='projects')
    op.create_index(op.f('ix_task_updated_at'), 'task', ['updated_at'], unique=False, schema='projects')
    op.create_table('problem_event',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('problem_id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('by', sa.String(length=200), nullable=False),
    sa.Column('by_name', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['problem_id'], ['projects.problem.id'], name=op.f('fk_problem_event_problem_id_problem')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_problem_event_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_event')),
    schema='projects'
    )
    op.create_index('ix_problem_event_problem_id_at', 'problem_event', ['problem_id', 'at', 'id'], unique=False, schema='projects')
    op.create_index(op.f('ix_problem_event_project_id'), 'problem_event', ['project_id'], unique=False, schema='projects')
    op.create_table('supervision_item',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=False),
    sa.Column('meeting_title', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('problem_id', sa.Uuid(), nullable=True),
    sa.Column('problem_episode', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_name', sa.String(length=100), nullable=True),
    sa.Column('owner_unit_name', sa.String(length=200), nullable=True),
    sa.Column('owner_person_id', sa.Uuid(), nullable=True),
    sa.Column('owner_unit_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(source = 'overdue_problem') = (problem_id IS NOT NULL)", name=op.f('ck_supervision_item_problem_source')),
    sa.CheckConstraint("status <> 'closed' OR (result IS NOT NULL AND closed_on IS NOT NULL)", name=op.f('ck_supervision_item_closed_with_result')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_supervision_item_status_known')),
    sa.ForeignKeyConstraint(['problem_id'], ['projects.problem.id'], name=op.f('fk_supervision_item_problem_id_problem')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_supervision_item_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_item')),
    sa.UniqueConstraint('problem_id', 'problem_episode', name=op.f('uq_supervision_item_problem_id_problem_episode')),
    schema='projects'
    )
    op.create_index('ix_supervision_item_closed_on', 'supervision_item', ['closed_on', 'id'], unique=False, schema='projects', postgresql_where=sa.text("status = 'closed'"))
    op.create_index('ix_supervision_item_project_id_created_at', 'supervision_item', ['project_id', 'created_at', 'id'], unique=False, schema='projects')
    op.create_index(op.f('ix_supervision_item_source'), 'supervision_item', ['source'], unique=False, schema='projects')
    op.create_index(op.f('ix_supervision_item_updated_at'), 'supervision_item', ['updated_at'], unique=False, schema='projects')
    op.create_table('task_progress',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reported_by', sa.String(length=200), nullable=False),
    sa.Column('reported_by_name', sa.String(length=200), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_task_progress_progress_range')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_task_progress_project_id_project')),
    sa.ForeignKeyConstraint(['task_id'], ['projects.task.id'], name=op.f('fk_task_progress_task_id_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_progress')),
    schema='projects'
    )
    op.create_index(op.f('ix_task_progress_project_id'), 'task_progress', ['project_id'], unique=False, schema='projects')
    op.create_index('ix_task_progress_task_id_reported_at', 'task_progress', ['task_id', 'reported_at', 'id'], unique=False, schema='projects')
    op.create_table('work_document',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=True),
    sa.Column('problem_id', sa.Uuid(), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=127), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('storage', sa.String(length=16), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('uploaded_by', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by_name', sa.String(length=200), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(storage = 'database') = (content IS NOT NULL)", name=op.f('ck_work_document_content_where_stored')),
    sa.CheckConstraint("storage IN ('database', 'directory')", name=op.f('ck_work_document_storage_known')),
    sa.CheckConstraint('(task_id IS NULL) <> (problem_id IS NULL)', name=op.f('ck_work_document_one_owner')),
    sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_work_document_size_non_negative')),
    sa.ForeignKeyConstraint(['problem_id'], ['projects.problem.id'], name=op.f('fk_work_document_problem_id_problem')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_work_document_project_id_project')),
    sa.ForeignKeyConstraint(['task_id'], ['projects.task.id'], name=op.f('fk_work_document_task_id_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_document')),
    schema='projects'
    )
    op.create_index(op.f('ix_work_document_problem_id'), 'work_document', ['problem_id'], unique=False, schema='projects')
    op.create_index(op.f('ix_work_document_project_id'), 'work_document', ['project_id'], unique=False, schema='projects')
    op.create_index(op.f('ix_work_document_task_id'), 'work_document', ['task_id'], unique=False, schema='projects')
    op.create_table('problem_evidence',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('problem_id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('closure_event_id', sa.Uuid(), nullable=False),
    sa.Column('document_id', sa.Uuid(), nullable=True),
    sa.Column('reference', sa.String(length=500), nullable=True),
    sa.CheckConstraint('(document_id IS NOT NULL) OR (reference IS NOT NULL)', name=op.f('ck_problem_evidence_document_or_reference')),
    sa.ForeignKeyConstraint(['closure_event_id'], ['projects.problem_event.id'], name=op.f('fk_problem_evidence_closure_event_id_problem_event')),
    sa.ForeignKeyConstraint(['document_id'], ['projects.work_document.id'], name=op.f('fk_problem_evidence_document_id_work_document')),
    sa.ForeignKeyConstraint(['problem_id'], ['projects.problem.id'], name=op.f('fk_problem_evidence_problem_id_problem')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_problem_evidence_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_evidence')),
    schema='projects'
    )
    op.create_index(op.f('ix_problem_evidence_closure_event_id'), 'problem_evidence', ['closure_event_id'], unique=False, schema='projects')
    op.create_index(op.f('ix_problem_evidence_problem_id'), 'problem_evidence', ['problem_id'], unique=False, schema='projects')
    op.create_index(op.f('ix_problem_evidence_project_id'), 'problem_evidence', ['project_id'], unique=False, schema='projects')
    op.create_table('supervision_report',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('item_id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reported_by', sa.String(length=200), nullable=False),
    sa.Column('reported_by_name', sa.String(length=200), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('progress IS NULL OR progress BETWEEN 0 AND 100', name=op.f('ck_supervision_report_progress_range')),
    sa.ForeignKeyConstraint(['item_id'], ['projects.supervision_item.id'], name=op.f('fk_supervision_report_item_id_supervision_item')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_supervision_report_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_report')),
    schema='projects'
    )
    op.create_index('ix_supervision_report_item_id_reported_at', 'supervision_report', ['item_id', 'reported_at', 'id'], unique=False, schema='projects')
    op.create_index(op.f('ix_supervision_report_project_id'), 'supervision_report', ['project_id'], unique=False, schema='projects')
    # ### end Alembic commands ###
    for table in TABLES:
        for statement in child_rls_sql(SCHEMA, table, "project", "project_id"):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        for statement in drop_scope_rls_sql(SCHEMA, table):
            op.execute(statement)
    op.drop_index(op.f('ix_supervision_report_project_id'), table_name='supervision_report', schema='projects')
    op.drop_index('ix_supervision_report_item_id_reported_at', table_name='supervision_report', schema='projects')
    op.drop_table('supervision_report', schema='projects')
    op.drop_index(op.f('ix_problem_evidence_project_id'), table_name='problem_evidence', schema='projects')
    op.drop_index(op.f('ix_problem_evidence_problem_id'), table_name='problem_evidence', schema='projects')
    op.drop_index(op.f('ix_problem_evidence_closure_event_id'), table_name='problem_evidence', schema='projects')
    op.drop_table('problem_evidence', schema='projects')
    op.drop_index(op.f('ix_work_document_task_id'), table_name='work_document', schema='projects')
    op.drop_index(op.f('ix_work_document_project_id'), table_name='work_document', schema='projects')
    op.drop_index(op.f('ix_work_document_problem_id'), table_name='work_document', schema='projects')
    op.drop_table('work_document', schema='projects')
    op.drop_index('ix_task_progress_task_id_reported_at', table_name='task_progress', schema='projects')
    op.drop_index(op.f('ix_task_progress_project_id'), table_name='task_progress', schema='projects')
    op.drop_table('task_progress', schema='projects')
    op.drop_index(op.f('ix_supervision_item_updated_at'), table_name='supervision_item', schema='projects')
    op.drop_index(op.f('ix_supervision_item_source'), table_name='supervision_item', schema='projects')
    op.drop_index('ix_supervision_item_project_id_created_at', table_name='supervision_item', schema='projects')
    op.drop_index('ix_supervision_item_closed_on', table_name='supervision_item', schema='projects', postgresql_where=sa.text("status = 'closed'"))
    op.drop_table('supervision_item', schema='projects')
    op.drop_index(op.f('ix_problem_event_project_id'), table_name='problem_event', schema='projects')
    op.drop_index('ix_problem_event_problem_id_at', table_name='problem_event', schema='projects')
    op.drop_table('problem_event', schema='projects')
    op.drop_index(op.f('ix_task_updated_at'), table_name='task', schema='projects')
    op.drop_index('ix_task_project_id_created_at', table_name='task', schema='projects')
    op.drop_index('ix_task_open_by_deadline', table_name='task', schema='projects', postgresql_where=sa.text("status IN ('not_started', 'in_progress') AND planned_end IS NOT NULL"))
    op.drop_index(op.f('ix_task_kind'), table_name='task', schema='projects')
    op.drop_table('task', schema='projects')
    op.drop_index(op.f('ix_problem_updated_at'), table_name='problem', schema='projects')
    op.drop_index('ix_problem_project_id_registered_at', table_name='problem', schema='projects')
    op.drop_index('ix_problem_open_by_deadline', table_name='problem', schema='projects', postgresql_where=sa.text("status = 'open'"))
    op.drop_index(op.f('ix_problem_category'), table_name='problem', schema='projects')
    op.drop_table('problem', schema='projects')

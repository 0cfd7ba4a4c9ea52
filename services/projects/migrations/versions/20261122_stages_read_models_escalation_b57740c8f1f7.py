"""stages read models escalation

Revision ID: b57740c8f1f7
Revises: ddb052f37232
Create Date: 2026-11-22 09:00:00+00:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from kernel.db.migrations import child_rls_sql, drop_scope_rls_sql, scope_rls_sql

revision: str = 'b57740c8f1f7'
down_revision: str | None = 'ddb052f37232'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"


RULE_NAMESPACE = uuid.UUID("0b7f9c54-3f7e-4b8e-9a52-2f4d3c1a9e10")
# The seed escalation rule (DOMAIN.md §2): zero signings for 2 / 3 / 4 consecutive weeks.
SEED_RULES = [
    ("signing-zero-2w", "连续2周零签约：约谈分管领导", 2, "summon_deputy", ["department_head_on_duty"]),
    ("signing-zero-3w", "连续3周零签约：约谈主要领导", 3, "summon_principal", ["township_secretary"]),
    ("signing-zero-4w", "连续4周零签约：取消当年评先评优资格", 4, "revoke_award",
     ["lead_district_leader", "township_secretary"]),
]
#: Tables that belong to a project: visible exactly when the project is.
PROJECT_CHILDREN = ("stage_plan", "stage_transition", "signing_ref", "progress_ref", "scheme_ref",
                    "dedicated_account_ref")


def upgrade() -> None:
    op.create_table('dedicated_account_ref',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('balance', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_dedicated_account_ref')),
    schema='projects'
    )
    op.create_table('escalation_rule',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=16), nullable=False),
    sa.Column('window_weeks', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('concerns', sa.ARRAY(sa.String(length=40)), nullable=False),
    sa.Column('region_prefix', sa.String(length=12), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('threshold >= 0', name=op.f('ck_escalation_rule_threshold')),
    sa.CheckConstraint('window_weeks BETWEEN 1 AND 52', name=op.f('ck_escalation_rule_window_weeks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_rule')),
    sa.UniqueConstraint('code', name=op.f('uq_escalation_rule_code')),
    schema='projects'
    )
    op.create_index(op.f('ix_escalation_rule_updated_at'), 'escalation_rule', ['updated_at'], unique=False, schema='projects')
    op.create_table('job_run',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('last_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_result', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_run')),
    schema='projects'
    )
    op.create_table('progress_ref',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('households_total', sa.Integer(), nullable=False),
    sa.Column('surveyed', sa.Integer(), nullable=False),
    sa.Column('signed', sa.Integer(), nullable=False),
    sa.Column('vacated', sa.Integer(), nullable=False),
    sa.Column('demolished', sa.Integer(), nullable=False),
    sa.Column('closed_otherwise', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_progress_ref')),
    schema='projects'
    )
    op.create_table('scheme_ref',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('scheme_id', sa.Uuid(), nullable=False),
    sa.Column('scheme_version', sa.Integer(), nullable=False),
    sa.Column('budget', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('comment_opened_on', sa.Date(), nullable=True),
    sa.Column('comment_closes_on', sa.Date(), nullable=True),
    sa.Column('stability_assessed_on', sa.Date(), nullable=True),
    sa.Column('stability_risk_level', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_scheme_ref')),
    schema='projects'
    )
    op.create_table('signing_ref',
    sa.Column('agreement_id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('agreement_id', name=op.f('pk_signing_ref')),
    schema='projects'
    )
    op.create_index('ix_signing_ref_project_week', 'signing_ref', ['project_id', 'week_start'], unique=False, schema='projects')
    op.create_index('ix_signing_ref_region_week', 'signing_ref', ['region_code', 'week_start'], unique=False, schema='projects', postgresql_ops={'region_code': 'varchar_pattern_ops'})
    op.create_table('escalation_firing',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('rule_id', sa.Uuid(), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('subject_key', sa.String(length=40), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=True),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('episode_start', sa.Date(), nullable=False),
    sa.Column('week_ending', sa.Date(), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('people', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=100), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_escalation_firing_project_id_project')),
    sa.ForeignKeyConstraint(['rule_id'], ['projects.escalation_rule.id'], name=op.f('fk_escalation_firing_rule_id_escalation_rule')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_firing')),
    sa.UniqueConstraint('rule_id', 'subject_key', 'episode_start', name='uq_escalation_firing_once'),
    schema='projects'
    )
    op.create_index(op.f('ix_escalation_firing_project_id'), 'escalation_firing', ['project_id'], unique=False, schema='projects')
    op.create_index('ix_escalation_firing_region_code_pattern', 'escalation_firing', ['region_code'], unique=False, schema='projects', postgresql_ops={'region_code': 'varchar_pattern_ops'})
    op.create_index(op.f('ix_escalation_firing_rule_id'), 'escalation_firing', ['rule_id'], unique=False, schema='projects')
    op.create_index(op.f('ix_escalation_firing_updated_at'), 'escalation_firing', ['updated_at'], unique=False, schema='projects')
    op.create_table('stage_plan',
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('planned_start', sa.Date(), nullable=True),
    sa.Column('planned_end', sa.Date(), nullable=True),
    sa.Column('actual_start', sa.Date(), nullable=True),
    sa.Column('actual_end', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_stage_plan_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'stage', name=op.f('pk_stage_plan')),
    schema='projects'
    )
    op.create_table('stage_transition',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('project_id', sa.Uuid(), nullable=False),
    sa.Column('from_stage', sa.String(length=32), nullable=False),
    sa.Column('to_stage', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('conditions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.project.id'], name=op.f('fk_stage_transition_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_transition')),
    schema='projects'
    )
    op.create_index('ix_stage_transition_project_at', 'stage_transition', ['project_id', 'at'], unique=False, schema='projects')
    rules = sa.table("escalation_rule", sa.column("id", sa.Uuid), sa.column("code", sa.String),
                     sa.column("name", sa.String), sa.column("metric", sa.String), sa.column("subject", sa.String),
                     sa.column("window_weeks", sa.Integer), sa.column("threshold", sa.Integer),
                     sa.column("action", sa.String), sa.column("concerns", postgresql.ARRAY(sa.String)),
                     sa.column("active", sa.Boolean), sa.column("version", sa.Integer), schema=SCHEMA)
    op.bulk_insert(rules, [
        {"id": uuid.uuid5(RULE_NAMESPACE, code), "code": code, "name": name, "metric": "signings", "subject": "project",
         "window_weeks": weeks, "threshold": 0, "action": action, "concerns": concerns, "active": True,
         "version": 1}
        for code, name, weeks, action, concerns in SEED_RULES
    ])
    statements = [s for table in PROJECT_CHILDREN for s in child_rls_sql(SCHEMA, table, "project", "project_id")]
    statements += scope_rls_sql(SCHEMA, "escalation_firing", "region_code", "project_id")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    for table in (*PROJECT_CHILDREN, "escalation_firing"):
        for statement in drop_scope_rls_sql(SCHEMA, table):
            op.execute(statement)
    op.drop_index('ix_stage_transition_project_at', table_name='stage_transition', schema='projects')
    op.drop_table('stage_transition', schema='projects')
    op.drop_table('stage_plan', schema='projects')
    op.drop_index(op.f('ix_escalation_firing_updated_at'), table_name='escalation_firing', schema='projects')
    op.drop_index(op.f('ix_escalation_firing_rule_id'), table_name='escalation_firing', schema='projects')
    op.drop_index('ix_escalation_firing_region_code_pattern', table_name='escalation_firing', schema='projects', postgresql_ops={'region_code': 'varchar_pattern_ops'})
    op.drop_index(op.f('ix_escalation_firing_project_id'), table_name='escalation_firing', schema='projects')
    op.drop_table('escalation_firing', schema='projects')
    op.drop_index('ix_signing_ref_region_week', table_name='signing_ref', schema='projects', postgresql_ops={'region_code': 'varchar_pattern_ops'})
    op.drop_index('ix_signing_ref_project_week', table_name='signing_ref', schema='projects')
    op.drop_table('signing_ref', schema='projects')
    op.drop_table('scheme_ref', schema='projects')
    op.drop_table('progress_ref', schema='projects')
    op.drop_table('job_run', schema='projects')
    op.drop_index(op.f('ix_escalation_rule_updated_at'), table_name='escalation_rule', schema='projects')
    op.drop_table('escalation_rule', schema='projects')
    op.drop_table('dedicated_account_ref', schema='projects')

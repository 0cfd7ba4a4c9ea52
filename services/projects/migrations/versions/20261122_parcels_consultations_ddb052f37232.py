"""parcels consultations

Land parcels (地块) with their supply steps and history; resident consultations (意愿征询, 改造“点单”)
with options, eligible households, current ballots and the ballot log. Every table carries
``project_id`` and follows its project's row-level security.

Revision ID: ddb052f37232
Revises: a5ecc737881e
Create Date: 2026-11-22 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from kernel.db.migrations import child_rls_sql, drop_scope_rls_sql

revision: str = 'ddb052f37232'
down_revision: str | None = 'a5ecc737881e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"
#: Every table of this revision, parents first: each row belongs to a project.
TABLES = ["parcel", "parcel_history", "consultation", "consultation_option", "eligible_household", "ballot",
          "ballot_log"]


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def _ballot_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("choices", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("paper_form_no", sa.String(length=40), nullable=True),
        sa.Column("cast_by", sa.String(length=200), nullable=False),
        sa.Column("cast_by_name", sa.String(length=200), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    # --- land parcels ---------------------------------------------------------------------------
    op.create_table(
        "parcel",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("area_mu", sa.Numeric(16, 2), nullable=False),
        sa.Column("area_m2", sa.Numeric(16, 2), nullable=False),
        sa.Column("planned_use", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cleared_on", sa.Date(), nullable=False),
        sa.Column("handed_over_on", sa.Date(), nullable=True),
        sa.Column("listed_on", sa.Date(), nullable=True),
        sa.Column("listing_starting_price", sa.Numeric(16, 2), nullable=True),
        sa.Column("listing_venue", sa.String(length=200), nullable=True),
        sa.Column("sold_on", sa.Date(), nullable=True),
        sa.Column("sale_buyer", sa.String(length=200), nullable=True),
        sa.Column("sale_price", sa.Numeric(16, 2), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("status IN ('cleared', 'handed_over', 'listed', 'sold')",
                           name=op.f("ck_parcel_status_known")),
        sa.CheckConstraint("area_mu > 0 AND area_m2 > 0", name=op.f("ck_parcel_area_positive")),
        sa.CheckConstraint("status <> 'sold' OR (sale_price IS NOT NULL AND sold_on IS NOT NULL)",
                           name=op.f("ck_parcel_sold_with_price")),
        sa.CheckConstraint("status <> 'listed' OR listed_on IS NOT NULL", name=op.f("ck_parcel_listed_with_date")),
        sa.CheckConstraint("sale_price IS NULL OR sale_price >= 0", name=op.f("ck_parcel_sale_price_non_negative")),
        sa.CheckConstraint("listing_starting_price IS NULL OR listing_starting_price >= 0",
                           name=op.f("ck_parcel_starting_price_non_negative")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.project.id"], name=op.f("fk_parcel_project_id_project")),
        sa.ForeignKeyConstraint(["region_code"], ["projects.region.code"],
                                name=op.f("fk_parcel_region_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcel")),
        sa.UniqueConstraint("code", name=op.f("uq_parcel_code")),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_parcel_status"), "parcel", ["status"], unique=False, schema=SCHEMA)
    op.create_index(op.f("ix_parcel_updated_at"), "parcel", ["updated_at"], unique=False, schema=SCHEMA)
    op.create_index("ix_parcel_project_id_code", "parcel", ["project_id", "code"], unique=False, schema=SCHEMA)

    op.create_table(
        "parcel_history",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parcel_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parcel_id"], ["projects.parcel.id"], name=op.f("fk_parcel_history_parcel_id_parcel")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.project.id"],
                                name=op.f("fk_parcel_history_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parcel_history")),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_parcel_history_project_id"), "parcel_history", ["project_id"], unique=False,
                    schema=SCHEMA)
    op.create_index("ix_parcel_history_parcel_id_recorded_at", "parcel_history", ["parcel_id", "recorded_at", "id"],
                    unique=False, schema=SCHEMA)

    # --- consultations --------------------------------------------------------------------------
    op.create_table(
        "consultation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("support_num", sa.Integer(), nullable=False),
        sa.Column("support_den", sa.Integer(), nullable=False),
        sa.Column("threshold_base", sa.String(length=16), nullable=False),
        sa.Column("participation_num", sa.Integer(), nullable=True),
        sa.Column("participation_den", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name=op.f("ck_consultation_status_known")),
        sa.CheckConstraint("kind IN ('willingness', 'renovation_menu', 'representative_review', 'satisfaction')",
                           name=op.f("ck_consultation_kind_known")),
        sa.CheckConstraint("threshold_base IN ('eligible', 'votes_cast')", name=op.f("ck_consultation_base_known")),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_consultation_period_order")),
        sa.CheckConstraint("support_num > 0 AND support_den > 0 AND support_num <= support_den",
                           name=op.f("ck_consultation_support_share")),
        sa.CheckConstraint("(participation_num IS NULL AND participation_den IS NULL) OR (participation_num > 0 "
                           "AND participation_den > 0 AND participation_num <= participation_den)",
                           name=op.f("ck_consultation_participation_share")),
        sa.CheckConstraint("status <> 'closed' OR result IS NOT NULL", name=op.f("ck_consultation_closed_with_result")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.project.id"],
                                name=op.f("fk_consultation_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation")),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_consultation_status"), "consultation", ["status"], unique=False, schema=SCHEMA)
    op.create_index(op.f("ix_consultation_updated_at"), "consultation", ["updated_at"], unique=False, schema=SCHEMA)
    op.create_index("ix_consultation_project_id_created_at", "consultation", ["project_id", "created_at", "id"],
                    unique=False, schema=SCHEMA)

    op.create_table(
        "consultation_option",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("supportive", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name=op.f("ck_consultation_option_score_range")),
        sa.ForeignKeyConstraint(["consultation_id"], ["projects.consultation.id"],
                                name=op.f("fk_consultation_option_consultation_id_consultation")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.project.id"],
                                name=op.f("fk_consultation_option_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_option")),
        sa.UniqueConstraint("consultation_id", "position", name=op.f("uq_consultation_option_consultation_id_position")),
        sa.UniqueConstraint("consultation_id", "label", name=op.f("uq_consultation_option_consultation_id_label")),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_consultation_option_project_id"), "consultation_option", ["project_id"], unique=False,
                    schema=SCHEMA)

    op.create_table(
        "eligible_household",
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("head_name", sa.String(length=50), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('imported', 'relocation')", name=op.f("ck_eligible_household_source_known")),
        sa.CheckConstraint("region_code IS NULL OR region_code ~ '^[0-9]{12}$'",
                           name=op.f("ck_eligible_household_region_code_format")),
        sa.ForeignKeyConstraint(["consultation_id"], ["projects.consultation.id"],
                                name=op.f("fk_eligible_household_consultation_id_consultation")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.project.id"],
                                name=op.f("fk_eligible_household_project_id_project")),
        sa.PrimaryKeyConstraint("consultation_id", "household_id", name=op.f("pk_eligible_household")),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_eligible_household_household_id"), "eligible_household", ["household_id"],
                    unique=False, schema=SCHEMA)
    op.create_index(op.f("ix_eligible_household_project_id"), "eligible_household", ["project_id"], unique=False,
                    schema=SCHEMA)
    op.create_index("ix_eligible_household_listing", "eligible_household",
                    ["consultation_id", "address", "household_id"], unique=False, schema=SCHEMA)

    op.create_table(
        "ballot",
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_ballot_columns(),
        sa.CheckConstraint("channel IN ('app', 'field', 'paper')", name=op.f("ck_ballot_channel_known")),
        sa.CheckConstraint("channel <> 'paper' OR paper_form_no IS NOT NULL", name=op.f("ck_ballot_paper_with_form")),
        sa.ForeignKeyConstraint(["consultation_id", "household_id"],
                                ["projects.eligible_household.consultation_id",
                                 "projects.eligible_household.household_id"],
                                name=op.f("fk_ballot_consultation_id_household_id_eligible_household")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.project.id"], name=op.f("fk_ballot_project_id_project")),
        sa.PrimaryKeyConstraint("consultation_id", "household_id", name=op.f("pk_ballot")),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_ballot_project_id"), "ballot", ["project_id"], unique=False, schema=SCHEMA)

    op.create_table(
        "ballot_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("ballot_version", sa.Integer(), nullable=False),
        *_ballot_columns(),
        sa.ForeignKeyConstraint(["consultation_id", "household_id"],
                                ["projects.eligible_household.consultation_id",
                                 "projects.eligible_household.household_id"],
                                name=op.f("fk_ballot_log_consultation_id_household_id_eligible_household")),
        sa.ForeignKeyConstraint(["project_id"], ["projects.project.id"], name=op.f("fk_ballot_log_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_log")),
        schema=SCHEMA,
    )
    op.create_index(op.f("ix_ballot_log_project_id"), "ballot_log", ["project_id"], unique=False, schema=SCHEMA)
    op.create_index("ix_ballot_log_household", "ballot_log", ["consultation_id", "household_id", "cast_at"],
                    unique=False, schema=SCHEMA)

    for table in TABLES:
        for statement in child_rls_sql(SCHEMA, table, "project", "project_id"):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        for statement in drop_scope_rls_sql(SCHEMA, table):
            op.execute(statement)
    op.drop_index("ix_ballot_log_household", table_name="ballot_log", schema=SCHEMA)
    op.drop_index(op.f("ix_ballot_log_project_id"), table_name="ballot_log", schema=SCHEMA)
    op.drop_table("ballot_log", schema=SCHEMA)
    op.drop_index(op.f("ix_ballot_project_id"), table_name="ballot", schema=SCHEMA)
    op.drop_table("ballot", schema=SCHEMA)
    op.drop_index("ix_eligible_household_listing", table_name="eligible_household", schema=SCHEMA)
    op.drop_index(op.f("ix_eligible_household_project_id"), table_name="eligible_household", schema=SCHEMA)
    op.drop_index(op.f("ix_eligible_household_household_id"), table_name="eligible_household", schema=SCHEMA)
    op.drop_table("eligible_household", schema=SCHEMA)
    op.drop_index(op.f("ix_consultation_option_project_id"), table_name="consultation_option", schema=SCHEMA)
    op.drop_table("consultation_option", schema=SCHEMA)
    op.drop_index("ix_consultation_project_id_created_at", table_name="consultation", schema=SCHEMA)
    op.drop_index(op.f("ix_consultation_updated_at"), table_name="consultation", schema=SCHEMA)
    op.drop_index(op.f("ix_consultation_status"), table_name="consultation", schema=SCHEMA)
    op.drop_table("consultation", schema=SCHEMA)
    op.drop_index("ix_parcel_history_parcel_id_recorded_at", table_name="parcel_history", schema=SCHEMA)
    op.drop_index(op.f("ix_parcel_history_project_id"), table_name="parcel_history", schema=SCHEMA)
    op.drop_table("parcel_history", schema=SCHEMA)
    op.drop_index("ix_parcel_project_id_code", table_name="parcel", schema=SCHEMA)
    op.drop_index(op.f("ix_parcel_updated_at"), table_name="parcel", schema=SCHEMA)
    op.drop_index(op.f("ix_parcel_status"), table_name="parcel", schema=SCHEMA)
    op.drop_table("parcel", schema=SCHEMA)

"""Tables: command structure: command units, people and positions, responsibility chains, task forces.

Scope: units and people belong to a region (a task force also to its project, so a
member of the force sees it); positions belong to their unit; responsibilities and
task-force memberships to their project. Names of people are copied into the
project's rows (``person_name``) so that a project's chain reads whole for everyone
who sees the project, even where the person (a district leader, say) lies outside
the reader's region."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db.session import TimestampMixin, new_id
from services.projects.database import Base

__all__ = ["Base", "CommandUnit", "Person", "Position", "Responsibility", "TaskForceMember"]


class CommandUnit(TimestampMixin, Base):
    """A unit of the command structure: a command (city, district), a sub-district, a
    project's task force (工作专班), a functional department, an implementing company,
    the expropriation department or its implementing unit."""

    __tablename__ = "command_unit"
    __table_args__ = (
        CheckConstraint("(kind = 'task_force') = (project_id IS NOT NULL)", name="task_force_project"),
        CheckConstraint("function IS NULL OR kind = 'department'", name="function_department"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="parent_not_self"),
        Index("ix_command_unit_region_code_pattern", "region_code",
              postgresql_ops={"region_code": "varchar_pattern_ops"}),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("command_unit.id"), index=True)
    function: Mapped[str | None] = mapped_column(String(32))  # a department's field (住建, 财政...)
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("project.id"), unique=True)  # task force
    active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it from the class)


class Person(TimestampMixin, Base):
    """A cadre or staff member. The phone is encrypted (``phone_enc``) and found by its
    keyed hash (``phone_index``); ``gateway_username`` links the person to their account."""

    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint(r"gateway_username IS NULL OR gateway_username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'",
                        name="gateway_username_format"),
        Index("ix_person_region_code_pattern", "region_code", postgresql_ops={"region_code": "varchar_pattern_ops"}),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(50))
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    gateway_username: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Position(TimestampMixin, Base):
    """A person's post (职务) in a unit, current until ``ended_on``."""

    __tablename__ = "unit_position"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on", name="dates"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("command_unit.id"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Responsibility(TimestampMixin, Base):
    """One link of a project's four-level responsibility chain (四级响应). The first three
    levels are held by one person per project; staff are many, each with a share of the
    households (a count, or the households themselves)."""

    __tablename__ = "responsibility"
    __table_args__ = (
        CheckConstraint("level IN ('lead_leader', 'township_secretary', 'department_head', 'staff')",
                        name="level"),
        CheckConstraint("level = 'staff' OR (household_count IS NULL AND cardinality(household_ids) = 0)",
                        name="share_staff_only"),
        CheckConstraint("household_count IS NULL OR household_count >= 0", name="household_count"),
        Index("uq_responsibility_project_level", "project_id", "level", unique=True,
              postgresql_where=text("level <> 'staff'")),
        Index("uq_responsibility_project_staff", "project_id", "person_id", unique=True,
              postgresql_where=text("level = 'staff'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    level: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    person_name: Mapped[str] = mapped_column(String(50))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("command_unit.id"))
    household_count: Mapped[int | None]
    household_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), server_default=text("'{}'"), default=list)
    note: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class TaskForceMember(TimestampMixin, Base):
    """A person's membership of a project's task force, from ``joined_on`` until ``left_on``.
    ``gateway_username`` is the person's account when they joined (kept current when
    the person's link changes): the gateway turns memberships into token scope."""

    __tablename__ = "taskforce_member"
    __table_args__ = (
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="dates"),
        Index("uq_taskforce_member_current", "unit_id", "person_id", unique=True,
              postgresql_where=text("left_on IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("command_unit.id"), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    person_name: Mapped[str] = mapped_column(String(50))
    gateway_username: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(50))
    joined_on: Mapped[dt.date] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

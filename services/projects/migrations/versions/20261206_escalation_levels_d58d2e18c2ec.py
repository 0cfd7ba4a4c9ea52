"""escalation levels

The levels an escalation rule concerns are the responsibility chain's (``ResponsibilityLevel``):
the seed rules' stored names, and any rule written with the old names, are rewritten to them, so
that a firing names the people who hold those levels. Down restores the old names.

Revision ID: d58d2e18c2ec
Revises: d9a24fcf7648
Create Date: 2026-12-06 22:11:28.287936+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'd58d2e18c2ec'
down_revision: str | None = 'd9a24fcf7648'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "projects"
#: Old name of a level (escalation's own vocabulary) → the responsibility chain's.
RENAMED = (
    ("lead_district_leader", "lead_leader"),
    ("department_head_on_duty", "department_head"),
    ("responsible_staff", "staff"),
)


def _rename(pairs: Sequence[tuple[str, str]]) -> None:
    for old, new in pairs:
        op.execute(sa.text(f"UPDATE {SCHEMA}.escalation_rule "
                           "SET concerns = array_replace(concerns, CAST(:old AS varchar), CAST(:new AS varchar)), "
                           "version = version + 1 "
                           "WHERE CAST(:old AS varchar) = ANY(concerns)").bindparams(old=old, new=new))


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename([(new, old) for old, new in RENAMED])

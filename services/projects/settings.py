"""Settings of the projects service (env prefix ``PROJECTS_``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class ProjectsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROJECTS_", extra="ignore")

    service_name: str = "projects"
    port: int = 8001
    db_role: str | None = "anju_projects_app"
    db_rls: bool = True
    square_metres_per_mu: Decimal = Decimal("666.67")
    # The feeds the stage gates and escalation rules follow (contracts.relocation, contracts.funding).
    relocation_feed_url: str = "http://127.0.0.1:8002/internal/v1/relocation/events"
    funding_feed_url: str = "http://127.0.0.1:8004/internal/v1/funding/events"
    # Scheduled jobs (escalation rules, overdue problems → supervision).
    jobs_enabled: bool = Field(default=True, description="run the scheduled jobs in this process")
    job_interval_seconds: float = Field(default=3600.0, gt=0)
    # Documents attached to tasks and problems: in the database unless a directory is given.
    document_dir: Path | None = Field(default=None, description="directory for document files (else the database)")
    document_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    # Overdue problems become supervision items with this many days to answer.
    overdue_supervision_deadline_days: int = Field(default=7, ge=1)
    # Spreadsheets (Excel import and export).
    sheets_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0, description="largest .xlsx accepted")
    sheets_max_unpacked_bytes: int = Field(default=200 * 1024 * 1024, gt=0, description="zip-bomb guard")
    sheets_import_max_rows: int = Field(default=2000, gt=0)
    sheets_export_max_rows: int = Field(default=50_000, gt=0)
    # Bounds on a project's outline (GeoJSON): larger ones are refused with 422.
    geometry_max_polygons: int = Field(default=50, ge=1, description="polygons in a MultiPolygon")
    geometry_max_rings: int = Field(default=50, ge=1, description="rings per polygon (the outline and its holes)")
    geometry_max_positions: int = Field(default=10_000, ge=4, description="positions in the whole outline")
    # Stage gates (DOMAIN.md §3.9), defaults configurable per deployment.
    gate_comment_window_days: int = Field(default=30, ge=0)
    gate_collective_plan_notice_days: int = Field(default=30, ge=0)

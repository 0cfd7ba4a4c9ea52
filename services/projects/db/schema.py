"""Every table of the service, for Alembic and the tests: importing this module
registers all model modules on ``Base.metadata``."""

from __future__ import annotations

from services.projects.db import models, models_command, models_consult, models_land, models_stages, models_work
from services.projects.db.models import Base

__all__ = ["Base", "models", "models_command", "models_consult", "models_land", "models_stages", "models_work"]

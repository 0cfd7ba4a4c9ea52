"""Every table of the service, for Alembic and the tests: importing this module
registers all model modules on ``Base.metadata``."""

from __future__ import annotations

from services.projects.command import models as models_command
from services.projects.consultations import models as models_consult
from services.projects.database import Base
from services.projects.land import models as models_land
from services.projects.registry import models
from services.projects.stages import models as models_stages
from services.projects.work import models as models_work

__all__ = ["Base", "models", "models_command", "models_consult", "models_land", "models_stages", "models_work"]

"""Every table of the service, for Alembic and the tests: importing this module
registers all model modules on ``Base.metadata``."""

from __future__ import annotations

from services.projects.command import models as models_command
from services.projects.consultations import models as models_consult
from services.projects.database import Base
from services.projects.documents import models as models_documents
from services.projects.escalation import models as models_escalation
from services.projects.feeds import models as models_feeds
from services.projects.jobs import models as models_jobs
from services.projects.land import models as models_land
from services.projects.problems import models as models_problems
from services.projects.regions import models as models_regions
from services.projects.registry import models
from services.projects.stages import models as models_stages
from services.projects.supervision import models as models_supervision
from services.projects.tasks import models as models_tasks

__all__ = ["Base", "models", "models_command", "models_consult", "models_documents", "models_escalation",
           "models_feeds", "models_jobs", "models_land", "models_problems", "models_regions", "models_stages",
           "models_supervision", "models_tasks"]

"""Every table of the gateway, for Alembic and the tests: importing this module
registers all model modules on ``Base.metadata``."""

from __future__ import annotations

from gateway.clients import models as models_clients
from gateway.database import Base
from gateway.identity import models as models_identity
from gateway.keys import models as models_keys
from gateway.memberships import models as models_memberships
from gateway.users import models as models_users

__all__ = ["Base", "models_clients", "models_identity", "models_keys", "models_memberships", "models_users"]

"""Routes: escalations. Paths are absolute under ``/api/v1/projects``."""

from __future__ import annotations

from kernel.web.deps import api_router

router = api_router("/api/v1/projects", "escalations")

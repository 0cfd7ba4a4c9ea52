"""Who may call what: each route names its permission from the one table (``kernel.auth``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kernel.auth import Principal
from kernel.web.auth import Authorize

ReadRegions = Annotated[Principal, Depends(Authorize("regions.read"))]
WriteRegions = Annotated[Principal, Depends(Authorize("regions.write"))]
ReadProjects = Annotated[Principal, Depends(Authorize("projects.read"))]
WriteProjects = Annotated[Principal, Depends(Authorize("projects.write"))]

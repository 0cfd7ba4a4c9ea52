"""Who may call what: each route names its permission from the one table (``kernel.auth.principal``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kernel.auth.principal import Principal
from kernel.web.auth import Authorize

ReadRegions = Annotated[Principal, Depends(Authorize("regions.read"))]
WriteRegions = Annotated[Principal, Depends(Authorize("regions.write"))]
ReadProjects = Annotated[Principal, Depends(Authorize("projects.read"))]
WriteProjects = Annotated[Principal, Depends(Authorize("projects.write"))]
WriteStages = Annotated[Principal, Depends(Authorize("stages.write"))]
WriteCommand = Annotated[Principal, Depends(Authorize("command.write"))]
WriteTasks = Annotated[Principal, Depends(Authorize("tasks.write"))]
WriteProblems = Annotated[Principal, Depends(Authorize("problems.write"))]
#: Withdrawing a document (作废) needs the write permission of its owner, as uploading it did: tasks.write
#: for a task's, problems.write for a problem's (the use case checks it once the document is found).
#: The route admits the callers of the wider of the two (every role with tasks.write has problems.write).
WithdrawDocuments = Annotated[Principal, Depends(Authorize("problems.write"))]
ManageSupervision = Annotated[Principal, Depends(Authorize("supervision.manage"))]
ReportSupervision = Annotated[Principal, Depends(Authorize("supervision.report"))]
ManageEscalations = Annotated[Principal, Depends(Authorize("escalations.manage"))]
WriteParcels = Annotated[Principal, Depends(Authorize("parcels.write"))]
ManageConsultations = Annotated[Principal, Depends(Authorize("consultations.manage"))]
ReadConsultations = Annotated[Principal, Depends(Authorize("consultations.read"))]
VoteConsultations = Annotated[Principal, Depends(Authorize("consultations.vote"))]
RevealPii = Annotated[Principal, Depends(Authorize("pii.reveal"))]

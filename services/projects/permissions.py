"""Who may call what: each route names its permission from the one table (``kernel.auth.principal``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kernel.auth.permissions import STAFF, declare
from kernel.auth.principal import Principal
from kernel.auth.roles import Role
from kernel.web.auth import Authorize

_COMMAND = frozenset({Role.admin, Role.city_commander, Role.district_commander})
#: The people who run a project day to day: command, sub-district and its task force.
_PROJECT_WORK = _COMMAND | {Role.street_officer, Role.taskforce_member}

PERMISSIONS = declare({
    "regions.read": STAFF | {Role.integration},
    "regions.write": frozenset({Role.admin}),
    "projects.read": STAFF | {Role.integration},
    "projects.write": _COMMAND,
    "stages.write": _COMMAND,                      # move a project through its stages
    "command.write": _COMMAND,                     # command units, people, responsibility chains, task forces
    "tasks.write": _PROJECT_WORK,                  # tasks, approvals, progress, documents
    "problems.write": _PROJECT_WORK | {Role.field_worker},  # problem ledger: register, progress, close
    "supervision.manage": _COMMAND,                # open, close and publish supervision items
    "supervision.report": _PROJECT_WORK,           # progress on a supervision item
    "escalations.manage": _COMMAND,                # escalation rules, resolving firings, running jobs
    "parcels.write": _COMMAND,
    "consultations.manage": _PROJECT_WORK,         # rounds, eligible households, close
    "consultations.read": STAFF | {Role.resident},
    # A resident votes for their own household; staff enter field-team and paper votes.
    "consultations.vote": frozenset({Role.resident, Role.street_officer, Role.taskforce_member,
                                     Role.field_worker, Role.admin}),
})


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

"""Vocabularies of tasks: their kinds (a general task or an approval, 审批事项) and statuses, with their
Chinese labels (pure)."""

from __future__ import annotations

import enum


class TaskKind(enum.StrEnum):
    """A general task, or an approval (审批事项) a project needs on its way."""

    general = "general"
    project_approval = "project_approval"
    land_use = "land_use"
    eia = "eia"
    land_filing = "land_filing"
    land_auction = "land_auction"
    stability_assessment = "stability_assessment"
    planning_permit = "planning_permit"
    construction_permit = "construction_permit"
    other_approval = "other_approval"

    @property
    def is_approval(self) -> bool:
        return self is not TaskKind.general


TASK_KIND_LABELS: dict[TaskKind, str] = {
    TaskKind.general: "一般任务",
    TaskKind.project_approval: "立项",
    TaskKind.land_use: "用地审批",
    TaskKind.eia: "环评",
    TaskKind.land_filing: "组卷报批",
    TaskKind.land_auction: "招拍挂",
    TaskKind.stability_assessment: "社会稳定风险评估（稳评）",
    TaskKind.planning_permit: "规划许可",
    TaskKind.construction_permit: "施工许可",
    TaskKind.other_approval: "其他审批",
}


class TaskStatus(enum.StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"

    @property
    def is_open(self) -> bool:
        return self in (TaskStatus.not_started, TaskStatus.in_progress)


TASK_STATUS_LABELS: dict[TaskStatus, str] = {
    TaskStatus.not_started: "未开始",
    TaskStatus.in_progress: "推进中",
    TaskStatus.done: "已完成",
    TaskStatus.cancelled: "已取消",
}


#: The statuses in which a task past its planned end counts as overdue.
OPEN_TASK_STATUSES = (TaskStatus.not_started, TaskStatus.in_progress)

"""Vocabularies of tasks: their kinds (a general task or an approval, 审批事项) and statuses, each value
with its Chinese label (pure)."""

from __future__ import annotations

from kernel.vocabulary import LabelledEnum


class TaskKind(LabelledEnum):
    """A general task, or an approval (审批事项) a project needs on its way."""

    general = "general", "一般任务"
    project_approval = "project_approval", "立项"
    land_use = "land_use", "用地审批"
    eia = "eia", "环评"
    land_filing = "land_filing", "组卷报批"
    land_auction = "land_auction", "招拍挂"
    stability_assessment = "stability_assessment", "社会稳定风险评估（稳评）"
    planning_permit = "planning_permit", "规划许可"
    construction_permit = "construction_permit", "施工许可"
    other_approval = "other_approval", "其他审批"

    @property
    def is_approval(self) -> bool:
        return self is not TaskKind.general


class TaskStatus(LabelledEnum):
    not_started = "not_started", "未开始"
    in_progress = "in_progress", "推进中"
    done = "done", "已完成"
    cancelled = "cancelled", "已取消"

    @property
    def is_open(self) -> bool:
        return self in (TaskStatus.not_started, TaskStatus.in_progress)


#: The statuses in which a task past its planned end counts as overdue.
OPEN_TASK_STATUSES = (TaskStatus.not_started, TaskStatus.in_progress)

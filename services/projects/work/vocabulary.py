"""Vocabularies of tasks, the problem ledger and supervision items, with their Chinese labels (pure)."""

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


class ProblemCategory(enum.StrEnum):
    policy_demand = "policy_demand"
    compensation_dispute = "compensation_dispute"
    resettlement_housing = "resettlement_housing"
    funding = "funding"
    approval_procedure = "approval_procedure"
    conflict = "conflict"
    other = "other"


PROBLEM_CATEGORY_LABELS: dict[ProblemCategory, str] = {
    ProblemCategory.policy_demand: "政策诉求",
    ProblemCategory.compensation_dispute: "补偿争议",
    ProblemCategory.resettlement_housing: "安置房源",
    ProblemCategory.funding: "资金",
    ProblemCategory.approval_procedure: "手续审批",
    ProblemCategory.conflict: "矛盾纠纷",
    ProblemCategory.other: "其他",
}


class ProblemStatus(enum.StrEnum):
    open = "open"
    closed = "closed"


PROBLEM_STATUS_LABELS: dict[ProblemStatus, str] = {ProblemStatus.open: "未销号", ProblemStatus.closed: "已销号"}


class ProblemEventKind(enum.StrEnum):
    registered = "registered"
    progress = "progress"
    changed = "changed"
    closed = "closed"
    reopened = "reopened"
    escalated = "escalated"


PROBLEM_EVENT_LABELS: dict[ProblemEventKind, str] = {
    ProblemEventKind.registered: "挂号",
    ProblemEventKind.progress: "进展",
    ProblemEventKind.changed: "修改",
    ProblemEventKind.closed: "销号",
    ProblemEventKind.reopened: "重新打开",
    ProblemEventKind.escalated: "逾期转督办",
}


class SupervisionSource(enum.StrEnum):
    daily_dispatch = "daily_dispatch"
    weekly_bulletin = "weekly_bulletin"
    ten_day_coordination = "ten_day_coordination"
    overdue_problem = "overdue_problem"


SUPERVISION_SOURCE_LABELS: dict[SupervisionSource, str] = {
    SupervisionSource.daily_dispatch: "日调度",
    SupervisionSource.weekly_bulletin: "周通报",
    SupervisionSource.ten_day_coordination: "旬协调",
    SupervisionSource.overdue_problem: "问题逾期",
}

#: Sources a person may open an item from; ``overdue_problem`` items are opened by the system only.
MEETING_SOURCES = (SupervisionSource.daily_dispatch, SupervisionSource.weekly_bulletin,
                   SupervisionSource.ten_day_coordination)


class SupervisionStatus(enum.StrEnum):
    open = "open"
    closed = "closed"


SUPERVISION_STATUS_LABELS: dict[SupervisionStatus, str] = {
    SupervisionStatus.open: "督办中",
    SupervisionStatus.closed: "已办结",
}


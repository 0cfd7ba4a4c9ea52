"""Vocabularies of the problem ledger (问题清单): categories, statuses and the kinds of a problem's history,
with their Chinese labels (pure)."""

from __future__ import annotations

import enum


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

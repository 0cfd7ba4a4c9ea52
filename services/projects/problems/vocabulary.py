"""Vocabularies of the problem ledger (问题清单): categories, statuses and the kinds of a problem's history,
each value with its Chinese label (pure)."""

from __future__ import annotations

from kernel.vocabulary import LabelledEnum


class ProblemCategory(LabelledEnum):
    policy_demand = "policy_demand", "政策诉求"
    compensation_dispute = "compensation_dispute", "补偿争议"
    resettlement_housing = "resettlement_housing", "安置房源"
    funding = "funding", "资金"
    approval_procedure = "approval_procedure", "手续审批"
    conflict = "conflict", "矛盾纠纷"
    other = "other", "其他"


class ProblemStatus(LabelledEnum):
    open = "open", "未销号"
    closed = "closed", "已销号"


class ProblemEventKind(LabelledEnum):
    registered = "registered", "挂号"
    progress = "progress", "进展"
    changed = "changed", "修改"
    closed = "closed", "销号"
    reopened = "reopened", "重新打开"
    escalated = "escalated", "逾期转督办"

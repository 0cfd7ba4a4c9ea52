"""Vocabularies of supervision items (督办): where an item comes from (the meetings, or an overdue
problem) and its statuses, each value with its Chinese label (pure)."""

from __future__ import annotations

from kernel.vocabulary import LabelledEnum


class SupervisionSource(LabelledEnum):
    daily_dispatch = "daily_dispatch", "日调度"
    weekly_bulletin = "weekly_bulletin", "周通报"
    ten_day_coordination = "ten_day_coordination", "旬协调"
    overdue_problem = "overdue_problem", "问题逾期"


#: Sources a person may open an item from; ``overdue_problem`` items are opened by the system only.
MEETING_SOURCES = (SupervisionSource.daily_dispatch, SupervisionSource.weekly_bulletin,
                   SupervisionSource.ten_day_coordination)


class SupervisionStatus(LabelledEnum):
    open = "open", "督办中"
    closed = "closed", "已办结"

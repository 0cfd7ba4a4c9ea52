"""Vocabularies of supervision items (督办): where an item comes from (the meetings, or an overdue
problem) and its statuses, with their Chinese labels (pure)."""

from __future__ import annotations

import enum


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

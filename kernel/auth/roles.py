"""Roles: who someone is in the renewal programme, with their Chinese labels. A token carries the
caller's roles; each service's permission table says what each role may do. Pure."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    admin = "admin"
    city_commander = "city_commander"
    district_commander = "district_commander"
    street_officer = "street_officer"
    taskforce_member = "taskforce_member"
    field_worker = "field_worker"
    housing_officer = "housing_officer"
    finance_officer = "finance_officer"
    auditor = "auditor"
    resident = "resident"
    integration = "integration"


ROLE_LABELS: dict[Role, str] = {
    Role.admin: "系统管理员",
    Role.city_commander: "市指挥部",
    Role.district_commander: "区指挥部",
    Role.street_officer: "街道干部",
    Role.taskforce_member: "工作专班成员",
    Role.field_worker: "一线征迁人员",
    Role.housing_officer: "住保/城改中心",
    Role.finance_officer: "财务人员",
    Role.auditor: "审计/纪检（只读）",
    Role.resident: "居民",
    Role.integration: "外部系统",
}

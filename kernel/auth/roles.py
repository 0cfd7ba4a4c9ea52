"""Roles: who someone is in the renewal programme, with their Chinese labels. A token carries the
caller's roles; each service's permission table says what each role may do. Pure."""

from __future__ import annotations

from kernel.vocabulary import LabelledEnum


# No docstring: it would become the published schema's description.
class Role(LabelledEnum):
    admin = "admin", "系统管理员"
    city_commander = "city_commander", "市指挥部"
    district_commander = "district_commander", "区指挥部"
    street_officer = "street_officer", "街道干部"
    taskforce_member = "taskforce_member", "工作专班成员"
    field_worker = "field_worker", "一线征迁人员"
    housing_officer = "housing_officer", "住保/城改中心"
    finance_officer = "finance_officer", "财务人员"
    auditor = "auditor", "审计/纪检（只读）"
    resident = "resident", "居民"
    integration = "integration", "外部系统"

"""Vocabularies of the command structure and of a project's legal basis (plain enums
with their Chinese labels; no I/O)."""

from __future__ import annotations

import enum

from kernel.regions import RegionLevel


class UnitKind(enum.StrEnum):
    city_command = "city_command"
    district_command = "district_command"
    sub_district = "sub_district"
    task_force = "task_force"
    department = "department"
    implementing_company = "implementing_company"
    expropriation_department = "expropriation_department"
    expropriation_agency = "expropriation_agency"


UNIT_KIND_LABELS: dict[UnitKind, str] = {
    UnitKind.city_command: "市指挥部/领导小组",
    UnitKind.district_command: "区指挥部",
    UnitKind.sub_district: "街道/乡镇",
    UnitKind.task_force: "工作专班",
    UnitKind.department: "职能部门",
    UnitKind.implementing_company: "实施主体/平台公司",
    UnitKind.expropriation_department: "房屋征收部门",
    UnitKind.expropriation_agency: "房屋征收实施单位",
}

#: The level of region a unit of each kind sits at (None: any level).
UNIT_KIND_LEVEL: dict[UnitKind, RegionLevel | None] = {
    UnitKind.city_command: RegionLevel.city,
    UnitKind.district_command: RegionLevel.county,
    UnitKind.sub_district: RegionLevel.township,
    UnitKind.task_force: None,  # the project's region
    UnitKind.department: None,
    UnitKind.implementing_company: None,
    UnitKind.expropriation_department: None,
    UnitKind.expropriation_agency: None,
}

#: Kinds that may lead a project (牵头单位).
LEAD_KINDS = frozenset({UnitKind.city_command, UnitKind.district_command, UnitKind.sub_district,
                        UnitKind.department, UnitKind.expropriation_department})


class DepartmentFunction(enum.StrEnum):
    housing = "housing"
    natural_resources = "natural_resources"
    development_reform = "development_reform"
    finance = "finance"
    public_security = "public_security"
    justice = "justice"
    ecology = "ecology"
    letters_visits = "letters_visits"
    other = "other"


DEPARTMENT_FUNCTION_LABELS: dict[DepartmentFunction, str] = {
    DepartmentFunction.housing: "住房和城乡建设",
    DepartmentFunction.natural_resources: "自然资源和规划",
    DepartmentFunction.development_reform: "发展和改革",
    DepartmentFunction.finance: "财政",
    DepartmentFunction.public_security: "公安",
    DepartmentFunction.justice: "司法",
    DepartmentFunction.ecology: "生态环境",
    DepartmentFunction.letters_visits: "信访",
    DepartmentFunction.other: "其他",
}


class ResponsibilityLevel(enum.StrEnum):
    """The four levels of responsibility (四级响应) of a project."""

    lead_leader = "lead_leader"
    township_secretary = "township_secretary"
    department_head = "department_head"
    staff = "staff"


RESPONSIBILITY_LEVEL_LABELS: dict[ResponsibilityLevel, str] = {
    ResponsibilityLevel.lead_leader: "区级领导挂帅",
    ResponsibilityLevel.township_secretary: "乡镇（街道）书记出征",
    ResponsibilityLevel.department_head: "部门领导坐班",
    ResponsibilityLevel.staff: "具体人员包干负责",
}

#: The levels held by one person per project (staff are many, each with a share).
SINGLE_LEVELS = frozenset({ResponsibilityLevel.lead_leader, ResponsibilityLevel.township_secretary,
                           ResponsibilityLevel.department_head})


class LegalBasis(enum.StrEnum):
    """The public-interest ground of an expropriation, 《国有土地上房屋征收与补偿条例》(Decree 590) art. 8."""

    defense_diplomacy = "defense_diplomacy"
    infrastructure = "infrastructure"
    public_utilities = "public_utilities"
    affordable_housing = "affordable_housing"
    old_town_renewal = "old_town_renewal"
    other_public_interest = "other_public_interest"


LEGAL_BASIS_LABELS: dict[LegalBasis, str] = {
    LegalBasis.defense_diplomacy: "（一）国防和外交的需要",
    LegalBasis.infrastructure: "（二）由政府组织实施的能源、交通、水利等基础设施建设的需要",
    LegalBasis.public_utilities: "（三）由政府组织实施的科技、教育、卫生、文化、体育、环境和资源保护、防灾减灾、"
                                 "文物保护、社会福利、市政公用等公共事业的需要",
    LegalBasis.affordable_housing: "（四）由政府组织实施的保障性安居工程建设的需要",
    LegalBasis.old_town_renewal: "（五）由政府依照城乡规划有关法律规定组织实施的对危房集中、基础设施落后等地段"
                                 "进行旧城区改建的需要",
    LegalBasis.other_public_interest: "（六）法律、行政法规规定的其他公共利益的需要",
}

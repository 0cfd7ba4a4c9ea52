"""Vocabularies of the command structure and of a project's legal basis (labelled enums:
each member with its Chinese label; no I/O)."""

from __future__ import annotations

from kernel.regions import RegionLevel
from kernel.vocabulary import LabelledEnum


class UnitKind(LabelledEnum):
    city_command = "city_command", "市指挥部/领导小组"
    district_command = "district_command", "区指挥部"
    sub_district = "sub_district", "街道/乡镇"
    task_force = "task_force", "工作专班"
    department = "department", "职能部门"
    implementing_company = "implementing_company", "实施主体/平台公司"
    expropriation_department = "expropriation_department", "房屋征收部门"
    expropriation_agency = "expropriation_agency", "房屋征收实施单位"


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


class DepartmentFunction(LabelledEnum):
    housing = "housing", "住房和城乡建设"
    natural_resources = "natural_resources", "自然资源和规划"
    development_reform = "development_reform", "发展和改革"
    finance = "finance", "财政"
    public_security = "public_security", "公安"
    justice = "justice", "司法"
    ecology = "ecology", "生态环境"
    letters_visits = "letters_visits", "信访"
    other = "other", "其他"


class ResponsibilityLevel(LabelledEnum):
    """The four levels of responsibility (四级响应) of a project."""

    lead_leader = "lead_leader", "区级领导挂帅"
    township_secretary = "township_secretary", "乡镇（街道）书记出征"
    department_head = "department_head", "部门领导坐班"
    staff = "staff", "具体人员包干负责"


#: The levels held by one person per project (staff are many, each with a share).
SINGLE_LEVELS = frozenset({ResponsibilityLevel.lead_leader, ResponsibilityLevel.township_secretary,
                           ResponsibilityLevel.department_head})


class LegalBasis(LabelledEnum):
    """The public-interest ground of an expropriation, 《国有土地上房屋征收与补偿条例》(Decree 590) art. 8."""

    defense_diplomacy = "defense_diplomacy", "（一）国防和外交的需要"
    infrastructure = "infrastructure", "（二）由政府组织实施的能源、交通、水利等基础设施建设的需要"
    public_utilities = ("public_utilities",
                        "（三）由政府组织实施的科技、教育、卫生、文化、体育、环境和资源保护、防灾减灾、"
                        "文物保护、社会福利、市政公用等公共事业的需要")
    affordable_housing = "affordable_housing", "（四）由政府组织实施的保障性安居工程建设的需要"
    old_town_renewal = ("old_town_renewal",
                        "（五）由政府依照城乡规划有关法律规定组织实施的对危房集中、基础设施落后等地段"
                        "进行旧城区改建的需要")
    other_public_interest = "other_public_interest", "（六）法律、行政法规规定的其他公共利益的需要"

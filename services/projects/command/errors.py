"""Errors: command structure: command units, people and positions, responsibility chains, task forces
(no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, DomainError, Invalid, NotFound


class UnitNotFound(NotFound):
    code = "command.unit_not_found"
    title_zh = "指挥体系单位不存在"
    title_en = "Command unit not found"


class PersonNotFound(NotFound):
    code = "command.person_not_found"
    title_zh = "人员不存在"
    title_en = "Person not found"


class PositionNotFound(NotFound):
    code = "command.position_not_found"
    title_zh = "任职记录不存在"
    title_en = "Position not found"


class ResponsibilityNotFound(NotFound):
    code = "command.responsibility_not_found"
    title_zh = "责任人记录不存在"
    title_en = "Responsibility not found"


class MemberNotFound(NotFound):
    code = "command.member_not_found"
    title_zh = "专班成员记录不存在"
    title_en = "Task-force membership not found"


class PhoneLookupPurposeRequired(Invalid):
    """Finding people by a whole phone number is a reveal: it states its purpose (audited)."""

    code = "command.phone_lookup_purpose_required"
    title_zh = "按手机号查找须说明事由"
    title_en = "A lookup by phone number needs a stated purpose"


class InvalidCommand(Invalid):
    """A reference or value that breaks a rule of the command structure (field errors say which)."""

    code = "command.invalid"
    title_zh = "指挥体系数据不符合规则"
    title_en = "The command-structure data breaks a rule"


class ProjectUnitInvalid(Invalid):
    """A project names a unit (lead unit, implementing company) that does not fit."""

    code = "project.unit_invalid"
    title_zh = "项目所填单位不存在、类型不符或不负责项目所在区划"
    title_en = "The unit named for the project is unknown, of the wrong kind or not responsible for its region"


class UnitIdTaken(Conflict):
    code = "command.unit_id_taken"
    title_zh = "单位 ID 已存在"
    title_en = "A unit with this id already exists"


class PersonIdTaken(Conflict):
    code = "command.person_id_taken"
    title_zh = "人员 ID 已存在"
    title_en = "A person with this id already exists"


class TaskForceExists(Conflict):
    code = "command.task_force_exists"
    title_zh = "该项目已有工作专班（一个项目一个专班）"
    title_en = "The project already has a task force"


class GatewayUsernameTaken(Conflict):
    code = "command.gateway_username_taken"
    title_zh = "该系统账号已关联其他人员"
    title_en = "The account is linked to another person"


class LevelTaken(Conflict):
    code = "command.level_taken"
    title_zh = "该项目的这一级责任人已指定，请修改现有记录"
    title_en = "This level of the project's chain is already held"


class StaffAlreadyAssigned(Conflict):
    code = "command.staff_assigned"
    title_zh = "该人员已是本项目的包干责任人"
    title_en = "The person already holds a share of this project"


class HouseholdsAssignedTwice(Conflict):
    code = "command.households_assigned_twice"
    title_zh = "有住户已由其他人员包干负责（每户只能有一名责任人）"
    title_en = "Some households already have a responsible cadre"


class SharesExceedTarget(Conflict):
    code = "command.shares_exceed_target"
    title_zh = "包干户数合计超过项目目标户数"
    title_en = "The shares add up to more than the project's target households"


class AlreadyMember(Conflict):
    code = "command.already_member"
    title_zh = "该人员已是本专班成员"
    title_en = "The person is already a member of this task force"


class MembershipEnded(Conflict):
    code = "command.membership_ended"
    title_zh = "该成员已离开专班，记录不能再修改"
    title_en = "The membership has ended and cannot change"


#: Constraint name → the error its violation means (merged into the service's table in app.py).
CONSTRAINTS: dict[str, type[DomainError]] = {
    "pk_command_unit": UnitIdTaken,
    "pk_person": PersonIdTaken,
    "uq_command_unit_project_id": TaskForceExists,
    "uq_person_gateway_username": GatewayUsernameTaken,
    "uq_responsibility_project_level": LevelTaken,
    "uq_responsibility_project_staff": StaffAlreadyAssigned,
    "uq_taskforce_member_current": AlreadyMember,
    "fk_command_unit_region_code_region": InvalidCommand,
    "fk_person_region_code_region": InvalidCommand,
    "fk_project_lead_unit_id_command_unit": ProjectUnitInvalid,
    "fk_project_implementing_company_id_command_unit": ProjectUnitInvalid,
}

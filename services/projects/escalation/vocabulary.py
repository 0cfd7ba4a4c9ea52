"""Vocabularies of escalation rules: the action a firing calls for and the responsibility levels a
rule concerns (labelled enums: each value with its Chinese label; no I/O). Stored and published
as plain strings."""

from __future__ import annotations

from kernel.vocabulary import LabelledEnum


class EscalationAction(LabelledEnum):
    summon_deputy = "summon_deputy", "约谈分管领导"
    summon_principal = "summon_principal", "约谈主要领导"
    revoke_award = "revoke_award", "取消当年评先评优资格"
    notify = "notify", "通报"


class Concern(LabelledEnum):
    """Whom of a responsibility chain a rule concerns."""

    lead_district_leader = "lead_district_leader", "区级领导挂帅"
    township_secretary = "township_secretary", "乡镇（街道）书记出征"
    department_head_on_duty = "department_head_on_duty", "部门领导坐班"
    responsible_staff = "responsible_staff", "具体人员包干"

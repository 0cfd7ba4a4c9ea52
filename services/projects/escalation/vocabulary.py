"""Vocabularies of escalation rules: the action a firing calls for (a labelled enum: each value
with its Chinese label; no I/O), stored and published as a plain string. The levels a rule
concerns are the responsibility chain's own (``command.vocabulary.ResponsibilityLevel``): one
vocabulary, so that a firing names the people who hold them."""

from __future__ import annotations

from kernel.vocabulary import LabelledEnum


class EscalationAction(LabelledEnum):
    summon_deputy = "summon_deputy", "约谈分管领导"
    summon_principal = "summon_principal", "约谈主要领导"
    revoke_award = "revoke_award", "取消当年评先评优资格"
    notify = "notify", "通报"

"""Errors: a project's stages (no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, Invalid


class StageMoveRefused(Conflict):
    """The target is not the next stage (or the project does not pass through it)."""

    code = "stage.move_refused"
    title_zh = "阶段不能这样推进"
    title_en = "The project cannot move to that stage"


class StageGateUnmet(Conflict):
    """The gate of the next stage does not hold: the problem lists every unmet condition."""

    code = "stage.gate_unmet"
    title_zh = "进入该阶段的前置条件尚未满足"
    title_en = "The conditions for entering the stage are not met"


class StagePlanInvalid(Invalid):
    code = "stage.plan_invalid"
    title_zh = "阶段计划日期有误"
    title_en = "The stage plan is invalid"

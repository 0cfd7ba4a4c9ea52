"""The stage machine (阶段): which stages a project passes through, which moves are
allowed, and the gate each stage must pass before it is entered. Pure: the facts a
gate needs are gathered by the use case (``domain/stages.py``) from this service's
tables and from the read models that other services' events feed.

Moves: forward one stage at a time along the project's path; back only where the
law sends a project back (signing → consultation when conditional agreements lapse,
DOMAIN.md §3.6). Nothing skips a stage: a project registered mid-way (decision 0021)
starts where it was registered, and the gates of the stages it claims to have passed are
evaluated and reported (``registration_gates``), not enforced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from contracts.projects import LandPath, ProjectType, Stage
from kernel.calendar import add_days, days_between

FULL_PATH: tuple[Stage, ...] = tuple(Stage)
#: Old-compound renovation keeps the buildings and their residents: no relocation stages.
RENOVATION_PATH: tuple[Stage, ...] = (Stage.reserve, Stage.approved, Stage.consultation, Stage.construction,
                                      Stage.completed, Stage.delivered)
#: Moves back that the rules provide for, with why.
RETURNS: dict[tuple[Stage, Stage], str] = {
    (Stage.signing, Stage.consultation): "签约期内未达到签约比例，附条件协议失效，项目回到征询阶段",
}


def path_for(project_type: ProjectType | str) -> tuple[Stage, ...]:
    return RENOVATION_PATH if ProjectType(project_type) is ProjectType.old_compound else FULL_PATH


@dataclass(frozen=True, slots=True)
class GateRules:
    """The numbers of the gates (DOMAIN.md §3.9); defaults, configurable in settings."""

    comment_window_days: int = 30               # 征求意见期 ≥ 30 日 before the decision
    collective_plan_notice_days: int = 30       # 集体土地：征地补偿安置方案公告 ≥ 30 日


@dataclass(frozen=True, slots=True)
class GateFacts:
    """What the gates look at. ``None`` means "not known": no data has arrived yet, which
    fails a gate that needs it (with a reason that says so)."""

    # this service
    approval_done: bool = False                  # 立项 approval task completed
    stability_assessed: bool = False             # 稳评 recorded (task or scheme)
    willingness_met: bool | None = None          # last closed willingness round met its threshold
    consultation_met: bool | None = None         # last closed consultation of any kind met its threshold
    parcels_total: int = 0
    parcels_handed_over: int = 0                 # handed over or beyond
    parcels_supplied: int = 0                    # listed/sold
    # relocation (read models)
    households_total: int | None = None
    households_demolished_or_closed: int | None = None
    comment_opened_on: dt.date | None = None
    comment_closes_on: dt.date | None = None
    scheme_budget: Decimal | None = None
    # funding (read model)
    dedicated_balance: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    code: str
    label: str            # what must hold, in Chinese
    met: bool
    detail: str = ""      # the figures behind it, in Chinese


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    kind: str                          # "advance" | "return" | "refused"
    conditions: list[Condition] = field(default_factory=list)
    reason: str = ""                   # why a move is not a move at all (wrong target), in Chinese

    @property
    def unmet(self) -> list[Condition]:
        return [c for c in self.conditions if not c.met]


def _funds(f: GateFacts) -> Condition:
    label = "补偿资金已足额存入征收补偿专户（不少于补偿方案测算总额）"
    if f.scheme_budget is None:
        return Condition("funds_in_account", label, False, "尚未收到补偿方案测算总额（征迁服务）")
    if f.dedicated_balance is None:
        return Condition("funds_in_account", label, False, "尚未收到专户余额（资金服务）")
    met = f.dedicated_balance >= f.scheme_budget
    return Condition("funds_in_account", label, met,
                     f"专户余额 {f.dedicated_balance:.2f} 元，方案测算 {f.scheme_budget:.2f} 元")


def _comment_window(f: GateFacts, on: dt.date, days: int, code: str, label: str) -> Condition:
    if f.comment_opened_on is None:
        return Condition(code, label, False, "尚未收到征求意见（公告）开始日期（征迁服务）")
    ran = days_between(f.comment_opened_on, on)
    closes = f.comment_closes_on or add_days(f.comment_opened_on, days)
    met = ran >= days and on >= closes
    return Condition(code, label, met, f"自 {f.comment_opened_on.isoformat()} 起已满 {max(ran, 0)} 日，"
                                       f"截止 {closes.isoformat()}")


def gate(stage: Stage, project_type: ProjectType, land_path: LandPath, facts: GateFacts, on: dt.date,
         rules: GateRules = GateRules()) -> list[Condition]:
    """The conditions for entering ``stage`` on the business date ``on``."""
    f = facts
    renovation = path_for(project_type) is RENOVATION_PATH
    out: list[Condition] = []
    if stage is Stage.approved:
        out.append(Condition("approval_done", "项目立项审批事项已办结", f.approval_done))
    elif stage is Stage.decision:
        if land_path is LandPath.collective:
            days = rules.collective_plan_notice_days
            out.append(_comment_window(f, on, days, "plan_notice",
                                       f"征地补偿安置方案公告已满 {days} 日"))
        else:
            days = rules.comment_window_days
            out.append(_comment_window(f, on, days, "comment_window",
                                       f"补偿方案征求公众意见期已满 {days} 日"))
            out.append(Condition("stability_assessed", "社会稳定风险评估已完成", f.stability_assessed))
        out.append(_funds(f))
        if f.willingness_met is False:
            out.append(Condition("willingness", "征收意愿征询达到规定比例", False,
                                 "最近一轮意愿征询未达到规定比例"))
    elif stage is Stage.construction and renovation:
        met = bool(f.consultation_met)
        detail = "" if f.consultation_met is not None else "尚无已结束的居民意愿征询"
        out.append(Condition("residents_agree", "居民改造意愿征询已通过", met, detail))
    elif stage is Stage.cleared:
        label = "全部被征收户已拆除或以其他方式办结"
        if f.households_total is None or f.households_demolished_or_closed is None:
            out.append(Condition("all_demolished", label, False, "尚未收到征迁进度（征迁服务）"))
        else:
            met = f.households_total > 0 and f.households_demolished_or_closed >= f.households_total
            out.append(Condition("all_demolished", label, met,
                                 f"已拆除或办结 {f.households_demolished_or_closed} 户，共 {f.households_total} 户"))
    elif stage is Stage.land_handed_over:
        met = f.parcels_total > 0 and f.parcels_handed_over >= f.parcels_total
        out.append(Condition("parcels_handed_over", "项目全部地块已交地", met,
                             f"已交地 {f.parcels_handed_over} 宗，共 {f.parcels_total} 宗"))
    elif stage is Stage.land_supplied:
        out.append(Condition("parcel_supplied", "至少一宗地块已挂牌出让或成交", f.parcels_supplied > 0,
                             f"已挂牌或成交 {f.parcels_supplied} 宗"))
    return out


def decide(current: Stage, target: Stage, project_type: ProjectType, land_path: LandPath, facts: GateFacts,
           on: dt.date, today: dt.date, rules: GateRules = GateRules()) -> Decision:
    """Whether ``current`` → ``target`` is allowed on ``on``, with every condition's state."""
    path = path_for(project_type)
    if target not in path:
        return Decision(False, "refused", reason="该类型项目不经过此阶段")
    if current not in path:
        return Decision(False, "refused", reason="项目当前阶段不在其类型的阶段序列中")
    dated = [Condition("date_not_future", "阶段日期不晚于今天", on <= today, f"所填日期 {on.isoformat()}")]
    if (current, target) in RETURNS:
        return Decision(all(c.met for c in dated), "return", dated)
    i, j = path.index(current), path.index(target)
    if j != i + 1:
        reason = "项目已处于该阶段" if i == j else (
            "阶段不能跳过，请依次推进" if j > i else "阶段不能回退（仅签约未达比例可回到征询）")
        return Decision(False, "refused", reason=reason)
    conditions = dated + gate(target, project_type, land_path, facts, on, rules)
    return Decision(all(c.met for c in conditions), "advance", conditions)


def passed_stages(project_type: ProjectType | str, stage: Stage) -> tuple[Stage, ...]:
    """The stages a project registered at ``stage`` claims to have passed: those its path enters
    after its first, up to and including ``stage`` (empty at the first; ``stage`` off the path
    claims nothing)."""
    path = path_for(project_type)
    return path[1:path.index(stage) + 1] if stage in path else ()


@dataclass(frozen=True, slots=True)
class StageGate:
    """The gate of a stage a project claims to have passed, as it stands on a date."""

    stage: Stage
    conditions: list[Condition]

    @property
    def met(self) -> bool:
        return all(c.met for c in self.conditions)


def registration_gates(project_type: ProjectType, land_path: LandPath, stage: Stage, facts: GateFacts,
                       on: dt.date, rules: GateRules = GateRules()) -> list[StageGate]:
    """The gate of every stage a project registered mid-way at ``stage`` claims to have passed,
    evaluated on ``on`` over what the platform knows: reported with every unmet condition, never a
    reason to refuse (the past happened before the platform)."""
    return [StageGate(s, gate(s, project_type, land_path, facts, on, rules))
            for s in passed_stages(project_type, stage)]

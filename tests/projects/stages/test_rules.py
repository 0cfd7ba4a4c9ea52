from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from decimal import Decimal

import pytest

from contracts.projects import LandPath, ProjectType, Stage
from services.projects.stages.rules import FULL_PATH, RENOVATION_PATH, GateFacts, GateRules, decide, path_for

D = dt.date
TODAY = D(2026, 11, 22)
READY = GateFacts(
    approval_done=True, stability_assessed=True, willingness_met=True, consultation_met=True,
    parcels_total=2, parcels_handed_over=2, parcels_supplied=1,
    households_total=100, households_demolished_or_closed=100,
    comment_opened_on=D(2026, 9, 1), comment_closes_on=D(2026, 10, 1),
    scheme_budget=Decimal("1000000.00"), dedicated_balance=Decimal("1000000.00"),
)


def move(current: Stage, target: Stage, facts: GateFacts = READY, *, type_: ProjectType = ProjectType.shantytown,
         land: LandPath = LandPath.state, on: dt.date = TODAY):
    return decide(current, target, type_, land, facts, on, TODAY)


def test_paths() -> None:
    assert path_for(ProjectType.shantytown) == FULL_PATH
    assert FULL_PATH[0] is Stage.reserve
    assert FULL_PATH[-1] is Stage.delivered
    assert len(FULL_PATH) == 14
    assert path_for(ProjectType.old_compound) == RENOVATION_PATH
    assert Stage.signing not in RENOVATION_PATH
    assert Stage.demolition not in RENOVATION_PATH


def test_every_step_of_the_full_path_is_allowed_when_its_gate_holds() -> None:
    for current, target in itertools.pairwise(FULL_PATH):
        d = move(current, target)
        assert d.allowed, (current, target, d.unmet, d.reason)
        assert d.kind == "advance"


@pytest.mark.parametrize(("current", "target", "reason"), [
    (Stage.survey, Stage.moving, "阶段不能跳过，请依次推进"),
    (Stage.moving, Stage.survey, "阶段不能回退（仅签约未达比例可回到征询）"),
    (Stage.signing, Stage.signing, "项目已处于该阶段"),
])
def test_skips_and_backward_moves_are_refused(current: Stage, target: Stage, reason: str) -> None:
    d = move(current, target)
    assert not d.allowed
    assert d.kind == "refused"
    assert d.reason == reason


def test_signing_may_return_to_consultation() -> None:
    d = move(Stage.signing, Stage.consultation)
    assert d.allowed
    assert d.kind == "return"


def test_old_compound_skips_relocation_and_needs_residents_agreement() -> None:
    d = move(Stage.consultation, Stage.construction, type_=ProjectType.old_compound)
    assert d.allowed
    refused = move(Stage.consultation, Stage.construction, replace(READY, consultation_met=False),
                   type_=ProjectType.old_compound)
    assert [c.code for c in refused.unmet] == ["residents_agree"]
    assert move(Stage.consultation, Stage.decision, type_=ProjectType.old_compound).reason == "该类型项目不经过此阶段"


def test_decision_gate_lists_every_unmet_condition() -> None:
    facts = replace(READY, comment_opened_on=D(2026, 11, 1), comment_closes_on=D(2026, 12, 1),
                    stability_assessed=False, dedicated_balance=Decimal("999999.99"))
    d = move(Stage.consultation, Stage.decision, facts)
    assert not d.allowed
    assert [c.code for c in d.unmet] == ["comment_window", "stability_assessed", "funds_in_account"]
    by_code = {c.code: c for c in d.unmet}
    assert "999999.99" in by_code["funds_in_account"].detail
    assert "已满 21 日" in by_code["comment_window"].detail


def test_the_comment_window_is_thirty_days_by_default_and_configurable() -> None:
    facts = replace(READY, comment_opened_on=D(2026, 10, 24), comment_closes_on=None)
    assert not move(Stage.consultation, Stage.decision, facts).allowed   # 29 days
    assert move(Stage.consultation, Stage.decision, facts, on=TODAY).unmet[0].code == "comment_window"
    assert decide(Stage.consultation, Stage.decision, ProjectType.shantytown, LandPath.state, facts, TODAY, TODAY,
                  GateRules(comment_window_days=20)).allowed
    facts30 = replace(facts, comment_opened_on=D(2026, 10, 23))
    assert move(Stage.consultation, Stage.decision, facts30).allowed     # 30 days


def test_unknown_read_models_fail_with_a_reason() -> None:
    d = move(Stage.demolition, Stage.cleared, GateFacts())
    assert [c.code for c in d.unmet] == ["all_demolished"]
    assert "尚未收到征迁进度" in d.unmet[0].detail
    funds = move(Stage.consultation, Stage.decision, replace(READY, dedicated_balance=None)).unmet
    assert [c.detail for c in funds] == ["尚未收到专户余额（资金服务）"]


def test_cleared_needs_every_household_demolished_or_closed() -> None:
    d = move(Stage.demolition, Stage.cleared, replace(READY, households_demolished_or_closed=99))
    assert [c.code for c in d.unmet] == ["all_demolished"]
    assert "99" in d.unmet[0].detail
    assert not move(Stage.demolition, Stage.cleared, replace(READY, households_total=0,
                                                             households_demolished_or_closed=0)).allowed


def test_collective_land_uses_the_plan_notice_and_no_state_stability_gate() -> None:
    d = move(Stage.consultation, Stage.decision, replace(READY, stability_assessed=False), land=LandPath.collective)
    assert d.allowed
    assert "plan_notice" in {c.code for c in d.conditions}


def test_a_failed_willingness_round_blocks_the_decision() -> None:
    d = move(Stage.consultation, Stage.decision, replace(READY, willingness_met=False))
    assert [c.code for c in d.unmet] == ["willingness"]


def test_land_gates_use_parcels() -> None:
    assert [c.code for c in move(Stage.cleared, Stage.land_handed_over,
                                 replace(READY, parcels_handed_over=1)).unmet] == ["parcels_handed_over"]
    assert not move(Stage.cleared, Stage.land_handed_over, replace(READY, parcels_total=0,
                                                                   parcels_handed_over=0)).allowed
    assert [c.code for c in move(Stage.land_handed_over, Stage.land_supplied,
                                 replace(READY, parcels_supplied=0)).unmet] == ["parcel_supplied"]


def test_no_future_dates() -> None:
    d = move(Stage.reserve, Stage.approved, on=TODAY + dt.timedelta(days=1))
    assert [c.code for c in d.unmet] == ["date_not_future"]

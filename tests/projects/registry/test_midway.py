"""Registering a project mid-way (decision 0021): a project registered at a stage after the first
of its type's path says why, and what shows that the earlier stages were passed; the registration
is audited, and the answer reports the gates of those stages as they stand today."""

from __future__ import annotations

from typing import Any

import httpx

from tests.projects.conftest import project_body

BASE = "/api/v1/projects/projects"
REASON = "项目于2021年启动，平台上线前已完成征收决定，现补录至平台"
#: The stages a shantytown project at "decision" has passed (the first, reserve, is where every project starts).
PASSED = ("approved", "consultation", "decision")


def evidence(*stages: str) -> list[dict[str, Any]]:
    return [{"stage": s, "note": f"{s} 阶段已办结", "document_refs": [f"赫政发〔2021〕{i + 1}号"]}
            for i, s in enumerate(stages)]


def midway_body(code: str = "MW-001", **over: Any) -> dict[str, Any]:
    body = project_body(code, stage="decision")
    body["registered_midway"] = {"reason": REASON, "evidence": evidence(*PASSED)}
    body.update(over)
    return body


async def test_a_stage_after_the_first_needs_an_explicit_midway_registration(
        projects: httpx.AsyncClient, regions: list[str], count) -> None:
    body = project_body("MW-000", stage="construction")
    body.pop("registered_midway", None)
    r = await projects.post(BASE, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "project.registered_midway_required"
    assert [e["field"] for e in r.json()["errors"]] == ["body.registered_midway"]
    assert await count("projects.project") == 0
    assert await count("projects.audit_log", "action = 'project.create'") == 0
    # The first stage of the path needs nothing; a renovation's path has no relocation stages.
    assert (await projects.post(BASE, json=project_body("MW-R", stage="reserve"))).status_code == 201
    off_path = await projects.post(BASE, json=project_body("MW-OC", type="old_compound", stage="signing",
                                                           registered_midway={"reason": REASON, "evidence": []}))
    assert off_path.status_code == 422
    assert [(e["field"], e["code"]) for e in off_path.json()["errors"]] == [("body.stage", "stage_not_on_path")]


async def test_a_midway_registration_is_audited_and_reports_the_gates_it_claims(
        projects: httpx.AsyncClient, regions: list[str], count) -> None:
    r = await projects.post(BASE, json=midway_body())
    assert r.status_code == 201, r.text
    project = r.json()
    assert project["stage"] == "decision"
    report = project["registered_midway"]
    assert report["reason"] == REASON
    assert [s["stage"] for s in report["stages"]] == list(PASSED)
    assert report["stages"][0]["stage_label"] == "立项"
    assert report["stages"][0]["document_refs"] == ["赫政发〔2021〕1号"]
    # Nothing of the past is on the platform yet: every unmet condition is listed, nothing refused.
    unmet = {(u["stage"], u["code"]) for u in report["unmet"]}
    assert unmet == {("approved", "approval_done"), ("decision", "comment_window"),
                     ("decision", "stability_assessed"), ("decision", "funds_in_account")}
    assert all(u["label"] for u in report["unmet"])
    consultation = next(s for s in report["stages"] if s["stage"] == "consultation")
    assert consultation["conditions"] == []
    assert consultation["met"] is True
    assert report["gates_met"] is False
    # The audit entry keeps the reason and the claimed stages with their evidence.
    pid = project["id"]
    assert await count("projects.audit_log",
                       f"action = 'project.create' AND entity_id = '{pid}' "
                       f"AND after->'registered_midway'->>'reason' = '{REASON}' "
                       "AND after->'registered_midway'->'stages' = "
                       "'[\"approved\", \"consultation\", \"decision\"]'::jsonb "
                       "AND jsonb_array_length(after->'registered_midway'->'evidence') = 3") == 1
    # Read back, the project is an ordinary project at its stage.
    got = (await projects.get(f"{BASE}/{pid}")).json()
    assert got["stage"] == "decision"
    assert "registered_midway" not in got


async def test_a_midway_registration_says_why_and_shows_every_passed_stage(
        projects: httpx.AsyncClient, regions: list[str], count) -> None:
    async def refused(midway: dict[str, Any] | None, stage: str = "decision") -> list[tuple[str, str]]:
        r = await projects.post(BASE, json=project_body("MW-BAD", stage=stage, registered_midway=midway))
        assert r.status_code == 422, r.text
        return [(e["field"], e["code"]) for e in r.json()["errors"]]

    assert ("body.registered_midway.reason", "reason_not_chinese") in await refused(
        {"reason": "legacy import", "evidence": evidence(*PASSED)})
    assert ("body.registered_midway.reason", "missing") in await refused({"evidence": evidence(*PASSED)})
    assert await refused({"reason": REASON, "evidence": evidence("approved")}) == [
        ("body.registered_midway.evidence", "evidence_missing")]
    assert await refused({"reason": REASON, "evidence": [*evidence(*PASSED), *evidence("signing")]}) == [
        ("body.registered_midway.evidence[3].stage", "stage_not_passed")]
    assert await refused({"reason": REASON, "evidence": [*evidence(*PASSED[:2]),
                                                         {"stage": "decision", "document_refs": []}]}) == [
        ("body.registered_midway.evidence[2]", "evidence_empty")]
    assert await refused({"reason": REASON, "evidence": evidence(*PASSED)}, stage="reserve") == [
        ("body.registered_midway", "not_midway")]
    assert await count("projects.project") == 0


async def test_a_sheet_registers_existing_projects_midway_with_the_bulk_reason(
        projects: httpx.AsyncClient, regions: list[str], count) -> None:
    from tests.projects.sheets.test_api import HEADERS, import_file
    from tests.support.sheets import xlsx

    rows = [["MW-S1", "桃花仑片区棚改", "棚户区改造", "国有土地", "430903001000", None, "开工", 10, None, None, None,
             None, None, None],
            ["MW-S2", "龙洲小区改造", "老旧小区改造", "国有土地", "430903001000", None, "签约", 10, None, None, None,
             None, None, None]]
    refused = await import_file(projects, xlsx(HEADERS, *rows))
    assert refused.status_code == 422, refused.text
    # A renovation has no signing stage: refused with its row and column, nothing written.
    assert [(e["row"], e["column"], e["code"]) for e in refused.json()["cells"]] == [
        (3, "当前阶段", "stage_not_on_path")]
    assert await count("projects.project") == 0
    r = await import_file(projects, xlsx(HEADERS, rows[0]))
    assert r.status_code == 201, r.text
    # A row past the first stage is a mid-way registration with the bulk reason, its row the evidence.
    assert await count("projects.audit_log",
                       "action = 'project.create' AND after->>'code' = 'MW-S1' "
                       "AND after->'registered_midway'->>'reason' = '批量导入存量项目' "
                       "AND after->'registered_midway'->'evidence'->0->>'note' LIKE '导入表格第 2 行%'") == 1

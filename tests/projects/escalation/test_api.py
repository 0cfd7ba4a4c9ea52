"""Escalation on signing through the API and the job: signings arrive as relocation's
events; the job, run day by day, fires the seed rules exactly when 2, 3 and 4 zero
weeks have passed, once each, and a firing can be resolved with a note."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx

from contracts.relocation import AgreementRevoked, AgreementSigned
from kernel.calendar import today
from services.projects.escalation.rules import week_start
from services.projects.feeds.service import RELOCATION_HANDLERS
from tests.projects.conftest import project_body
from tests.projects.support_events import apply
from tests.support.auth import bearer

P = "/api/v1/projects/projects"
E = "/api/v1/projects/escalations"
RULES = "/api/v1/projects/escalation-rules"
COVERED = {
    ("GET", "/api/v1/projects/escalations/{firing_id}"),
    ("POST", "/api/v1/projects/escalations/{firing_id}/resolve"),
    ("GET", "/api/v1/projects/escalation-rules/{rule_id}"),
    ("PATCH", "/api/v1/projects/escalation-rules/{rule_id}"),
    ("POST", "/api/v1/projects/jobs/{name}/run"),  # operations: roles only (no record scope)
}
# Signing began on a Monday seven weeks ago; tests then "live" through the following days.
START = week_start(today()) - dt.timedelta(weeks=7)


async def signing_project(projects: httpx.AsyncClient, code: str = "ES-001", region: str = "430903001001") -> Any:
    r = await projects.post(P, json=project_body(code, region_code=region, stage="survey"))
    pid = r.json()["id"]
    moved = await projects.post(f"{P}/{pid}/stage-transitions", headers={"If-Match": r.headers["etag"]},
                                json={"to_stage": "signing", "on": START.isoformat()})
    assert moved.status_code == 201, moved.text
    return pid


async def sign(db, pid: str, day: dt.date, region: str = "430903001001") -> uuid.UUID:
    agreement = uuid.uuid4()
    at = dt.datetime.combine(day, dt.time(2, 0), tzinfo=dt.UTC)  # 10:00 in Shanghai
    await apply(db, RELOCATION_HANDLERS, AgreementSigned(agreement_id=agreement, project_id=pid,
                                                         household_id=uuid.uuid4(), region_code=region,
                                                         signed_at=at, sequence_no=1), pid)
    return agreement


async def run_job(projects: httpx.AsyncClient, day: dt.date) -> Any:
    r = await projects.post("/api/v1/projects/jobs/escalation-rules/run", params={"as_of": day.isoformat()})
    assert r.status_code == 200, r.text
    return r.json()["last_result"]


async def firings(projects: httpx.AsyncClient, **params: str) -> Any:
    r = await projects.get(E, params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_seed_rules_fire_exactly_at_two_three_and_four_zero_weeks(projects: httpx.AsyncClient,
                                                                        regions: list[str], db, count) -> None:
    pid = await signing_project(projects)
    await sign(db, pid, START + dt.timedelta(days=1))   # a signing in the first week, then none
    fired_on: dict[str, dt.date] = {}
    for i in range(7 * 6):
        day = START + dt.timedelta(days=i)
        result = await run_job(projects, day)
        for f in await firings(projects):
            fired_on.setdefault(f["rule_code"], day)
        assert result["fired"] == (1 if day in {START + dt.timedelta(weeks=w) for w in (3, 4, 5)} else 0), day
    # weeks 2 and 3 zero → Monday of week 4; weeks 2–4 → week 5; weeks 2–5 → week 6
    assert fired_on == {"signing-zero-2w": START + dt.timedelta(weeks=3),
                        "signing-zero-3w": START + dt.timedelta(weeks=4),
                        "signing-zero-4w": START + dt.timedelta(weeks=5)}
    items = await firings(projects, project_id=pid)
    assert {f["action_label"] for f in items} == {"约谈分管领导", "约谈主要领导", "取消当年评先评优资格"}
    assert {f["episode_start"] for f in items} == {(START + dt.timedelta(weeks=1)).isoformat()}
    assert await count("projects.escalation_firing") == 3
    assert await count("projects.outbox_event", "type = 'projects.escalation.fired'") == 3
    # Running again (a restart, another replica) fires nothing new.
    assert (await run_job(projects, START + dt.timedelta(weeks=6)))["fired"] == 0


async def test_a_signing_resets_the_run_and_revocations_do_not_count(projects: httpx.AsyncClient,
                                                                      regions: list[str], db) -> None:
    pid = await signing_project(projects)
    for w in range(7):
        await sign(db, pid, START + dt.timedelta(weeks=w, days=2))
    revoked = await sign(db, pid, START + dt.timedelta(weeks=6, days=3))
    assert (await run_job(projects, START + dt.timedelta(weeks=7)))["fired"] == 0
    # Week 6's signings are revoked only if all are; one remains, so still nothing.
    await apply(db, RELOCATION_HANDLERS, AgreementRevoked(agreement_id=revoked, project_id=pid,
                                                          revoked_at=dt.datetime.now(dt.UTC)), pid)
    assert (await run_job(projects, START + dt.timedelta(weeks=7)))["fired"] == 0


async def test_sub_district_rule_and_resolution(projects: httpx.AsyncClient, regions: list[str], db) -> None:
    rule = await projects.post(RULES, json={"code": "street-zero-2w", "name": "街道连续2周零签约通报",
                                            "subject": "subdistrict", "window_weeks": 2, "action": "notify"})
    assert rule.status_code == 201, rule.text
    a = await signing_project(projects, "ES-A", "430903001001")
    b = await signing_project(projects, "ES-B", "430903001000")
    await sign(db, a, START + dt.timedelta(days=1))
    await sign(db, b, START + dt.timedelta(weeks=2, days=1), region="430903001000")
    day = START + dt.timedelta(weeks=5)
    await run_job(projects, day)
    street = [f for f in await firings(projects) if f["subject_kind"] == "subdistrict"]
    assert [(f["subject_key"], f["region_code"], f["episode_start"]) for f in street] == [
        ("430903001000", "430903001000", (START + dt.timedelta(weeks=3)).isoformat())]
    f = street[0]
    url = f"{E}/{f['id']}"
    got = await projects.get(url)
    assert got.status_code == 200
    assert (await projects.post(f"{url}/resolve", json={"note": "已约谈"})).status_code == 428
    done = await projects.post(f"{url}/resolve", json={"note": "2026年11月20日已约谈街道分管领导"},
                               headers={"If-Match": got.headers["etag"]})
    assert done.status_code == 200, done.text
    assert done.json()["resolution_note"].startswith("2026年11月20日")
    assert done.json()["resolved_at"]
    again = await projects.post(f"{url}/resolve", json={"note": "重复"}, headers={"If-Match": done.headers["etag"]})
    assert again.status_code == 409
    assert again.json()["code"] == "escalation.already_resolved"
    assert all(x["id"] != f["id"] for x in await firings(projects, open_only="true"))


async def test_rules_are_data(projects: httpx.AsyncClient) -> None:
    rules = (await projects.get(RULES)).json()["items"]
    assert [(r["code"], r["window_weeks"], r["threshold"], r["action"]) for r in rules] == [
        ("signing-zero-2w", 2, 0, "summon_deputy"), ("signing-zero-3w", 3, 0, "summon_principal"),
        ("signing-zero-4w", 4, 0, "revoke_award")]
    r = rules[0]
    url = f"{RULES}/{r['id']}"
    changed = await projects.patch(url, json={"window_weeks": 3}, headers={"If-Match": f'"{r["version"]}"'})
    assert changed.status_code == 200
    assert changed.json()["window_weeks"] == 3
    stale = await projects.patch(url, json={"active": False}, headers={"If-Match": f'"{r["version"]}"'})
    assert stale.status_code == 412
    dup = await projects.post(RULES, json={"code": "signing-zero-2w", "name": "重复", "window_weeks": 2,
                                           "action": "notify"})
    assert dup.status_code == 409
    assert dup.json()["code"] == "escalation.rule_code_taken"
    bad = await projects.post(RULES, json={"code": "x1x", "name": "坏", "window_weeks": 0, "action": "shout"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"body.window_weeks",
                                                                                      "body.action"}


async def test_authorization(projects: httpx.AsyncClient, regions: list[str], db) -> None:
    await projects.post("/api/v1/projects/regions", json={"code": "430902000000", "name": "资阳区"})
    await projects.post("/api/v1/projects/regions", json={"code": "430902001000", "name": "汽车路街道"})
    own = await signing_project(projects, "AZ-OWN", "430903001001")
    other = await signing_project(projects, "AZ-OTHER", "430902001000")
    await run_job(projects, START + dt.timedelta(weeks=4))
    by_project = {f["project_id"]: f for f in await firings(projects) if f["rule_code"] == "signing-zero-2w"}
    rule_id = by_project[own]["rule_id"]
    surprises: list[Any] = []
    for role, region, force, sees, manages in [
        ("street_officer", "430903001000", [], {own}, False),
        ("district_commander", "430903000000", [], {own}, True),
        ("city_commander", "430900000000", [], {own, other}, True),
        ("taskforce_member", None, [other], {other}, False),
        ("resident", "430903001000", [], set(), False),
    ]:
        h = bearer(role, region=region, projects=force)
        for pid in (own, other):
            fid = by_project[pid]["id"]
            r = await projects.get(f"{E}/{fid}", headers=h)
            want = 403 if role == "resident" else (200 if pid in sees else 404)
            if r.status_code != want:
                surprises.append((role, "GET firing", pid == own, want, r.status_code))
            r = await projects.post(f"{E}/{fid}/resolve", json={"note": "已约谈"}, headers={**h, "If-Match": '"99"'})
            want = (412 if pid in sees else 404) if manages else 403
            if r.status_code != want:
                surprises.append((role, "resolve", pid == own, want, r.status_code))
        r = await projects.get(f"{RULES}/{rule_id}", headers=h)
        if r.status_code != (403 if role == "resident" else 200):
            surprises.append((role, "GET rule", r.status_code))
        r = await projects.patch(f"{RULES}/{rule_id}", json={"threshold": 1}, headers={**h, "If-Match": '"99"'})
        if r.status_code != (412 if manages else 403):
            surprises.append((role, "PATCH rule", r.status_code))
        r = await projects.post("/api/v1/projects/jobs/escalation-rules/run", headers=h)
        if r.status_code != (200 if manages else 403):
            surprises.append((role, "run job", r.status_code))
    assert surprises == []
    assert (await projects.post("/api/v1/projects/jobs/nothing/run")).status_code == 404


async def test_every_level_the_seed_rules_name_is_a_level_of_the_chain(projects: httpx.AsyncClient) -> None:
    from services.projects.command.vocabulary import ResponsibilityLevel

    rules = (await projects.get(RULES)).json()["items"]
    named = {level for r in rules for level in r["concerns"]}
    assert named, rules
    assert named <= {level.value for level in ResponsibilityLevel}, named
    by_code = {r["code"]: set(r["concerns"]) for r in rules}
    assert by_code["signing-zero-2w"] == {"department_head"}
    assert by_code["signing-zero-4w"] >= {"lead_leader"}


async def test_firings_name_the_people_of_the_chain(projects: httpx.AsyncClient, regions: list[str], db) -> None:
    pid = await signing_project(projects)
    people = {}
    for level, name, region in (("lead_leader", "曾国华", "430903000000"),
                                ("township_secretary", "谭丽娟", "430903001000"),
                                ("department_head", "周建平", "430903000000")):
        person = await projects.post("/api/v1/projects/people", json={"name": name, "region_code": region})
        assert person.status_code == 201, person.text
        linked = await projects.post(f"/api/v1/projects/projects/{pid}/responsibility",
                                     json={"level": level, "person_id": person.json()["id"]})
        assert linked.status_code == 201, linked.text
        people[level] = name
    await sign(db, pid, START + dt.timedelta(days=1))
    await run_job(projects, START + dt.timedelta(weeks=5))
    named = {f["rule_code"]: {(p["level"], p["level_label"], p["name"]) for p in f["people"]}
             for f in await firings(projects, project_id=pid)}
    # The 2-week summons names the deputy (the department head on duty) ...
    assert named["signing-zero-2w"] == {("department_head", "部门领导坐班", "周建平")}
    # ... and the 4-week one the lead district leader (with the township secretary).
    assert named["signing-zero-4w"] == {("lead_leader", "区级领导挂帅", "曾国华"),
                                        ("township_secretary", "乡镇（街道）书记出征", "谭丽娟")}


async def test_a_rule_names_only_levels_of_the_chain(projects: httpx.AsyncClient, count) -> None:
    bad = await projects.post(RULES, json={"code": "signing-zero-5w", "name": "连续5周零签约", "window_weeks": 5,
                                           "action": "notify", "concerns": ["lead_leader", "department_head_on_duty"]})
    assert bad.status_code == 422, bad.text
    assert bad.json()["code"] == "escalation.rule_invalid"
    [error] = bad.json()["errors"]
    assert (error["field"], error["code"]) == ("body.concerns[1]", "unknown_level")
    for value, label in (("lead_leader", "区级领导挂帅"), ("department_head", "部门领导坐班"),
                         ("township_secretary", "乡镇（街道）书记出征"), ("staff", "具体人员包干负责")):
        assert f"{value}（{label}）" in error["message"]
    assert await count("projects.escalation_rule", "code = 'signing-zero-5w'") == 0
    good = await projects.post(RULES, json={"code": "signing-zero-5w", "name": "连续5周零签约", "window_weeks": 5,
                                            "action": "notify", "concerns": ["lead_leader", "staff"]})
    assert good.status_code == 201, good.text


async def test_the_job_refuses_a_business_date_in_the_future(projects: httpx.AsyncClient, regions: list[str],
                                                            count) -> None:
    await signing_project(projects)
    for days in (1, 30):
        r = await projects.post("/api/v1/projects/jobs/escalation-rules/run",
                                params={"as_of": (today() + dt.timedelta(days=days)).isoformat()})
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "job.as_of_in_future"
        assert r.json()["errors"][0]["field"] == "query.as_of"
    assert await count("projects.escalation_firing") == 0
    assert await count("projects.job_run") == 0
    assert (await projects.post("/api/v1/projects/jobs/escalation-rules/run",
                                params={"as_of": today().isoformat()})).status_code == 200

"""Consultations (意愿征询, 改造“点单”): drafts with default and custom thresholds, the household list,
open and close, one ballot per household changeable until the close with its history, the three
channels, a resident voting only for their own household, results live and frozen with the
threshold, the events, bad input, scope and the authorization matrix of the consultation routes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest

from kernel.auth.roles import Role
from tests.projects.conftest import TREE, project_body
from tests.support.auth import bearer

PROJECTS = "/api/v1/projects/projects"
BASE = "/api/v1/projects/consultations"
REGION = "430903001001"  # 梓山湖社区
MENU = ["加装电梯", "雨污分流", "外墙保温", "停车位改造"]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(t: dt.datetime) -> str:
    return t.isoformat()


@pytest.fixture
async def project(projects: httpx.AsyncClient, regions: list[str]) -> str:
    r = await projects.post(PROJECTS, json=project_body("LJ-001", type="old_compound", region_code=REGION))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def households(n: int) -> list[dict[str, Any]]:
    names = ["曹桂兰", "彭志刚", "刘建华", "欧阳明月", "周小平", "李秀英", "谭国强", "胡美玲", "夏立军", "龚雪"]
    return [{"household_id": str(uuid.uuid4()), "head_name": names[i % len(names)],
             "address": f"汽车路 12 栋 {i + 1:02d} 号", "region_code": REGION} for i in range(n)]


async def make(projects: httpx.AsyncClient, project_id: str, kind: str = "renovation_menu", *, n: int = 6,
               open_: bool = True, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "project_id": project_id, "kind": kind, "title": "老旧小区改造内容“点单”",
        "question": "请选择希望实施的改造内容",
        "opens_at": iso(now() - dt.timedelta(hours=1)), "closes_at": iso(now() + dt.timedelta(days=7)),
    }
    if kind == "renovation_menu":
        body["options"] = [{"label": label} for label in MENU]
    body.update(over)
    r = await projects.post(BASE, json=body)
    assert r.status_code == 201, r.text
    c: dict[str, Any] = r.json()
    listed = households(n)
    if n:
        imp = await projects.post(f"{BASE}/{c['id']}/households", json={"households": listed})
        assert imp.status_code == 201, imp.text
    if open_:
        etag = (await projects.get(f"{BASE}/{c['id']}")).headers["etag"]
        opened = await projects.post(f"{BASE}/{c['id']}/open", headers={"If-Match": etag})
        assert opened.status_code == 200, opened.text
        c = opened.json()
    c["households"] = [h["household_id"] for h in listed]
    c["option_ids"] = {o["label"]: o["id"] for o in c["options"]}
    return c


async def vote(projects: httpx.AsyncClient, c: dict[str, Any], household: str, labels: list[str], *,
               channel: str = "field", headers: dict[str, str] | None = None, **extra: Any) -> httpx.Response:
    body = {"choices": [c["option_ids"][label] for label in labels], "channel": channel, **extra}
    return await projects.put(f"{BASE}/{c['id']}/votes/{household}", json=body, headers=headers or {})


def resident(household: str, region: str = REGION) -> dict[str, str]:
    return bearer("resident", region=region, household=household, name="曹桂兰")


# --- drafts, defaults, the household list -----------------------------------------------------------


async def test_defaults_by_kind(projects: httpx.AsyncClient, project: str, count) -> None:
    w = await make(projects, project, "willingness", title="棚改征收意愿征询", open_=False, n=0)
    assert [(o["label"], o["supportive"]) for o in w["options"]] == [("同意", True), ("不同意", False)]
    assert (w["support_required"], w["threshold_base"], w["participation_required"]) == ("9/10", "eligible", None)
    assert (w["status"], w["status_label"], w["kind_label"], w["approval_voting"]) == (
        "draft", "草稿", "征收意愿征询", False)
    m = await make(projects, project, open_=False, n=0)
    assert (m["support_required"], m["threshold_base"], m["participation_required"]) == ("3/4", "votes_cast", "2/3")
    assert m["approval_voting"] is True
    s = await make(projects, project, "satisfaction", open_=False, n=0)
    assert [o["score"] for o in s["options"]] == [3, 2, 1]
    custom = await make(projects, project, "willingness", open_=False, n=0, support_required="85%",
                        threshold_base="votes_cast", participation_required="0.5")
    assert (custom["support_required"], custom["threshold_base"], custom["participation_required"]) == (
        "17/20", "votes_cast", "1/2")
    none = await make(projects, project, open_=False, n=0, participation_required=None)
    assert none["participation_required"] is None
    assert await count("projects.outbox_event", "type = 'projects.consultation.changed'") == 5
    assert await count("projects.audit_log", "action = 'consultation.create'") == 5


async def test_draft_changes_import_and_open(projects: httpx.AsyncClient, project: str, count) -> None:
    c = await make(projects, project, open_=False, n=0)
    url = f"{BASE}/{c['id']}"
    r = await projects.patch(url, json={"title": "汽车路小区改造“点单”", "support_required": "2/3",
                                        "options": [{"label": "加装电梯"}, {"label": "充电桩"}]},
                             headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == '"2"'
    assert [o["label"] for o in r.json()["options"]] == ["加装电梯", "充电桩"]
    assert r.json()["support_required"] == "2/3"
    not_ready = await projects.post(f"{url}/open", headers={"If-Match": '"2"'})
    assert not_ready.status_code == 409
    assert not_ready.json()["code"] == "consultation.not_ready"
    listed = households(3)
    key = {"Idempotency-Key": "import-households-01"}
    imp = await projects.post(f"{url}/households", json={"households": listed}, headers=key)
    assert imp.json() == {"added": 3, "updated": 0, "eligible": 3}
    replay = await projects.post(f"{url}/households", json={"households": listed}, headers=key)
    assert replay.headers["idempotent-replayed"] == "true"
    listed[0]["address"] = "汽车路 12 栋 01 号（更正）"
    again = await projects.post(f"{url}/households", json={"households": listed[:1] + households(1)})
    assert again.json() == {"added": 1, "updated": 1, "eligible": 4}
    opened = await projects.post(f"{url}/open", headers={"If-Match": '"2"'})
    assert opened.status_code == 200, opened.text
    assert (opened.json()["status"], opened.json()["eligible"]) == ("open", 4)
    late = await projects.patch(url, json={"title": "改名"}, headers={"If-Match": opened.headers["etag"]})
    assert late.status_code == 409
    assert late.json()["code"] == "consultation.not_draft"
    late_import = await projects.post(f"{url}/households", json={"households": households(1)})
    assert late_import.status_code == 409
    reopen = await projects.post(f"{url}/open", headers={"If-Match": opened.headers["etag"]})
    assert reopen.status_code == 409
    assert reopen.json()["code"] == "consultation.wrong_status"
    page = (await projects.get(f"{url}/households", params={"limit": 2})).json()
    assert len(page["items"]) == 2
    rest = (await projects.get(f"{url}/households", params={"cursor": page["next_cursor"]})).json()
    everyone = page["items"] + rest["items"]
    assert [h["address"] for h in everyone] == sorted(h["address"] for h in everyone)  # in address order
    assert sorted(h["head_name"] for h in everyone) == sorted(["曹*兰", "曹*兰", "彭*刚", "刘*华"])  # masked
    assert await count("projects.eligible_household") == 4
    assert await count("projects.audit_log", "action = 'consultation.households_import'"
                       " AND after::text LIKE '%曹桂兰%'") == 0  # names stay out of the audit trail


# --- ballots --------------------------------------------------------------------------------------


async def test_one_ballot_per_household_changeable_with_history(projects: httpx.AsyncClient, project: str,
                                                                count) -> None:
    c = await make(projects, project)
    h = c["households"][0]
    first = await vote(projects, c, h, ["加装电梯", "雨污分流"])
    assert first.status_code == 201, first.text
    assert first.headers["etag"] == '"1"'
    assert first.json()["channel_label"] == "入户（工作人员代录）"
    no_if_match = await vote(projects, c, h, ["加装电梯"])
    assert no_if_match.status_code == 428
    changed = await vote(projects, c, h, ["加装电梯"], channel="paper", paper_form_no="QCL-0012",
                         headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    stale = await vote(projects, c, h, ["外墙保温"], headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    same = await vote(projects, c, h, ["加装电梯"], channel="paper", paper_form_no="QCL-0012",
                      headers={"If-Match": '"2"'})
    assert (same.status_code, same.headers["etag"]) == (200, '"2"')  # the same ballot again changes nothing
    assert await count("projects.ballot") == 1
    got = await projects.get(f"{BASE}/{c['id']}/votes/{h}")
    assert got.status_code == 200
    body = got.json()
    assert body["choices"] == [c["option_ids"]["加装电梯"]]
    assert [(x["ballot_version"], x["channel"], x["paper_form_no"]) for x in body["history"]] == [
        (1, "field", None), (2, "paper", "QCL-0012")]
    assert body["history"][0]["cast_by_name"] == "测试用户"
    assert await count("projects.audit_log", "action = 'consultation.vote'") == 2
    # Each cast and change is announced once (not the repeat), without anyone's name.
    assert await count("projects.outbox_event", "type = 'projects.consultation.ballot_cast'") == 2
    changed_ballot = ("type = 'projects.consultation.ballot_cast' AND payload->>'ballot_version' = '2' "
                      "AND payload->>'channel' = 'paper'")
    assert await count("projects.outbox_event", changed_ballot) == 1
    missing = await projects.get(f"{BASE}/{c['id']}/votes/{c['households'][1]}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "consultation.vote_not_found"
    ghost = await vote(projects, c, c["households"][1], ["加装电梯"], headers={"If-Match": '"3"'})
    assert ghost.status_code == 412  # If-Match names a ballot that does not exist


async def test_a_resident_votes_only_for_their_own_household(projects: httpx.AsyncClient, project: str) -> None:
    c = await make(projects, project)
    mine, other = c["households"][0], c["households"][1]
    me = resident(mine)
    r = await vote(projects, c, mine, ["加装电梯", "停车位改造"], channel="app", headers=me)
    assert r.status_code == 201, r.text
    assert r.json()["cast_by_name"] == "曹桂兰"
    for_other = await vote(projects, c, other, ["加装电梯"], channel="app", headers=me)
    assert for_other.status_code == 403
    assert for_other.json()["code"] == "consultation.not_own_household"
    as_staff = await vote(projects, c, other, ["加装电梯"], channel="field", headers=me)
    assert as_staff.status_code == 403
    assert as_staff.json()["code"] == "consultation.channel_denied"
    staff_app = await vote(projects, c, other, ["加装电梯"], channel="app")
    assert staff_app.status_code == 403  # the app channel is the resident themself
    see_other = await projects.get(f"{BASE}/{c['id']}/votes/{other}", headers=me)
    assert see_other.status_code == 403
    mine_seen = await projects.get(f"{BASE}/{c['id']}/votes/{mine}", headers=me)
    assert mine_seen.status_code == 200
    detail = (await projects.get(f"{BASE}/{c['id']}", headers=me)).json()
    assert detail["my_vote"]["voted"] is True
    assert set(detail["my_vote"]["choices"]) == {c["option_ids"]["加装电梯"], c["option_ids"]["停车位改造"]}
    assert (await projects.get(f"{BASE}/{c['id']}")).json()["my_vote"] is None  # staff have no "own" vote
    listed = await projects.get(f"{BASE}/{c['id']}/households", headers=me)
    assert listed.status_code == 403
    live = await projects.get(f"{BASE}/{c['id']}/results", headers=me)
    assert live.status_code == 409
    assert live.json()["code"] == "consultation.results_not_public"


async def test_residents_see_only_consultations_where_their_household_is_eligible(
        projects: httpx.AsyncClient, project: str) -> None:
    mine = await make(projects, project, title="我家参与的征询")
    await make(projects, project, title="别人的征询")
    draft = await make(projects, project, open_=False, n=0, title="草稿")
    household = mine["households"][0]
    await projects.post(f"{BASE}/{draft['id']}/households", json={"households": [
        {"household_id": household, "head_name": "曹桂兰", "address": "汽车路 12 栋 01 号"}]})
    me = resident(household)
    listed = (await projects.get(BASE, headers=me)).json()["items"]
    assert [c["title"] for c in listed] == ["我家参与的征询"]
    assert listed[0]["my_vote"] == {"household_id": household, "voted": False, "choices": [], "channel": None,
                                    "cast_at": None, "version": None}
    open_only = (await projects.get(BASE, params={"status": "open"}, headers=me)).json()["items"]
    assert len(open_only) == 1
    assert (await projects.get(f"{BASE}/{draft['id']}", headers=me)).status_code == 404
    stranger = resident(str(uuid.uuid4()))
    assert (await projects.get(BASE, headers=stranger)).json()["items"] == []
    hidden = await projects.get(f"{BASE}/{mine['id']}", headers=stranger)
    assert hidden.status_code == 404
    vote_hidden = await vote(projects, mine, household, ["加装电梯"], channel="app", headers=stranger)
    assert vote_hidden.status_code == 404  # the consultation is not theirs to see
    no_claim = bearer("resident", region=REGION)
    assert (await projects.get(BASE, headers=no_claim)).json()["items"] == []
    elsewhere = resident(household, region="430903002000")  # a token for another community: scope still applies
    assert (await projects.get(f"{BASE}/{mine['id']}", headers=elsewhere)).status_code == 404
    staff = (await projects.get(BASE)).json()["items"]
    assert len(staff) == 3


async def test_voting_outside_the_period_and_for_ineligible_households(projects: httpx.AsyncClient,
                                                                       project: str, count) -> None:
    later = await make(projects, project, opens_at=iso(now() + dt.timedelta(days=1)),
                       closes_at=iso(now() + dt.timedelta(days=8)))
    early = await vote(projects, later, later["households"][0], ["加装电梯"])
    assert early.status_code == 409
    assert early.json()["code"] == "consultation.not_in_period"
    assert early.json()["title"] == "不在投票期内：征询尚未开始或已经结束"
    assert "尚未开始" in early.json()["detail"]
    draft = await make(projects, project, open_=False)
    assert (await vote(projects, draft, draft["households"][0], ["加装电梯"])).status_code == 409
    c = await make(projects, project)
    stranger = await vote(projects, c, str(uuid.uuid4()), ["加装电梯"])
    assert stranger.status_code == 422
    assert stranger.json()["code"] == "consultation.household_not_eligible"
    other = await vote(projects, c, later["households"][0], ["加装电梯"])  # eligible elsewhere, not here
    assert other.status_code == 422
    closed = await projects.post(f"{BASE}/{c['id']}/close", headers={"If-Match": f'"{c["version"]}"'})
    assert closed.status_code == 200, closed.text
    after = await vote(projects, c, c["households"][0], ["加装电梯"])
    assert after.status_code == 409
    assert "已结束" in after.json()["detail"]
    assert await count("projects.ballot") == 0


@pytest.mark.parametrize(("kind", "body", "code", "field"), [
    ("willingness", {"labels": ["同意", "不同意"]}, "consultation.ballot_invalid", "body.choices"),
    ("willingness", {"labels": []}, "consultation.ballot_invalid", "body.choices"),
    ("renovation_menu", {"choices": [str(uuid.uuid4())]}, "consultation.ballot_invalid", "body.choices"),
    ("renovation_menu", {"labels": ["加装电梯", "加装电梯"]}, "consultation.ballot_invalid", "body.choices"),
    ("renovation_menu", {"labels": ["加装电梯"], "channel": "paper"}, "consultation.ballot_invalid",
     "body.paper_form_no"),
    ("renovation_menu", {"labels": ["加装电梯"], "channel": "mail"}, "validation_failed", "body.channel"),
    ("renovation_menu", {"choices": ["not-a-uuid"]}, "validation_failed", "body.choices.0"),
])
async def test_bad_ballots_write_nothing(projects: httpx.AsyncClient, project: str, count, kind: str,
                                         body: dict[str, Any], code: str, field: str) -> None:
    c = await make(projects, project, kind)
    payload: dict[str, Any] = {"channel": body.get("channel", "field")}
    payload["choices"] = body.get("choices") or [c["option_ids"][label] for label in body.get("labels", [])]
    r = await projects.put(f"{BASE}/{c['id']}/votes/{c['households'][0]}", json=payload)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == code
    assert r.json()["errors"][0]["field"] == field
    assert await count("projects.ballot") + await count("projects.ballot_log") == 0


# --- results, threshold, close ----------------------------------------------------------------------


async def test_menu_results_live_then_frozen_at_close_with_the_event(projects: httpx.AsyncClient, project: str,
                                                                      count) -> None:
    c = await make(projects, project, n=6)  # participation ≥ 2/3 (4 of 6), approval ≥ 3/4 of participants
    h = c["households"]
    await vote(projects, c, h[0], ["加装电梯", "雨污分流"], channel="app", headers=resident(h[0]))
    await vote(projects, c, h[1], ["加装电梯", "雨污分流"])
    await vote(projects, c, h[2], ["加装电梯"], channel="paper", paper_form_no="QCL-0003")
    live = (await projects.get(f"{BASE}/{c['id']}/results")).json()
    assert (live["frozen"], live["eligible"], live["participants"], live["participation_rate"]) == (
        False, 6, 3, "0.5000")
    assert live["participation_met"] is False
    assert live["threshold_met"] is False
    await vote(projects, c, h[3], ["雨污分流", "外墙保温"])
    live = (await projects.get(f"{BASE}/{c['id']}/results")).json()
    by = {o["label"]: o for o in live["options"]}
    assert (live["participants"], live["participation_rate"], live["participation_met"]) == (4, "0.6667", True)
    assert (by["加装电梯"]["count"], by["加装电梯"]["rate"], by["加装电梯"]["adopted"]) == (3, "0.7500", True)
    assert (by["雨污分流"]["count"], by["雨污分流"]["adopted"]) == (3, True)
    assert (by["外墙保温"]["count"], by["外墙保温"]["adopted"]) == (1, False)
    assert by["停车位改造"]["count"] == 0
    assert by["加装电梯"]["share_of_eligible"] == "0.5000"
    assert live["threshold_met"] is True
    stale = await projects.post(f"{BASE}/{c['id']}/close", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    closed = await projects.post(f"{BASE}/{c['id']}/close", headers={"If-Match": f'"{c["version"]}"'})
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    frozen = (await projects.get(f"{BASE}/{c['id']}/results")).json()
    assert frozen["frozen"] is True
    assert {k: v for k, v in frozen.items() if k not in ("frozen", "computed_at")} == {
        k: v for k, v in live.items() if k not in ("frozen", "computed_at")} | {"status": "closed"}
    assert (await projects.get(f"{BASE}/{c['id']}/results", headers=resident(h[0]))).status_code == 200
    assert await count(
        "projects.outbox_event", "type = 'projects.consultation.closed' AND aggregate_id = :a"
        " AND (payload->>'eligible')::int = 6 AND (payload->>'participants')::int = 4"
        " AND payload->>'participation_rate' = '0.6667' AND (payload->>'threshold_met')::boolean"
        " AND payload->>'support_required' = '3/4' AND payload->>'participation_required' = '2/3'"
        " AND jsonb_array_length(payload->'options') = 4", a=c["id"]) == 1
    twice = await projects.post(f"{BASE}/{c['id']}/close", headers={"If-Match": closed.headers["etag"]})
    assert twice.status_code == 409


async def test_willingness_threshold_of_the_eligible(projects: httpx.AsyncClient, project: str) -> None:
    c = await make(projects, project, "willingness", n=10, title="征收意愿征询（第一轮）")
    for household in c["households"][:9]:
        assert (await vote(projects, c, household, ["同意"])).status_code == 201
    r = (await projects.get(f"{BASE}/{c['id']}/results")).json()
    assert (r["support_count"], r["support_rate"], r["threshold_met"]) == (9, "0.9000", True)
    # one household changes its mind: 8 of 10 is below 9/10
    etag = (await projects.get(f"{BASE}/{c['id']}/votes/{c['households'][0]}")).headers["etag"]
    await vote(projects, c, c["households"][0], ["不同意"], headers={"If-Match": etag})
    r = (await projects.get(f"{BASE}/{c['id']}/results")).json()
    assert (r["support_count"], r["support_rate"], r["threshold_met"]) == (8, "0.8000", False)
    assert r["options"][1]["count"] == 1


@pytest.mark.parametrize(("over", "code", "field"), [
    ({"closes_at": iso(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))}, "consultation.invalid", "body.closes_at"),
    ({"opens_at": "2025-06-01T09:00:00"}, "validation_failed", "body.opens_at"),  # no time zone
    ({"support_required": "4/3"}, "validation_failed", "body.support_required"),
    ({"support_required": 0.9}, "validation_failed", "body.support_required"),
    ({"participation_required": "0"}, "validation_failed", "body.participation_required"),
    ({"kind": "referendum"}, "validation_failed", "body.kind"),
    ({"project_id": str(uuid.uuid4())}, "consultation.project_unknown", "body.project_id"),
    ({"options": [{"label": "加装电梯"}, {"label": "加装电梯"}]}, "consultation.invalid", "body.options"),
    ({"options": []}, "consultation.invalid", "body.options"),
    ({"kind": "willingness", "options": [{"label": "同意", "supportive": True}]}, "consultation.invalid",
     "body.options"),
    ({"kind": "willingness", "options": [{"label": "同意"}, {"label": "不同意"}]}, "consultation.invalid",
     "body.options"),  # nothing counts as support
    ({"title": ""}, "validation_failed", "body.title"),
])
async def test_bad_consultations_write_nothing(projects: httpx.AsyncClient, project: str, count,
                                               over: dict[str, Any], code: str, field: str) -> None:
    body = {"project_id": project, "kind": "renovation_menu", "title": "点单", "question": "请选择",
            "opens_at": iso(now()), "closes_at": iso(now() + dt.timedelta(days=3)),
            "options": [{"label": "加装电梯"}], **over}
    r = await projects.post(BASE, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == code
    assert r.json()["errors"][0]["field"] == field
    assert await count("projects.consultation") == 0


async def test_bad_household_lists(projects: httpx.AsyncClient, project: str, count) -> None:
    c = await make(projects, project, open_=False, n=0)
    url = f"{BASE}/{c['id']}/households"
    dup = households(1) * 2
    r = await projects.post(url, json={"households": dup})
    assert r.status_code == 422
    assert r.json()["code"] == "consultation.households_invalid"
    assert r.json()["errors"][0]["field"] == "body.households.1.household_id"
    bad = await projects.post(url, json={"households": [{**households(1)[0], "region_code": "4309"}]})
    assert bad.status_code == 422
    empty = await projects.post(url, json={"households": []})
    assert empty.status_code == 422
    assert await count("projects.eligible_household") == 0


async def test_lists_filters_and_scope(projects: httpx.AsyncClient, project: str) -> None:
    await make(projects, project, "willingness", n=1)
    m = await make(projects, project, n=1, open_=False)

    async def titles(headers: dict[str, str] | None = None, **params: str) -> list[str]:
        r = await projects.get(BASE, params=params, headers=headers or {})
        assert r.status_code == 200, r.text
        return [c["kind"] for c in r.json()["items"]]

    assert await titles() == ["willingness", "renovation_menu"]
    assert await titles(kind="renovation_menu") == ["renovation_menu"]
    assert await titles(status="draft") == ["renovation_menu"]
    assert await titles(project_id=project, limit="1") == ["willingness"]
    assert await titles(updated_since=m["updated_at"]) == []
    assert await titles(bearer("street_officer", region="430903002000")) == []
    assert await titles(bearer("street_officer", region="430903001000")) == ["willingness", "renovation_menu"]
    assert (await projects.get(BASE, params={"status": "archived"})).status_code == 422
    assert (await projects.get(BASE, headers=bearer("integration", kind="client",
                                                    scopes=["projects:read"]))).status_code == 403


# --- the authorization matrix -------------------------------------------------------------------------

CALLER_REGION = "430903001000"
PLACES = {"own": "430903001000", "child": "430903001001", "sibling": "430903002000",
          "parent": "430903000000", "other_district": "430902001000"}
STAFF = {r.value for r in Role} - {"resident", "integration"}
WORK = {"admin", "city_commander", "district_commander", "street_officer", "taskforce_member"}
MAY = {
    "read": STAFF | {"resident"},
    "manage": WORK,
    "vote": {"resident", "street_officer", "taskforce_member", "field_worker", "admin"},
    "households": STAFF,  # residents may not list the households
}
VISIBLE = {"own", "child"}
VISIBLE_TO_TASKFORCE = {"sibling"}
RESIDENT_HOUSEHOLD = uuid.UUID("0f0e0d0c-0b0a-4909-8807-060504030201")

COVERED = {
    ("GET", "/api/v1/projects/consultations/{consultation_id}"),
    ("PATCH", "/api/v1/projects/consultations/{consultation_id}"),
    ("POST", "/api/v1/projects/consultations/{consultation_id}/open"),
    ("POST", "/api/v1/projects/consultations/{consultation_id}/close"),
    ("POST", "/api/v1/projects/consultations/{consultation_id}/households"),
    ("GET", "/api/v1/projects/consultations/{consultation_id}/households"),
    ("PUT", "/api/v1/projects/consultations/{consultation_id}/votes/{household_id}"),
    ("GET", "/api/v1/projects/consultations/{consultation_id}/votes/{household_id}"),
    ("GET", "/api/v1/projects/consultations/{consultation_id}/results"),
}
OPERATIONS = {
    ("GET", ""): "read",
    ("GET", "/votes/{household_id}"): "read",
    ("GET", "/results"): "read",
    ("GET", "/households"): "households",
    ("PUT", "/votes/{household_id}"): "vote",
    ("PATCH", ""): "manage",
    ("POST", "/households"): "manage",
    ("POST", "/open"): "manage",
    ("POST", "/close"): "manage",  # last: the others see an open consultation
}


@pytest.fixture
async def places(projects: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    for code, name in [*TREE, ("430902001000", "汽车路街道")]:
        r = await projects.post("/api/v1/projects/regions", json={"code": code, "name": name})
        assert r.status_code == 201, r.text
    out = {}
    for place, region in PLACES.items():
        r = await projects.post(PROJECTS, json=project_body(f"C-{place.upper().replace('_', '-')}",
                                                            region_code=region))
        assert r.status_code == 201, r.text
        c = await make(projects, r.json()["id"], n=1, open_=False)
        staff_household = c["households"][0]
        await projects.post(f"{BASE}/{c['id']}/households", json={"households": [
            {"household_id": str(RESIDENT_HOUSEHOLD), "head_name": "曹桂兰", "address": "1 栋 1 号"}]})
        opened = await projects.post(f"{BASE}/{c['id']}/open", headers={"If-Match": '"1"'})
        assert opened.status_code == 200, opened.text
        c["option_ids"] = {o["label"]: o["id"] for o in opened.json()["options"]}
        for household in (staff_household, str(RESIDENT_HOUSEHOLD)):
            assert (await vote(projects, c, household, ["加装电梯"])).status_code == 201
        out[place] = {"project": r.json()["id"], "id": c["id"], "household": staff_household,
                      "option": c["option_ids"]["雨污分流"]}
    return out


def expected(role: str, permission: str, place: str) -> str:
    if role not in MAY[permission]:
        return "denied"
    visible = VISIBLE_TO_TASKFORCE if role == "taskforce_member" else VISIBLE
    return "through" if place in visible else "hidden"


def outcome(status: int) -> str:
    assert status < 500
    return {403: "denied", 404: "hidden"}.get(status, "through")


async def test_matrix(projects: httpx.AsyncClient, places: dict[str, dict[str, Any]]) -> None:
    seen: Counter[str] = Counter()
    surprises = []
    for (method, suffix), permission in OPERATIONS.items():
        for role in Role:
            headers = bearer(role.value, region=CALLER_REGION, projects=[places["sibling"]["project"]],
                             kind="client" if role is Role.integration else "user",
                             scopes=["projects:read", "regions:read"],
                             household=RESIDENT_HOUSEHOLD if role is Role.resident else None)
            for place, rec in places.items():
                household = str(RESIDENT_HOUSEHOLD) if role is Role.resident else rec["household"]
                url = f"{BASE}/{rec['id']}{suffix}".replace("{household_id}", household)
                h = {**headers, "If-Match": "*", "Idempotency-Key": f"m-{role.value}-{place}-{suffix[1:5]}"}
                if method == "GET":
                    r = await projects.get(url, headers=headers)
                elif method == "PUT":
                    r = await projects.put(url, headers=h, json={
                        "choices": [rec["option"]], "channel": "app" if role is Role.resident else "field"})
                elif method == "PATCH":
                    r = await projects.patch(url, headers=h, json={"title": "改"})
                elif suffix == "/households":
                    r = await projects.post(url, headers=h, json={"households": households(1)})
                else:
                    r = await projects.post(url, headers=h)
                want, got = expected(role.value, permission, place), outcome(r.status_code)
                if want != got:
                    surprises.append((role.value, method, suffix, place, want, r.status_code))
                seen[got] += 1
    assert all(seen[k] > 0 for k in ("through", "denied", "hidden")), seen
    assert surprises == [], f"{len(surprises)} surprises, e.g. {surprises[:5]}"


def test_names_are_masked_for_lists() -> None:
    from services.projects.consultations.schemas import mask_name

    assert [mask_name(n) for n in ("曹桂兰", "龚雪", "欧阳明月", "王")] == ["曹*兰", "龚*", "欧**月", "*"]

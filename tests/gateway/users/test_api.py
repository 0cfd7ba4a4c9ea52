"""User administration: scope, masked phones, audited reveals, safe writes."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from gateway.demo import DEMO_PASSWORD
from kernel.auth.principal import DataScope
from kernel.db.session import Database, apply_scope
from tests.gateway.conftest import Headers, Login
from tests.support.pii_scan import PHONE

USERS = "/api/v1/auth/users"
# A whole phone number as someone wrote it (not digits inside a UUID or a hash): the shared scanner.
WHOLE_PHONE = PHONE


def new_user(**over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "username": f"u{uuid.uuid4().hex[:10]}",
        "display_name": "刘志华",
        "phone": "138 0737 1234",
        "roles": ["field_worker"],
        "region_code": "430903001000",
    }
    body.update(over)
    return body


async def _all_users(gw: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        q = {**params, "limit": 7, **({"cursor": cursor} if cursor else {})}
        r = await gw.get(USERS, params=q, headers=headers)
        assert r.status_code == 200, r.text
        assert not WHOLE_PHONE.search(r.text), "a whole phone number in a list response"
        items.extend(r.json()["items"])
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items


async def test_create_with_idempotency_key_and_client_generated_id(gw: httpx.AsyncClient, as_user: Headers,
                                                                   sql: Any) -> None:
    admin = await as_user("heshan.admin")
    ident = uuid.uuid4()
    body = new_user(id=str(ident), username="Zhang.Wei")
    headers = {**admin, "Idempotency-Key": f"create-{ident}"}
    first = await gw.post(USERS, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert first.headers["etag"] == '"1"'
    assert first.headers["location"] == f"{USERS}/{ident}"
    created = first.json()
    assert created["id"] == str(ident)
    assert created["username"] == "zhang.wei"  # stored lower-case
    assert created["phone"] == "138****1234"
    assert created["has_password"] is False

    again = await gw.post(USERS, json=body, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == created
    rows = await sql("SELECT count(*) AS n FROM gateway.app_user WHERE id = :i", i=ident)
    assert rows[0]["n"] == 1

    other = await gw.post(USERS, json=new_user(), headers=headers)  # same key, another body
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency.key_reused"

    dup = await gw.post(USERS, json=new_user(username="ZHANG.WEI"), headers=admin)
    assert dup.status_code == 409
    assert dup.json()["code"] == "user.username_taken"
    dup_id = await gw.post(USERS, json=new_user(id=str(ident)), headers=admin)
    assert dup_id.status_code == 409
    assert dup_id.json()["code"] == "user.id_taken"


async def test_phone_is_encrypted_at_rest_and_masked_everywhere(gw: httpx.AsyncClient, as_user: Headers,
                                                                sql: Any) -> None:
    admin = await as_user("admin")
    created = (await gw.post(USERS, json=new_user(phone="+86 139-0737-4321"), headers=admin)).json()
    assert created["phone"] == "139****4321"
    rows = await sql("SELECT phone_enc, phone_index FROM gateway.app_user WHERE id = :i",
                     i=uuid.UUID(created["id"]))
    assert "13907374321" not in str(rows)
    got = await gw.get(f"{USERS}/{created['id']}", headers=admin)
    assert got.json()["phone"] == "139****4321"
    assert not WHOLE_PHONE.search(got.text)
    everyone = await _all_users(gw, admin)
    assert len(everyone) >= 22
    assert all(u["phone"] is None or re.fullmatch(r"1[0-9]{2}\*{4}[0-9]{4}", u["phone"]) for u in everyone)
    # The keyed hash finds a user by the whole number without storing it.
    found = await _all_users(gw, admin, phone="13907374321", purpose="核实账号归属")
    assert [u["id"] for u in found] == [created["id"]]


async def test_reveal_needs_a_purpose_and_is_audited_without_the_value(gw: httpx.AsyncClient,
                                                                      as_user: Headers) -> None:
    admin = await as_user("heshan.admin")
    user = (await _all_users(gw, admin, role="housing_officer"))[0]
    assert user["username"] == "heshan.housing_officer"
    url = f"{USERS}/{user['id']}/reveal"
    missing = await gw.post(url, json={"fields": ["phone"]}, headers=admin)
    assert missing.status_code == 422
    short = await gw.post(url, json={"purpose": "查", "fields": ["phone"]}, headers=admin)
    assert short.status_code == 422
    purpose = "核实联系方式，通知参加安置房选房"
    r = await gw.post(url, json={"purpose": purpose, "fields": ["phone"]}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    assert r.json() == {"id": user["id"], "phone": "13907370014"}

    audit = await gw.get("/api/v1/gateway/audit", params={"action": "user.reveal", "entity_id": user["id"]},
                         headers=await as_user("heshan.auditor"))
    assert audit.status_code == 200
    [entry] = audit.json()["items"]
    assert entry["after"] == {"purpose": purpose, "fields": ["phone"]}
    assert entry["actor_name"] == "李红梅"
    assert "13907370014" not in audit.text


async def test_reveal_needs_the_permission(gw: httpx.AsyncClient, as_user: Headers) -> None:
    auditor = await as_user("yiyang.auditor")  # may read users, may not reveal
    user = (await _all_users(gw, auditor, role="finance_officer"))[0]
    r = await gw.post(f"{USERS}/{user['id']}/reveal", json={"purpose": "审计抽查", "fields": ["phone"]},
                      headers=auditor)
    assert r.status_code == 403
    assert r.json()["code"] == "auth.forbidden"


async def test_a_district_admin_sees_only_its_district(gw: httpx.AsyncClient, as_user: Headers) -> None:
    province = await as_user("admin")
    ziyang = (await gw.post(USERS, json=new_user(region_code="430902001000", display_name="资阳区干部"),
                            headers=province)).json()
    heshan = await as_user("heshan.admin")
    visible = await _all_users(gw, heshan)
    assert visible
    assert all(u["region_code"].startswith("430903") for u in visible)
    assert ziyang["id"] not in {u["id"] for u in visible}
    # Out of scope answers exactly like a user that does not exist.
    outside = await gw.get(f"{USERS}/{ziyang['id']}", headers=heshan)
    missing = await gw.get(f"{USERS}/{uuid.uuid4()}", headers=heshan)
    for r in (outside, missing):
        assert r.status_code == 404
        assert r.json()["code"] == "user.not_found"
    assert (await gw.patch(f"{USERS}/{ziyang['id']}", json={"display_name": "x"},
                           headers={**heshan, "If-Match": '"1"'})).status_code == 404
    assert (await gw.post(f"{USERS}/{ziyang['id']}/reveal", json={"purpose": "越权查看", "fields": ["phone"]},
                          headers=heshan)).status_code == 404
    # ... and it may not create one outside either.
    refused = await gw.post(USERS, json=new_user(region_code="430902001000"), headers=heshan)
    assert refused.status_code == 403
    assert refused.json()["code"] == "scope.region_outside"
    # The sub-district admin sees even less.
    street = await _all_users(gw, await as_user("taohualun.admin"))
    assert {u["region_code"][:9] for u in street} == {"430903001"}


async def test_update_with_if_match(gw: httpx.AsyncClient, as_user: Headers, login: Login) -> None:
    admin = await as_user("taohualun.admin")
    user = (await gw.post(USERS, json=new_user(), headers=admin)).json()
    url = f"{USERS}/{user['id']}"
    got = await gw.get(url, headers=admin)
    etag = got.headers["etag"]
    assert etag == '"1"'

    no_match = await gw.patch(url, json={"display_name": "刘志华（组长）"}, headers=admin)
    assert no_match.status_code == 428
    ok = await gw.patch(url, json={"display_name": "刘志华（组长）", "roles": ["field_worker", "street_officer"],
                                   "phone": "13600001111"}, headers={**admin, "If-Match": etag})
    assert ok.status_code == 200, ok.text
    assert ok.headers["etag"] == '"2"'
    assert ok.json()["phone"] == "136****1111"
    assert ok.json()["roles"] == ["field_worker", "street_officer"]
    stale = await gw.patch(url, json={"display_name": "过期"}, headers={**admin, "If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    unchanged = await gw.patch(url, json={"display_name": "刘志华（组长）"}, headers={**admin, "If-Match": '"2"'})
    assert unchanged.headers["etag"] == '"2"'  # nothing changed, no new version

    refused = await gw.patch(url, json={"roles": ["integration"]}, headers={**admin, "If-Match": '"2"'})
    assert refused.status_code == 422
    assert refused.json()["code"] == "user.invalid"
    null = await gw.patch(url, json={"roles": None}, headers={**admin, "If-Match": '"2"'})
    assert null.status_code == 422

    audit = (await gw.get("/api/v1/gateway/audit", params={"entity_id": user["id"]},
                          headers=await as_user("taohualun.auditor"))).json()["items"]
    assert [e["action"] for e in audit] == ["user.update", "user.create"]
    change = audit[0]
    assert change["before"]["display_name"] == "刘志华"
    assert change["after"]["display_name"] == "刘志华（组长）"
    assert change["after"]["phone"] == "136****1111"
    assert "13600001111" not in str(audit)
    assert "13807371234" not in str(audit)


async def test_an_admin_sets_the_first_password_and_resets_it(gw: httpx.AsyncClient, as_user: Headers,
                                                               login: Login) -> None:
    admin = await as_user("heshan.admin")
    user = (await gw.post(USERS, json=new_user(username="li.na"), headers=admin)).json()
    url = f"{USERS}/{user['id']}/password"
    weak = await gw.put(url, json={"password": "12345678"}, headers={**admin, "If-Match": '"1"'})
    assert weak.status_code == 422
    assert weak.json()["code"] == "auth.weak_password"
    assert (await gw.put(url, json={"password": "Lina@Heshan26"}, headers=admin)).status_code == 428
    ok = await gw.put(url, json={"password": "Lina@Heshan26"}, headers={**admin, "If-Match": '"1"'})
    assert ok.status_code == 200, ok.text
    assert ok.json()["has_password"] is True
    assert ok.headers["etag"] == '"2"'

    session = await login("li.na", "Lina@Heshan26")
    reset = await gw.put(url, json={"password": "Lina@Reset2027"}, headers={**admin, "If-Match": '"2"'})
    assert reset.status_code == 200
    # A reset ends every session of the user.
    r = await gw.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
    assert r.status_code == 401
    assert (await gw.post("/api/v1/auth/login", json={"username": "li.na", "password": "Lina@Heshan26"})
            ).status_code == 401
    await login("li.na", "Lina@Reset2027")
    audit = (await gw.get("/api/v1/gateway/audit", params={"action": "user.password_reset",
                                                           "entity_id": user["id"]},
                          headers=await as_user("heshan.auditor"))).json()["items"]
    assert [e["after"]["first_password"] for e in audit] == [False, True]
    assert "Lina@" not in str(audit)


async def test_permissions_of_the_user_routes(gw: httpx.AsyncClient, as_user: Headers) -> None:
    auditor = await as_user("heshan.auditor")
    assert (await gw.get(USERS, headers=auditor)).status_code == 200
    assert (await gw.post(USERS, json=new_user(), headers=auditor)).status_code == 403
    commander = await as_user("heshan.district_commander")
    assert (await gw.get(USERS, headers=commander)).status_code == 403
    assert (await gw.get(USERS)).status_code == 401


async def test_input_is_checked(gw: httpx.AsyncClient, as_user: Headers) -> None:
    admin = await as_user("admin")
    cases = [
        new_user(username="王建国"),
        new_user(phone="12345"),
        new_user(roles=[]),
        new_user(roles=["resident", "admin"]),
        new_user(roles=["integration"]),
        new_user(region_code="4309"),
        new_user(region_code="000000000000"),
        new_user(unknown_field=1),
    ]
    for body in cases:
        r = await gw.post(USERS, json=body, headers=admin)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    too_big = await gw.get(USERS, params={"limit": 1000}, headers=admin)
    assert too_big.status_code == 422
    assert (await gw.get(USERS, params={"phone": "123"}, headers=admin)).status_code == 422


async def test_demo_passwords_work_for_every_demo_user(gw: httpx.AsyncClient, login: Login) -> None:
    """Spot check across levels (every login costs an Argon2id hash)."""
    for username in ("admin", "yiyang.city_commander", "taohualun.street_officer", "qichelu.resident1"):
        pair = await login(username, DEMO_PASSWORD)
        assert pair["user"]["username"] == username


async def test_the_audit_log_is_append_only_for_the_gateway(gw: httpx.AsyncClient, as_user: Headers,
                                                            sql: Any) -> None:
    await gw.post(USERS, json=new_user(), headers=await as_user("admin"))
    for statement in ("UPDATE gateway.audit_log SET action = 'x'", "DELETE FROM gateway.audit_log"):
        with pytest.raises(DBAPIError, match="permission denied"):
            await sql(statement)


async def test_a_username_taken_outside_the_callers_region_is_still_taken(gw: httpx.AsyncClient,
                                                                          as_user: Headers) -> None:
    r = await gw.post(USERS, json=new_user(username="yiyang.admin"), headers=await as_user("heshan.admin"))
    assert r.status_code == 409
    assert r.json()["code"] == "user.username_taken"


async def test_row_level_security_backs_the_scoped_queries(gdb: Database) -> None:
    """The second line: a session scoped to 赫山区 sees no other user, whatever it asks."""
    async with gdb.sessionmaker() as session:
        await apply_scope(session, DataScope(region_prefix="430903", project_ids=None))
        regions = (await session.execute(text("SELECT DISTINCT left(region_code, 6) FROM gateway.app_user"))).all()
        assert [r[0] for r in regions] == ["430903"]
        await apply_scope(session, DataScope(region_prefix=None, project_ids=None))
        assert (await session.execute(text("SELECT count(*) FROM gateway.app_user"))).scalar_one() == 0
        await session.rollback()


async def test_a_lookup_by_whole_phone_is_a_reveal(gw: httpx.AsyncClient, as_user: Headers, sql: Any) -> None:
    """Finding a user by exact phone tells whether a number is theirs, i.e. reveals it: without
    ``pii.reveal`` the masked digits cannot be enumerated; a lookup states its purpose and is audited
    with the mask and the users found, never the number; the answer is not cached."""
    admin = await as_user("admin")
    created = (await gw.post(USERS, json=new_user(phone="13800700302"), headers=admin)).json()
    auditor = await as_user("heshan.auditor")  # reads users, may not reveal
    for phone in ("13807000302", "13800700302"):
        refused = await gw.get(USERS, params={"phone": phone, "purpose": "核实身份"}, headers=auditor)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "auth.forbidden"
    missing = await gw.get(USERS, params={"phone": "13800700302"}, headers=admin)
    assert missing.status_code == 422, missing.text
    assert [(e["field"], e["code"]) for e in missing.json()["errors"]] == [("query.purpose", "purpose_required")]
    purpose = "核实来电人员身份"
    found = await gw.get(USERS, params={"phone": "13800700302", "purpose": purpose}, headers=admin)
    assert found.status_code == 200, found.text
    assert [u["id"] for u in found.json()["items"]] == [created["id"]]
    assert found.headers["cache-control"] == "no-store"
    rows = await sql("SELECT actor, entity_id, after FROM gateway.audit_log WHERE action = 'user.lookup_by_phone'")
    assert [(r["actor"], r["after"]) for r in rows] == [
        (rows[0]["actor"], {"purpose": purpose, "phone": "138****0302", "found": [created["id"]]})]
    assert rows[0]["actor"].startswith("user:")
    assert not await sql("SELECT 1 FROM gateway.audit_log WHERE after::text LIKE '%13800700302%'")
    listed = await gw.get(USERS, headers=auditor)  # the list without the filter stays open (masked)
    assert listed.status_code == 200


async def test_a_retried_create_with_its_client_id_is_a_replay(gw: httpx.AsyncClient, as_user: Headers,
                                                              sql: Any) -> None:
    """Decision 0022: without an Idempotency-Key, the client-generated id makes a create safe to
    retry: the same body again answers the first response; another body with that id is a 409."""
    admin = await as_user("heshan.admin")
    ident = uuid.uuid4()
    body = new_user(id=str(ident))
    first = await gw.post(USERS, json=body, headers=admin)
    assert first.status_code == 201, first.text
    again = await gw.post(USERS, json=body, headers=admin)
    assert again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    other = await gw.post(USERS, json=new_user(id=str(ident)), headers=admin)
    assert other.status_code == 409
    assert other.json()["code"] == "user.id_taken"
    assert (await sql("SELECT count(*) AS n FROM gateway.app_user WHERE id = :i", i=ident))[0]["n"] == 1


async def test_an_unconditional_update_is_audited_as_such(gw: httpx.AsyncClient, as_user: Headers,
                                                         sql: Any) -> None:
    """Decision 0022: ``If-Match: *`` updates whatever version is current (RFC 9110), and its audit
    entry says that it was unconditional; a versioned update's entry does not."""
    admin = await as_user("heshan.admin")
    user = (await gw.post(USERS, json=new_user(), headers=admin)).json()
    url = f"{USERS}/{user['id']}"
    blind = await gw.patch(url, json={"display_name": "刘志军"}, headers={**admin, "If-Match": "*"})
    assert blind.status_code == 200, blind.text
    etag = blind.headers["etag"]
    versioned = await gw.patch(url, json={"display_name": "刘志华"}, headers={**admin, "If-Match": etag})
    assert versioned.status_code == 200, versioned.text
    rows = await sql("SELECT after FROM gateway.audit_log WHERE action = 'user.update' AND entity_id = :i "
                     "ORDER BY id", i=user["id"])
    assert [r["after"] for r in rows] == [{"display_name": "刘志军", "if_match": "*"}, {"display_name": "刘志华"}]

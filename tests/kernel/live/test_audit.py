"""The audit trail on committed data: entries for every change, append-only for the
application, and tampering found by ``make audit-verify``."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import asyncpg
import httpx
import pytest

from kernel.audit.trail import AuditCheck
from scripts.audit_verify import check_all, report
from scripts.localdb import asyncpg_dsn
from tests.projects.conftest import project_body
from tests.support.auth import bearer

BASE = "/api/v1/projects/projects"
AUDIT = "/api/v1/projects/audit"


async def _superuser(url: str, sql: str, *args: object) -> object:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def test_changes_are_audited_with_who_what_before_after(live: httpx.AsyncClient) -> None:
    code = f"AUD-{uuid.uuid4().hex[:6].upper()}"
    created = await live.post(BASE, json=project_body(code), headers={"X-Request-ID": f"req-{code}"})
    pid = created.json()["id"]
    await live.patch(f"{BASE}/{pid}", json={"name": "改名后的项目", "target_households": 99},
                     headers={"If-Match": created.headers["etag"], "X-Request-ID": f"req2-{code}"})
    entries = (await live.get(AUDIT, params={"entity_id": pid}, headers=bearer("auditor"))).json()["items"]
    assert [e["action"] for e in entries] == ["project.update", "project.create"]  # newest first
    update, create = entries
    assert create["after"]["code"] == code
    assert create["request_id"] == f"req-{code}"
    assert update["before"] == {"name": "桃花仑片区棚改", "target_households": 1240}
    assert update["after"] == {"name": "改名后的项目", "target_households": 99}
    assert update["actor_roles"] == ["admin"]
    assert update["request_id"] == f"req2-{code}"
    assert update["prev_hash"] == create["hash"] or update["id"] > create["id"]


async def test_only_auditors_and_admins_read_the_trail(live: httpx.AsyncClient) -> None:
    assert (await live.get(AUDIT, headers=bearer("field_worker"))).status_code == 403
    assert (await live.get(AUDIT, headers=bearer("auditor"))).status_code == 200
    scoped = (await live.get(AUDIT, headers=bearer("auditor", region="430902000000"))).json()["items"]
    assert all((e["region_code"] or "").startswith("430902") for e in scoped)


async def test_the_application_cannot_rewrite_history(live: httpx.AsyncClient, live_url: str) -> None:
    """Append-only twice over: the app role has no UPDATE/DELETE, and a trigger refuses them."""
    app_role = f"{asyncpg_dsn(live_url)}"
    conn = await asyncpg.connect(app_role, server_settings={"role": "anju_projects_app"})
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("UPDATE projects.audit_log SET actor = 'someone else'")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("DELETE FROM projects.audit_log")
    finally:
        await conn.close()
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await _superuser(live_url, "UPDATE projects.audit_log SET actor = 'someone else'")


async def test_tampering_is_found_by_audit_verify(live: httpx.AsyncClient, live_url: str) -> None:
    for i in range(3):
        r = await live.post(BASE, json=project_body(f"TAMP-{uuid.uuid4().hex[:6].upper()}-{i}"))
        assert r.status_code == 201
    urls = {"projects": live_url}
    first = (await check_all(urls))["projects"]
    assert isinstance(first, AuditCheck)
    assert first.ok
    ok = (await live.get(f"{AUDIT}/verify", headers=bearer("auditor"))).json()
    assert ok["ok"] is True
    assert ok["checked"] >= 3

    victim = int(str(await _superuser(live_url, "SELECT min(id) + 1 FROM projects.audit_log")))
    await _superuser(live_url, "ALTER TABLE projects.audit_log DISABLE TRIGGER audit_log_append_only")
    try:
        await _superuser(live_url, "UPDATE projects.audit_log SET after = jsonb_set(after, '{name}', '\"篡改\"')"
                                   " WHERE id = $1", victim)
    finally:
        await _superuser(live_url, "ALTER TABLE projects.audit_log ENABLE TRIGGER audit_log_append_only")

    check = (await check_all(urls))["projects"]
    assert isinstance(check, AuditCheck)
    assert not check.ok
    assert check.first_broken_id == victim
    assert report({"projects": check}) == 1
    api = (await live.get(f"{AUDIT}/verify", headers=bearer("auditor"))).json()
    assert api == {"ok": False, "checked": api["checked"], "first_broken_id": victim}

    # The command itself: exit status 1 and the broken link named.
    env = {**os.environ, "DATABASE_URL": live_url}  # every schema lives in the live database
    run = subprocess.run([sys.executable, "-m", "scripts.audit_verify"], env=env, capture_output=True, text=True,
                         check=False)
    assert run.returncode == 1, run.stdout + run.stderr[-3000:]
    assert f"first broken link at audit_log.id = {victim}" in run.stdout, run.stderr[-3000:]
    assert "relocation  ok" in run.stdout

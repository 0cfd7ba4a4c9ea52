"""The gateway's pure rules: lockout, refresh-token verdicts, password policy, usernames."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gateway.demo import DEMO_CLIENT_SECRET, DEMO_CLIENTS, DEMO_PASSWORD, DEMO_USERS, demo_project_id
from gateway.identity.errors import WeakPassword
from gateway.identity.rules import (
    PREFIX,
    LockoutPolicy,
    Verdict,
    check_password,
    judge,
    new_refresh_token,
    normalize_username,
    password_problems,
    token_hash,
    valid_username,
)
from gateway.settings import GatewaySettings
from kernel.auth.roles import Role
from services.projects.demo.seed import PROJECTS
from services.projects.demo.seed import demo_project_id as projects_demo_id

T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
POLICY = LockoutPolicy(failures=5, window=dt.timedelta(minutes=15))


def minutes(m: float) -> dt.timedelta:
    return dt.timedelta(minutes=m)


def test_four_failures_do_not_lock() -> None:
    failures = [T0 + minutes(i) for i in range(4)]
    assert POLICY.retry_after(failures, T0 + minutes(5)) is None


def test_five_failures_inside_the_window_lock_until_the_oldest_leaves() -> None:
    failures = [T0 + minutes(i) for i in range(5)]  # 08:00 … 08:04
    now = T0 + minutes(5)
    assert POLICY.retry_after(failures, now) == 10 * 60  # 08:00 leaves the window at 08:15
    assert POLICY.retry_after(failures, T0 + minutes(14.99)) == 1  # rounded up, never 0
    assert POLICY.retry_after(failures, T0 + minutes(15)) is None


def test_failures_older_than_the_window_do_not_count() -> None:
    old = [T0 - minutes(20 + i) for i in range(10)]
    recent = [T0 - minutes(i) for i in range(4)]
    assert POLICY.retry_after(old + recent, T0) is None
    assert POLICY.retry_after([*old, *recent, T0], T0) is not None


def test_more_failures_keep_the_lock_until_enough_have_left() -> None:
    failures = [T0 + minutes(i) for i in range(7)]  # 08:00 … 08:06
    # Seven in the window: it opens when the third oldest (08:02) leaves, at 08:17.
    assert POLICY.retry_after(failures, T0 + minutes(7)) == 10 * 60


def test_lockout_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="lockout"):
        LockoutPolicy(failures=0)
    with pytest.raises(ValueError, match="lockout"):
        LockoutPolicy(window=dt.timedelta(0))


def test_refresh_verdicts() -> None:
    later = T0 + dt.timedelta(days=1)
    assert judge(found=False, used_at=None, revoked_at=None, expires_at=None, now=T0) is Verdict.unknown
    assert judge(found=True, used_at=None, revoked_at=None, expires_at=later, now=T0) is Verdict.valid
    assert judge(found=True, used_at=T0, revoked_at=None, expires_at=later, now=T0) is Verdict.reused
    # A revoked family stays revoked: replaying one of its tokens is not news.
    assert judge(found=True, used_at=T0, revoked_at=T0, expires_at=later, now=T0) is Verdict.revoked
    assert judge(found=True, used_at=None, revoked_at=None, expires_at=T0, now=T0) is Verdict.expired
    # A replay is a replay even once the token would have expired.
    assert judge(found=True, used_at=T0, revoked_at=None, expires_at=T0, now=later) is Verdict.reused


def test_refresh_tokens_are_random_and_stored_as_sha256() -> None:
    a, b = new_refresh_token(), new_refresh_token()
    assert a != b
    assert a.startswith(PREFIX)
    assert len(a) >= len(PREFIX) + 43  # 256 bits
    assert len(token_hash(a)) == 64
    assert token_hash(a) != token_hash(b)


@pytest.mark.parametrize("password", [DEMO_PASSWORD, "Zhang-San-2026", "益阳Anju#2026", "correct horse Battery 9"])
def test_acceptable_passwords(password: str) -> None:
    assert password_problems(password, "heshan.admin") == []


@pytest.mark.parametrize(("password", "problem"), [
    ("Ab1!", "至少 8 位"),
    ("alllowercaseletters", "至少三类"),
    ("Password1", "过于常见"),
    ("P@ssw0rd", "过于常见"),
    ("Heshan.Admin-2026", "用户名"),
    (" Anju@2026 ", "首尾"),
    ("A1b!" * 40, "最多"),
])
def test_refused_passwords(password: str, problem: str) -> None:
    problems = password_problems(password, "heshan.admin")
    assert any(problem in p for p in problems), problems
    with pytest.raises(WeakPassword) as caught:
        check_password(password, "heshan.admin")
    assert caught.value.errors[0].field == "body.password"


def test_usernames_compare_case_insensitively() -> None:
    assert normalize_username("  HeShan.Admin ") == "heshan.admin"
    assert normalize_username("ＡＤＭＩＮ") == "admin"  # full-width letters fold too (NFKC)
    assert valid_username("taohualun.street_officer")
    assert not valid_username("ab")
    assert not valid_username("王建国")
    assert not valid_username(".admin")


def test_settings_defaults_and_guards() -> None:
    s = GatewaySettings(database_url="postgresql://x@localhost/none")
    assert (s.access_token_ttl_minutes, s.refresh_token_ttl_days) == (15, 30)
    assert (s.lockout_failures, s.lockout_window_minutes) == (5, 15)
    assert s.token_audience == ["projects", "relocation", "housing", "funding", "gateway"]
    assert s.db_role == "anju_gateway_app"
    with pytest.raises(ValueError, match="gateway itself"):
        GatewaySettings(token_audience=["projects"])
    with pytest.raises(ValueError, match="keys_reload_s"):
        GatewaySettings(keys_reload_s=600, jwks_grace_minutes=5)


def test_demo_task_forces_name_the_projects_services_demo_projects() -> None:
    """The gateway derives demo project ids itself (it may not import the service):
    the derivation must agree with services/projects/demo/seed.py."""
    codes = {p.code for p in PROJECTS}
    members = [u for u in DEMO_USERS if u.role is Role.taskforce_member]
    assert members
    for user in members:
        assert user.projects
        for code in user.projects:
            assert code in codes
            assert demo_project_id(code) == projects_demo_id(code)


def test_demo_users_cover_every_staff_role() -> None:
    roles = {u.role for u in DEMO_USERS}
    assert roles == set(Role) - {Role.integration}
    assert len({u.username for u in DEMO_USERS}) == len(DEMO_USERS)
    assert all(valid_username(u.username) for u in DEMO_USERS)
    assert password_problems(DEMO_PASSWORD) == []


def test_readme_lists_every_demo_user() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text("utf-8")
    section = readme.split("## Demo users (local run only)", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip().strip("`"): line for line in section.splitlines() if line.startswith("| `")}
    assert set(rows) == {u.username for u in DEMO_USERS}
    for user in DEMO_USERS:
        row = rows[user.username]
        assert f"`{DEMO_PASSWORD}`" in row
        assert f"| {user.role.value} " in row
        assert user.region_code in row
    for client in DEMO_CLIENTS:
        assert client.client_id in section
    assert DEMO_CLIENT_SECRET in section

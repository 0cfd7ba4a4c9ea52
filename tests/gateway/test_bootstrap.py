"""``python -m gateway create-admin``: the first administrator of a deployment."""

from __future__ import annotations

import uuid

import pytest

from gateway.bootstrap import PASSWORD_ENV, create_admin


def test_create_admin_then_refuse_a_duplicate_and_a_weak_password(
        gateway_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GATEWAY_DATABASE_URL", gateway_database_url)
    monkeypatch.setenv(PASSWORD_ENV, "Ops@Yiyang2026")
    username = f"ops.{uuid.uuid4().hex[:8]}"
    args = ["--username", username, "--name", "运维管理员", "--region", "430900000000"]
    assert create_admin(args) == 0
    assert f"已创建管理员 {username}" in capsys.readouterr().out
    assert create_admin(args) == 1
    assert "用户名已被使用" in capsys.readouterr().err
    monkeypatch.setenv(PASSWORD_ENV, "weak")
    assert create_admin(["--username", f"{username}.2", "--name", "x", "--region", "430900000000"]) == 2
    assert "密码至少 8 位" in capsys.readouterr().err

"""``python -m gateway create-admin``: the first administrator of a deployment.

Production loads no demo data, so someone must be able to sign in first. The
password comes from ``ANJU_ADMIN_PASSWORD`` (for a one-off Job) or is asked
for twice on the terminal; it must pass the password policy. Everything else
is done through the use cases, so the audit trail records it (actor: system).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import re
import sys

from gateway.identity.rules import password_problems
from gateway.identity.service import Identity
from gateway.keys.service import ensure_current_key
from gateway.settings import GatewaySettings
from gateway.users.service import UserDraft, create_user, set_password
from kernel.auth.principal import SYSTEM, DataScope
from kernel.auth.roles import Role
from kernel.db.session import apply_scope, make_database
from kernel.errors import DomainError
from kernel.regions import CODE_PATTERN

PASSWORD_ENV = "ANJU_ADMIN_PASSWORD"  # noqa: S105  (the name of a variable, not a password)


def _password(username: str) -> str:
    given = os.environ.get(PASSWORD_ENV)
    if given is not None:
        return given
    first = getpass.getpass(f"{username} 的密码：")
    if getpass.getpass("再输入一次：") != first:
        raise SystemExit("两次输入的密码不一致")
    return first


async def _create(settings: GatewaySettings, draft: UserDraft, password: str) -> str:
    ident = Identity.from_settings(settings)
    db = make_database(settings)
    try:
        async with db.sessionmaker() as session, session.begin():
            await apply_scope(session, DataScope.everything())  # system work: every region
            await ensure_current_key(session, ident.cipher)
            user = await create_user(session, ident, SYSTEM, draft)
            await set_password(session, ident, SYSTEM, user.id, password, None)
            return str(user.id)
    finally:
        await db.dispose()


def create_admin(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway create-admin", description=__doc__)
    parser.add_argument("--username", required=True)
    parser.add_argument("--name", required=True, help="display name (姓名)")
    parser.add_argument("--region", required=True, help="12-digit region code: the administrator's scope")
    parser.add_argument("--phone", default=None)
    args = parser.parse_args(argv)
    if not re.match(CODE_PATTERN, args.region):
        parser.error("--region must be a 12-digit administrative division code")
    password = _password(args.username)
    problems = password_problems(password, args.username)
    if problems:
        print("密码不符合要求：" + "；".join(problems), file=sys.stderr)
        return 2
    draft = UserDraft(username=args.username, display_name=args.name, roles=[Role.admin], region_code=args.region,
                      phone=args.phone)
    try:
        user_id = asyncio.run(_create(GatewaySettings(), draft, password))
    except DomainError as exc:
        reasons = "；".join(e.message for e in exc.errors) or exc.detail or exc.code
        print(f"{exc.title('zh')}（{reasons}）", file=sys.stderr)
        return 1
    print(f"已创建管理员 {args.username}（{user_id}）")
    return 0

"""``make run``: everything on one machine.

Uses ``DATABASE_URL`` when set, else an embedded PostgreSQL; applies the
migrations of every service and of the gateway, loads the demo data (projects,
and the demo users of README.md), starts the four services and the gateway
(the services verify tokens with the gateway's JWKS), waits until the gateway
reports them ready, and stops them all on Ctrl-C. ``--migrate-only`` stops
after the migrations.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from kernel.db.migrations import upgrade
from kernel.logging import ACCESS_LOG_ENV
from scripts.components import ALL, GATEWAY, SERVICES, WITH_DATABASE, Component, service_env
from scripts.localdb import embedded_server, per_service_databases, service_urls_from_env


@contextlib.contextmanager
def databases() -> Iterator[dict[str, str]]:
    urls = service_urls_from_env()
    if urls is not None:
        print("• 使用 DATABASE_URL 指定的 PostgreSQL", flush=True)
        yield urls
        return
    with embedded_server() as server:
        print("• 已启动内置 PostgreSQL（数据在 .anju/pgdata）", flush=True)
        yield per_service_databases(server)


def migrate(urls: dict[str, str]) -> None:
    from importlib import import_module

    for c in WITH_DATABASE:
        deployable = import_module(f"{c.module}.__main__").DEPLOYABLE
        upgrade(deployable.migrations, urls[c.name])
        print(f"• {c.name}: 数据库迁移完成", flush=True)


def revision(urls: dict[str, str], service: str, message: str) -> int:
    """Autogenerate against a database migrated to head, so only the new changes are written."""
    from importlib import import_module

    from alembic import command

    from kernel.db.migrations import alembic_config

    component = next((c for c in WITH_DATABASE if c.name == service), None)
    if component is None:
        print(f"unknown service {service!r}; one of: {', '.join(c.name for c in WITH_DATABASE)}", file=sys.stderr)
        return 2
    deployable = import_module(f"{component.module}.__main__").DEPLOYABLE
    command.revision(alembic_config(deployable.migrations, urls[service]), message=message, autogenerate=True)
    return 0


def seed(urls: dict[str, str]) -> None:
    from gateway.demo import seed_demo as seed_gateway
    from gateway.settings import GatewaySettings
    from services.projects.demo.seed import seed_demo
    from services.projects.settings import ProjectsSettings

    asyncio.run(seed_demo(ProjectsSettings(database_url=urls["projects"])))
    asyncio.run(seed_gateway(GatewaySettings(database_url=urls[GATEWAY.name])))
    print("• 演示数据与演示用户已加载（见 README.md“Demo users”）", flush=True)


#: Where the processes' access lines (one per request) go, so the console keeps what people read;
#: ``ANJU_ACCESS_LOG=-`` puts them back on the console.
ACCESS_LOGS = Path(".anju") / "logs" / "{service}.log"


def child_env(urls: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.setdefault(ACCESS_LOG_ENV, str(ACCESS_LOGS))
    env.setdefault(f"{GATEWAY.env_prefix}PORT", str(GATEWAY.port))
    gateway = f"http://127.0.0.1:{env[f'{GATEWAY.env_prefix}PORT']}"
    for c in WITH_DATABASE:
        env[f"{c.env_prefix}DATABASE_URL"] = urls[c.name]
    for c in SERVICES:
        env.setdefault(f"{c.env_prefix}PORT", str(c.port))
        env.setdefault(f"{GATEWAY.env_prefix}{c.name.upper()}_URL",
                       f"http://127.0.0.1:{env[f'{c.env_prefix}PORT']}")
    bases = {c.name: f"http://127.0.0.1:{env[f'{c.env_prefix}PORT']}" for c in SERVICES}
    for c in SERVICES:
        for key, value in service_env(c, gateway_base=gateway, projects_base=bases["projects"], bases=bases).items():
            env.setdefault(key, value)  # keys, token endpoint, feeds and the demo machine clients
    return env


def start(c: Component, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # A session of its own: the terminal's Ctrl-C reaches only this supervisor,
    # which then stops the children in order (gateway first).
    return subprocess.Popen([sys.executable, *c.serve_args], env=env, start_new_session=True)


def wait_ready(url: str, procs: dict[str, subprocess.Popen[bytes]], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for name, p in procs.items():
            if p.poll() is not None:
                raise SystemExit(f"{name} exited with code {p.returncode} during start-up")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"not ready after {timeout_s:.0f}s: {url}")


def stop(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    order = sorted(procs, key=lambda name: name != GATEWAY.name)  # the front door closes first
    for name in order:
        if procs[name].poll() is None:
            procs[name].send_signal(signal.SIGTERM)
        if name == GATEWAY.name:
            with contextlib.suppress(subprocess.TimeoutExpired):
                procs[name].wait(timeout=10)
    deadline = time.monotonic() + 15
    for p in procs.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        if p.poll() is None:
            p.kill()


def _access_note(env: dict[str, str]) -> str:
    where = env.get(ACCESS_LOG_ENV, "")
    if not where or where == "-":
        return ""
    return f"  请求日志  {where.replace('{service}', '<服务>')}（{ACCESS_LOG_ENV}=- 时输出到控制台）\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--migrate-only", action="store_true")
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--revision", metavar="SERVICE", help="autogenerate a migration for SERVICE")
    parser.add_argument("--message", default="", help="the migration's message (with --revision)")
    args = parser.parse_args()

    with databases() as urls:
        migrate(urls)
        if args.revision:
            return revision(urls, args.revision, args.message)
        if args.migrate_only:
            return 0
        if not args.no_demo:
            seed(urls)
        env = child_env(urls)
        procs: dict[str, subprocess.Popen[bytes]] = {}
        stopping = False

        def on_signal(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        # Explicit handlers: SIGINT may arrive inherited as "ignored" (background jobs).
        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        try:
            for c in SERVICES:
                procs[c.name] = start(c, env)
            procs[GATEWAY.name] = start(GATEWAY, env)
            gateway = f"http://127.0.0.1:{env[f'{GATEWAY.env_prefix}PORT']}"
            wait_ready(f"{gateway}/readyz", procs)
            print(f"\n安居 Anju 已启动（{len(ALL)} 个进程）：\n"
                  f"  接口文档  {gateway}/docs\n"
                  f"  就绪检查  {gateway}/readyz\n"
                  f"  登录      POST {gateway}/api/v1/auth/login（演示用户见 README.md）\n"
                  f"  项目列表  {gateway}/api/v1/projects/projects（携带 Authorization: Bearer <令牌>）\n"
                  f"{_access_note(env)}"
                  f"按 Ctrl-C 停止。\n", flush=True)
            while True:
                for name, p in procs.items():
                    if p.poll() is not None:
                        print(f"{name} 意外退出（代码 {p.returncode}），正在停止全部进程", flush=True)
                        return 1
                time.sleep(0.5)
        except KeyboardInterrupt:
            stopping = True
            print("\n正在停止…", flush=True)
            return 0
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the shutdown short
            stop(procs)
            if stopping:
                print("已全部停止。", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())

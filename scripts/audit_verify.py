"""``make audit-verify``: recompute every service's audit hash chain and report the
first broken link. Exit 1 when any chain is broken, 0 when all verify.

Databases: ``DATABASE_URL`` / ``<PREFIX>DATABASE_URL`` as for ``make run``, else
the embedded server's per-service databases under ``.anju/``.
"""

from __future__ import annotations

import asyncio
import sys
from importlib import import_module

from sqlalchemy.exc import ProgrammingError

from kernel.audit.trail import AuditCheck, AuditTrail
from kernel.db.session import make_engine
from kernel.settings import normalize_database_url
from scripts.components import WITH_DATABASE
from scripts.localdb import embedded_server, per_service_databases, service_urls_from_env


async def verify_one(url: str, trail: AuditTrail) -> AuditCheck:
    """Verified as the migrating (owner) user: the check must see every row, whatever the scope."""
    engine = make_engine(normalize_database_url(url))
    try:
        from sqlalchemy.ext.asyncio import AsyncSession

        async with AsyncSession(engine) as session:
            return await trail.verify(session)
    finally:
        await engine.dispose()


def trails() -> dict[str, AuditTrail]:
    return {c.name: import_module(f"{c.module}.database").RECORDS.audit for c in WITH_DATABASE}


class NotMigrated(Exception):
    pass


async def check_all(urls: dict[str, str]) -> dict[str, AuditCheck | NotMigrated]:
    results: dict[str, AuditCheck | NotMigrated] = {}
    for name, trail in trails().items():
        if name not in urls:
            continue
        try:
            results[name] = await verify_one(urls[name], trail)
        except ProgrammingError as exc:  # no audit table: the database is behind its migrations
            results[name] = NotMigrated(str(exc.orig).splitlines()[0])
    return results


def verify_all(urls: dict[str, str]) -> dict[str, AuditCheck | NotMigrated]:
    return asyncio.run(check_all(urls))


def report(results: dict[str, AuditCheck | NotMigrated]) -> int:
    broken = 0
    unmigrated = 0
    for name, check in results.items():
        if isinstance(check, NotMigrated):
            unmigrated += 1
            print(f"{name:<11} NOT MIGRATED  {check} (run `make migrate`)")
        elif check.ok:
            print(f"{name:<11} ok      {check.checked} entries verified")
        else:
            broken += 1
            print(f"{name:<11} BROKEN  first broken link at audit_log.id = {check.first_broken_id} "
                  f"(after {check.checked - 1} good entries)")
    return 1 if broken else (2 if unmigrated else 0)


def main() -> int:
    urls = service_urls_from_env()
    if urls is not None:
        return report(verify_all(urls))
    with embedded_server() as server:
        return report(verify_all(per_service_databases(server)))


if __name__ == "__main__":
    sys.exit(main())

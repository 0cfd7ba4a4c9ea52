"""Database: an async engine and its session factory, built in ``lifespan``;
schemas with a naming convention; common columns. Use cases receive a
session and never commit: the edge does (``kernel.web.deps.SessionDep``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import DateTime, MetaData, func, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Mapped, mapped_column

from kernel.auth.principal import DataScope
from kernel.settings import ServiceSettings

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata(schema: str) -> MetaData:
    """Each service's tables live in its own schema, with named constraints."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                    default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                    default=utcnow, onupdate=utcnow, index=True)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


@dataclass
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def make_engine(url: str, settings: ServiceSettings | None = None) -> AsyncEngine:
    s = settings
    connect_args: dict[str, object] = {"server_settings": {"timezone": "UTC"}}
    if s is not None:
        connect_args["server_settings"] = {
            "timezone": "UTC",
            "application_name": s.service_name,
            "statement_timeout": str(s.db_statement_timeout_ms),
        }
        connect_args["timeout"] = s.db_pool_timeout_s
        if s.db_role:
            # Work as the service's application role: it does not own the tables, so
            # row-level security applies to it (see kernel.db.migrations.create_app_role).
            connect_args["server_settings"]["role"] = s.db_role  # type: ignore[index]
    return create_async_engine(
        url,
        pool_size=s.db_pool_size if s else 5,
        max_overflow=s.db_max_overflow if s else 5,
        pool_timeout=s.db_pool_timeout_s if s else 5.0,
        # No pre-ping (a round trip per request): a broken connection fails its request
        # with a 503 and is discarded by the pool; old ones are recycled.
        pool_recycle=1800,
        connect_args=connect_args,
    )


def make_database(settings: ServiceSettings) -> Database:
    engine = make_engine(settings.require_database_url(), settings)
    return Database(engine=engine, sessionmaker=async_sessionmaker(engine, expire_on_commit=False))


async def apply_scope(session: AsyncSession, scope: DataScope) -> None:
    """Tell row-level security whose request this transaction serves (``set_config``
    local to the transaction)."""
    await session.execute(
        text("SELECT set_config('anju.scope_all', :a, true), set_config('anju.scope_region', :r, true), "
             "set_config('anju.scope_projects', :p, true)"),
        _scope_values(scope),
    )


_SCOPE_KEY = "anju_scope"


def _scope_values(scope: DataScope) -> dict[str, str]:
    projects = ",".join(sorted(str(p) for p in scope.project_ids or ()))
    return {"a": "on" if scope.unrestricted else "off", "r": scope.region_prefix or "", "p": projects}


async def bind_scope(session: AsyncSession, scope: DataScope) -> Callable[[], None] | None:
    """The request's scope for row-level security, set on the connection (session level)
    and remembered there, so a pooled connection already serving this scope needs no
    extra statement. Returns what to call once the transaction has committed (None when
    nothing was set). The mark is cleared before setting and written only after the
    commit: a rolled-back ``set_config`` reverts, and the mark never claims a value the
    connection does not hold."""
    values = _scope_values(scope)
    key = (values["a"], values["r"], values["p"])
    conn = await session.connection()
    info = conn.info
    if info.get(_SCOPE_KEY) == key:
        return None
    info.pop(_SCOPE_KEY, None)
    await session.execute(
        text("SELECT set_config('anju.scope_all', :a, false), set_config('anju.scope_region', :r, false), "
             "set_config('anju.scope_projects', :p, false)"), values)

    def committed() -> None:
        info[_SCOPE_KEY] = key

    return committed

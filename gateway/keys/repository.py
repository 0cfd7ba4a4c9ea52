"""Queries of the token-signing keys."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select, text

from gateway.keys.models import SigningKeyRecord
from kernel.db.repository import Repository


class SigningKeyRepository(Repository[SigningKeyRecord]):
    model = SigningKeyRecord

    async def lock(self) -> None:
        """Serialize key creation and rotation across replicas (transaction-scoped)."""
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('gateway.signing_key'))"))

    async def current(self) -> SigningKeyRecord | None:
        stmt = select(SigningKeyRecord).where(SigningKeyRecord.state == "current")
        return (await self.session.scalars(stmt)).first()

    async def next(self) -> SigningKeyRecord | None:
        stmt = select(SigningKeyRecord).where(SigningKeyRecord.state == "next")
        return (await self.session.scalars(stmt)).first()

    async def published(self, retired_after: dt.datetime) -> list[SigningKeyRecord]:
        """The current and the next key, and the keys retired after ``retired_after``."""
        stmt = (select(SigningKeyRecord)
                .where(or_(SigningKeyRecord.state != "retired", SigningKeyRecord.retired_at > retired_after))
                .order_by(SigningKeyRecord.created_at.desc(), SigningKeyRecord.kid))
        return list((await self.session.scalars(stmt)).all())

    async def all(self, limit: int = 200) -> list[SigningKeyRecord]:
        stmt = select(SigningKeyRecord).order_by(SigningKeyRecord.created_at.desc(), SigningKeyRecord.kid).limit(limit)
        return list((await self.session.scalars(stmt)).all())

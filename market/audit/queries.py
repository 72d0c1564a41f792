from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from market.audit.models import AuditEntry
from market.extensions import db


def recent_entries(limit: int = 10) -> list[AuditEntry]:
    stmt = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def search_entries(*, object_type: str | None = None, object_id: int | None = None, actor_id: int | None = None,
                   since: datetime | None = None, until: datetime | None = None, page: int = 1, per_page: int = 50):
    """Audit entries, newest first, filtered; every entry counts, whoever made it."""
    stmt = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc())
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def object_types() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)))

"""Reads of the audit log for the city office's pages: entries filtered and paged, in words (`display`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from market.audit import labels as registry
from market.audit.display import ShownEntry, describe
from market.audit.models import AuditEntry
from market.extensions import db


def _with_people(stmt):
    return stmt.options(joinedload(AuditEntry.actor), joinedload(AuditEntry.actor_organisation))


def recent_entries(limit: int = 10) -> list[ShownEntry]:
    """The latest entries, in words (the city office's home page)."""
    stmt = _with_people(select(AuditEntry)).order_by(AuditEntry.id.desc()).limit(limit)
    return describe(list(db.session.scalars(stmt)))


def search_entries(*, object_type: str | None = None, object_id: int | None = None, actor_id: int | None = None,
                   organisation_id: int | None = None, since: datetime | None = None,
                   until: datetime | None = None, page: int = 1, per_page: int = 50):
    """Audit entries, newest first, filtered; every entry counts, whoever made it. `organisation_id` keeps what
    that organisation's people did and what was done to the organisation itself. The page's entries, in words,
    are in `.shown`."""
    stmt = _with_people(select(AuditEntry)).order_by(AuditEntry.id.desc())
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if organisation_id is not None:
        stmt = stmt.where(or_(AuditEntry.actor_organisation_id == organisation_id,
                              and_(AuditEntry.object_type == "organisations",
                                   AuditEntry.object_id == organisation_id)))
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    pagination.shown = describe(pagination.items)
    return pagination


def object_types() -> list[tuple[str, str]]:
    """(object type, its kind in words) of every kind in the log, by the words."""
    types = db.session.scalars(select(AuditEntry.object_type).distinct())
    return sorted(((t, registry.kind_label(t)) for t in types), key=lambda pair: pair[1])


def acting_organisation_ids():
    """A subquery of the ids of organisations the log names: whose people acted, or that were changed."""
    return select(AuditEntry.actor_organisation_id).where(AuditEntry.actor_organisation_id.is_not(None)).union(
        select(AuditEntry.object_id).where(AuditEntry.object_type == "organisations",
                                           AuditEntry.object_id.is_not(None)))

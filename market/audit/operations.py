"""Every flush writes audit entries for models that name `__audit_fields__`, so no write path can forget it.

Entries are inserted on the flush's own connection: they commit or roll back with the change they describe.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask import g, has_request_context, request
from sqlalchemy import event, inspect, insert
from sqlalchemy.orm import Session

from market.audit.models import AuditEntry
from market.types import utcnow


def _plain(value):
    """A JSON-safe form of a column value (Decimal and dates as strings, enums by value)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _actor() -> tuple[int | None, int | None, str | None]:
    if not has_request_context():
        return None, None, None
    # Only use a user Flask-Login already loaded: loading one here would query inside a flush.
    user = g.get("_login_user")
    ip = request.remote_addr
    if user is None or not getattr(user, "is_authenticated", False):
        return None, None, ip
    return user.id, user.organisation_id, ip


def _changes(obj, fields, *, created: bool) -> dict:
    state = inspect(obj)
    changes = {}
    for name in fields:
        hist = state.attrs[name].history
        if created:
            value = getattr(obj, name)
            if value is not None:
                changes[name] = [None, _plain(value)]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                changes[name] = [_plain(old), _plain(new)]
    return changes


def _write(session: Session, flush_context) -> None:
    # after_flush still sees the pre-flush new/dirty/deleted sets and attribute history, and by now new rows
    # have their ids and foreign keys.
    pending = []
    for obj in session.new:
        fields = getattr(obj, "__audit_fields__", None)
        if fields:
            pending.append((obj, "create", _changes(obj, fields, created=True)))
    for obj in session.dirty:
        fields = getattr(obj, "__audit_fields__", None)
        if fields and session.is_modified(obj, include_collections=False):
            changes = _changes(obj, fields, created=False)
            if changes:
                pending.append((obj, "update", changes))
    for obj in session.deleted:
        if getattr(obj, "__audit_fields__", None):
            pending.append((obj, "delete", {}))
    now = utcnow()
    # A new row has its id by now, but not yet its identity key (that comes after the flush).
    rows = [entry_row(f"{obj.__tablename__}.{verb}", obj.__tablename__,
                      inspect(obj).mapper.primary_key_from_instance(obj)[0], changes, at=now)
            for obj, verb, changes in pending]
    insert_entries(session, rows)


def entry_row(action: str, object_type: str, object_id: int | None, changes: dict | None = None, *,
              at: datetime | None = None) -> dict:
    """One audit entry as a row to insert, with who acted and from where (the request's, if any)."""
    actor_id, actor_org_id, ip = _actor()
    return {"at": at or utcnow(), "actor_id": actor_id, "actor_organisation_id": actor_org_id, "action": action,
            "object_type": object_type, "object_id": object_id, "changes": changes or {}, "ip_address": ip}


def creation_row(obj) -> dict:
    """The audit entry a flush would write for `obj`'s creation, for a writer that inserts rows without the
    unit of work (multi-row INSERT … RETURNING): the same action and changes."""
    return entry_row(f"{obj.__tablename__}.create", obj.__tablename__, obj.id,
                     _changes(obj, obj.__audit_fields__, created=True))


def insert_entries(session: Session, rows: list[dict]) -> None:
    """Audit entries (from `entry_row`) in one multi-row INSERT, in the session's transaction."""
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


def record(session: Session, action: str, obj, changes: dict | None = None) -> None:
    """Record an event that is not a column change (a password reset, a sign-in as someone else)."""
    row = entry_row(action, obj.__tablename__, obj.id, changes)
    del row["at"]  # the column's default: the moment of the flush
    session.add(AuditEntry(**row))


def install() -> None:
    if not event.contains(Session, "after_flush", _write):
        event.listen(Session, "after_flush", _write)

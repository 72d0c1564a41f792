"""Changing an object's state exactly once, whatever the number of simultaneous requests.

Every state change of an order, payment, agreement, pledge or listing goes through `change_state`: one
conditional UPDATE (`… SET status = :new WHERE id = :id AND status IN (:expected)`). On PostgreSQL a second
request waits on the first one's row lock and then finds the status changed; on SQLite writers take turns. Only
the request whose UPDATE changed the row goes on to the side effects (stock through the ledger, counted totals,
messages); the others get `StateConflict`, which the API answers with 409 and the pages with a message.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from market.rules import RuleError
from market.audit.operations import _plain, record
from market.extensions import db


class StateConflict(RuleError):
    """Someone else changed the object's state first (or it was never in an expected state); nothing changed."""

    def __init__(self, message: str | None = None, field: str | None = None):
        super().__init__(message or _("Someone else changed this in the meantime. Reload the page to see it now."),
                         field)


def change_state(obj, expected: Iterable, new, *, column: str = "status", message: str | None = None,
                 **values) -> None:
    """Move `obj` from one of the `expected` states to `new` (setting `values` in the same statement), or raise
    `StateConflict` (nothing changed) when its row is no longer in an expected state.

    Pending changes of the session are flushed first (autoflush), so the statement sees them. The object in the
    session is updated to what was written, without a second UPDATE. The audited fields it changed get their
    audit entry here, since the flush that writes audit entries never sees this statement.
    """
    model = type(obj)
    state_column = getattr(model, column)
    expected = tuple(expected)
    audited = getattr(obj, "__audit_fields__", ())
    before = {key: getattr(obj, key) for key in (column, *values) if key in audited}
    statement = (
        update(model)
        .where(model.id == obj.id, state_column.in_(expected))
        .values({column: new, **values})
        .execution_options(synchronize_session=False)
    )
    result = db.session.execute(statement)
    if result.rowcount != 1:
        raise StateConflict(message)
    for key, value in {column: new, **values}.items():
        set_committed_value(obj, key, value)
    _audit(obj, before, {column: new, **values})


def _audit(obj, before: dict, after: dict) -> None:
    """The audit entry the flush would have written for these columns (a Core UPDATE bypasses the flush)."""
    changes = {key: [_plain(old), _plain(after[key])] for key, old in before.items() if old != after[key]}
    if changes:
        record(db.session, f"{obj.__tablename__}.update", obj, changes)

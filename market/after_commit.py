"""Work that may only happen once a change is committed (a message sent, a refund submitted to the bank).

An operation queues it under a key while it writes; the queue moves to "committed" when the session commits
and is dropped when it rolls back, so nothing is ever sent for a change that did not happen. Whoever owns the
key takes the committed items after the request (an `after_app_request` hook) and does the work. (A rolled-back
savepoint keeps what was queued inside it; nothing here uses savepoints.)
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from market.extensions import db

_PENDING, _COMMITTED = "after_commit.pending", "after_commit.committed"


def queue(key: str, item) -> None:
    """Do the work for `item` once the current transaction has committed (never if it rolls back)."""
    db.session.info.setdefault(_PENDING, {}).setdefault(key, []).append(item)


def committed(key: str) -> bool:
    """Whether committed work is waiting under `key`."""
    return bool(db.session.info.get(_COMMITTED, {}).get(key))


def take(key: str) -> list:
    """The items queued under `key` by transactions that have committed, removed from the queue."""
    return db.session.info.get(_COMMITTED, {}).pop(key, [])


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    pending = session.info.pop(_PENDING, None)
    for key, items in (pending or {}).items():
        session.info.setdefault(_COMMITTED, {}).setdefault(key, []).extend(items)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)

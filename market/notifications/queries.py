"""Reading a person's messages: the page of them, the unread count for the header, one message to open."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from market.accounts.models import User
from market.extensions import db
from market.notifications.models import Notification
from market.notifications.registry import needs_action, render


@dataclass(frozen=True)
class Shown:
    """A message as read: its text in the reader's language and where it leads."""

    id: int
    kind: str
    text: str
    link: str | None
    read: bool
    created_at: datetime
    needs_action: bool


def unread_count(user: User) -> int:
    """How many of the person's messages are unread (one statement; the header shows it)."""
    return db.session.scalar(select(func.count(Notification.id))
                             .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))) or 0


def messages_for(user: User, *, page: int, per_page: int):
    """The person's messages, newest first, paginated."""
    stmt = (select(Notification).where(Notification.recipient_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def own_message(user: User, notification_id: int) -> Notification | None:
    """The person's message of that id (None for another's: it is answered as missing)."""
    return db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.recipient_id == user.id))


def link_of(notification: Notification, *, build=url_for) -> str | None:
    """Where the message leads (a relative URL; `build` may make it absolute for e-mail)."""
    if notification.link_endpoint:
        try:
            return build(notification.link_endpoint, **json.loads(notification.link_args or "{}"))
        except (BuildError, ValueError):
            return None
    return notification.link_path


def text_of(notification: Notification) -> str:
    return render(notification.kind, json.loads(notification.params or "{}"))


def shown(notification: Notification) -> Shown:
    return Shown(id=notification.id, kind=notification.kind, text=text_of(notification),
                 link=link_of(notification), read=notification.read_at is not None,
                 created_at=notification.created_at, needs_action=needs_action(notification.kind))

"""Sending the outbox: each pending message's e-mail, in its reader's language, per the reader's preference.

Run after the commits that wrote the messages (`flask --app market notifications deliver`, from cron or with
`--watch`). A message is marked sent only after its mail was handed over, so a crash between the two sends it
again rather than never (at least once); a mail server that refuses leaves it pending for the next run."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from market.accounts.models import MailPreference, User
from market.extensions import db
from market.links import external_url
from market.notifications.models import MailState, Notification
from market.notifications.queries import link_of, text_of
from market.notifications.registry import needs_action
from market.notify import send_mail
from market.types import utcnow

log = logging.getLogger("market.notifications")

BATCH = 200


def wanted(preference: MailPreference | None, kind: str) -> bool:
    """Whether a person with this preference gets an e-mail of this kind."""
    if preference == MailPreference.NONE:
        return False
    if preference == MailPreference.ACTION:
        return needs_action(kind)
    return True


def mail_of(notification: Notification) -> tuple[str, str]:
    """(subject, body) of the message's e-mail, in the current language."""
    text = text_of(notification)
    link = link_of(notification, build=external_url)
    if link and link.startswith("/"):
        link = current_app.config["PUBLIC_URL"].rstrip("/") + link
    body = text + ("\n\n" + link if link else "") + "\n\n" + \
        _("Your messages: %(url)s", url=external_url("notifications.index"))
    return _("[Market] %(text)s", text=text[:120]), body


def deliver_pending(*, now: datetime | None = None, limit: int = BATCH) -> tuple[int, int]:
    """Send (or skip, per preference) up to `limit` pending e-mails, committing after each; returns (sent, skipped).

    The rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so two runs at once never send one twice."""
    stmt = (select(Notification, User).join(User, User.id == Notification.recipient_id)
            .where(Notification.mail_state == MailState.PENDING).order_by(Notification.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=Notification)
    sent = skipped = 0
    rows = db.session.execute(stmt).all()
    default_locale = current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_Hans_CN")
    for notification, user in rows:
        if not wanted(user.mail_preference, notification.kind) or not user.email:
            notification.mail_state = MailState.SKIPPED
            skipped += 1
            continue
        with force_locale(user.locale or default_locale):
            subject, body = mail_of(notification)
        handed = send_mail([user.email], subject, body)
        if not handed and current_app.config.get("MAIL_SERVER"):
            continue  # the server refused: stays pending for the next run
        notification.mail_state = MailState.SENT
        notification.mailed_at = now or utcnow()
        sent += 1
    db.session.commit()
    return sent, skipped

"""API tokens: issued on sign-in or on the settings page, stored hashed, revocable."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from market.accounts.models import User, hash_token
from market.accounts.operations import on_new_password
from market.api.models import ApiToken
from market.rules import RuleError
from market.extensions import db
from market.types import utcnow

SIGN_IN_TOKEN_DAYS = 30
TOKEN_PREFIX = "fsm_"


def issue_token(user: User, name: str, *, expires_in: timedelta | None = None) -> tuple[ApiToken, str]:
    """A new token for the user; returns the row and the raw token (shown once, never stored)."""
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise RuleError(_("Give the token a name of at most 80 characters."), "name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(raw), prefix=raw[:12],
                     expires_at=utcnow() + expires_in if expires_in else None)
    db.session.add(token)
    db.session.flush()
    return token, raw


def user_for_token(raw: str, now: datetime | None = None) -> User | None:
    """The active user a live token belongs to, or None."""
    now = now or utcnow()
    token = db.session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user).joinedload(User.organisation))
        .where(ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None))
    )
    if token is None or (token.expires_at is not None and token.expires_at <= now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now  # coarse, so reads do not write on every request
    return token.user


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


@on_new_password
def revoke_tokens_of(user: User) -> None:
    """Every live token of the person ends: a new password (own change or reset) ends what the old one gave."""
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))

"""API tokens: issued on sign-in (POST /api/v1/tokens) or on the settings page, stored hashed, revocable.

A token acts as its person, with the rights of the person's organisation. It ends when it expires, when it is
revoked, or when the person's password changes or is reset (`revoke_tokens_of`, called by
`accounts.operations`). Writes flush, never commit: the request commits."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from market.accounts.models import ApiToken, User, hash_token
from market.extensions import db
from market.rules import RuleError
from market.types import utcnow

#: How long a token from signing in to the API lives; personal tokens from the settings page do not expire.
SIGN_IN_TOKEN_DAYS = 30
#: The name given to a token from signing in to the API.
SIGN_IN_TOKEN_NAME = "API sign-in"
TOKEN_PREFIX = "fsm_"
#: A token's last use is written at most this often (once a minute), so requests do not write it every time.
LAST_USE_PRECISION = timedelta(minutes=1)


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


def issue_sign_in_token(user: User) -> tuple[ApiToken, str]:
    """The token an API sign-in gets: it expires after SIGN_IN_TOKEN_DAYS."""
    return issue_token(user, SIGN_IN_TOKEN_NAME, expires_in=timedelta(days=SIGN_IN_TOKEN_DAYS))


def user_for_token(raw: str, now: datetime | None = None) -> User | None:
    """The active user a live token belongs to, or None. Records the token's last use (coarsely: see
    LAST_USE_PRECISION) with a conditional UPDATE in the request's transaction: its commit keeps it, on reads too,
    and an error answer rolls it back."""
    now = now or utcnow()
    token = db.session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user).joinedload(User.organisation))
        .where(ApiToken.token_hash == hash_token(raw), ApiToken.revoked_at.is_(None))
    )
    if token is None or (token.expires_at is not None and token.expires_at <= now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
        # Conditional, so concurrent requests with the same token write it once: the others find it fresh.
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token.id,
                   or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USE_PRECISION))
            .values(last_used_at=now).execution_options(synchronize_session=False))
        set_committed_value(token, "last_used_at", now)
    return token.user


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def revoke_tokens_of(user: User) -> None:
    """Every live token of the person ends: a new password (own change or reset) ends what the old one gave."""
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


def tokens_of(user: User) -> list[ApiToken]:
    """The person's tokens, live and ended, newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def own_token(user: User, token_id: int) -> ApiToken | None:
    """The person's token of this id, or None (another person's token is answered as a missing one)."""
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id else None

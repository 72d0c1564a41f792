"""Reads for the account pages."""

from __future__ import annotations

from market.accounts.models import User
from market.extensions import db


def person(user_id: int) -> User | None:
    """The person of this id, or None; whether the caller may see or change them is `permissions`' to say."""
    return db.session.get(User, user_id)

"""Writes for a unit's staff members: adding one (or a checked list of them) with a temporary password, and
deactivating or reactivating one. They flush, never commit: the request commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

from market.accounts import operations as accounts
from market.accounts.models import Organisation, Role, User
from market.extensions import db
from market.rules import RuleError
from market.staff.permissions import has_staff
from market.staff.rules import person_fields


@dataclass(frozen=True)
class Added:
    """A staff member just added, with the temporary password shown once to the manager (never stored)."""

    user: User
    temporary_password: str


#: How a temporary password is hashed. It is 72 random bits, which no stretching makes harder to guess, and the
#: person must replace it at first sign-in (hashed then at full strength): a list of 500 people is not 500 times
#: the strong hash's 0.3 s and 128 MB.
TEMPORARY_HASH_METHOD = "pbkdf2:sha256:1000"


def temporary_password() -> str:
    return secrets.token_urlsafe(9)


def add_staff_member(org: Organisation, data: dict) -> Added:
    """A staff member of `org` from name, e-mail, phone and department as typed; they sign in with a temporary
    password and choose their own at once. An e-mail already used on the site is refused beside its field."""
    if not has_staff(org):
        raise RuleError(_("Only buyers and firms have staff members."))
    return add_checked(org, person_fields(data))


def add_checked(org: Organisation, fields: dict, *, email_checked: bool = False) -> Added:
    """`add_staff_member` for fields already read by `person_fields` (an imported list's rows, whose e-mails
    were checked against the site together: `email_checked`; the column's unique constraint still holds). The
    audit log has the new person with the manager who added them (the flush's entry)."""
    if not email_checked and accounts.find_user(fields["email"]) is not None:
        raise accounts.AccountError(_("An account with this email already exists."), "email")
    password = temporary_password()
    user = User(organisation=org, role=Role.STAFF, must_change_password=True, active=True,
                password_hash=generate_password_hash(password, method=TEMPORARY_HASH_METHOD), **fields)
    db.session.add(user)
    db.session.flush()
    return Added(user, password)


def set_staff_active(person: User, active: bool) -> None:
    """Deactivate (signed out everywhere, cannot sign in) or reactivate a staff member; saying so twice is a
    clear refusal, not a second change."""
    if bool(person.active) == active:
        raise RuleError(_("%(name)s can already sign in.", name=person.name) if active
                        else _("%(name)s is already deactivated.", name=person.name))
    accounts.set_user_active(person, active)

"""The rules of a staff member's details, in one place: the add form, each row of an imported list and the join
form read them through `person_fields`, so a row of a file is refused for the same reasons as a typed form."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from market import rules
from market.accounts.operations import normalise_email
from market.rules import RuleError

NAME_LENGTH = 80
EMAIL_LENGTH = 254
DEPARTMENT_LENGTH = 80


def email(value, field: str = "email") -> str:
    """An e-mail address as people sign in with it (lower-cased); its form is checked, not its mailbox."""
    address = rules.text(value, EMAIL_LENGTH, field, required=_("Enter the e-mail address."))
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise RuleError(_("“%(email)s” is not a valid e-mail address.", email=address), field) from None
    return normalise_email(address)


def name(value) -> str:
    return rules.text(value, NAME_LENGTH, "name", required=_("Enter the name."))


def phone(value) -> str | None:
    return rules.phone(value, "phone")


def department(value) -> str | None:
    return rules.text(value, DEPARTMENT_LENGTH, "department")


#: The reader of each detail, in the order a form or a row names them.
READERS = {"name": name, "email": email, "phone": phone, "department": department}


def person_fields(data: dict) -> dict:
    """name, email, phone and department of a staff member, read and bounded; RuleError names the field."""
    return {key: read(data.get(key)) for key, read in READERS.items()}

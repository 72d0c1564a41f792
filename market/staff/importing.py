"""Importing a staff list: every row is checked first (its details, an e-mail repeated in the file or already
used on the site), and people are added only when every row is good, all of them in the request's one
transaction: a list with one bad row adds nobody."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from market.accounts.models import Organisation, User
from market.exports import csv_bytes
from market.extensions import db
from market.rules import RuleError
from market.staff import spreadsheet
from market.staff.operations import Added, add_checked
from market.staff.rules import READERS

@dataclass
class Row:
    """One row of the list as the preview shows it: what was in it, and each of its problems."""

    number: int
    cells: dict
    fields: dict | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What an import did: `error` for a file that could not be read; else every row, and `added` (the people
    with their temporary passwords) only when no row had a problem."""

    error: str | None = None
    rows: list[Row] = field(default_factory=list)
    added: list[Added] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return sum(1 for row in self.rows if row.problems)


def _cell_text(value) -> str | None:
    """A cell as text: a phone typed as a number (13804130000, read as 13804130000 or 13804130000.0) keeps its
    digits; a date is written as one."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _check(number: int, cells: dict) -> Row:
    """The row read field by field, so that it names all of its problems at once."""
    row = Row(number, {key: _cell_text(cells.get(key)) for key in READERS})
    fields = {}
    for key, read in READERS.items():
        try:
            fields[key] = read(row.cells[key])
        except RuleError as error:
            row.problems.append(error.message)
    row.fields = None if row.problems else fields
    return row


def check_list(data: bytes) -> Outcome:
    """Every row of the file with its problems; nothing is written."""
    try:
        found = spreadsheet.read_rows(data)
    except spreadsheet.SheetError as error:
        return Outcome(error=error.message)
    if not found:
        return Outcome(error=_("The list has no one in it below its header."))
    rows = [_check(number, cells) for number, cells in found]
    first_row: dict[str, int] = {}
    for row in rows:
        if row.fields is None:
            continue
        address = row.fields["email"]
        if address in first_row:
            row.problems.append(_("The e-mail %(email)s is also in row %(row)d.", email=address,
                                  row=first_row[address]))
        else:
            first_row[address] = row.number
    taken = set(db.session.scalars(select(User.email).where(User.email.in_(list(first_row)))))
    for row in rows:
        if row.fields is not None and row.fields["email"] in taken:
            row.problems.append(_("An account with the e-mail %(email)s already exists on the site.",
                                  email=row.fields["email"]))
    return Outcome(rows=rows)


def import_list(org: Organisation, data: bytes) -> Outcome:
    """Check the list, and add everyone on it only if no row has a problem."""
    outcome = check_list(data)
    if outcome.error is None and not outcome.problems:
        outcome.added = [add_checked(org, row.fields, email_checked=True) for row in outcome.rows]
    return outcome


def passwords_csv(added: list[Added]) -> bytes:
    """Name, e-mail and temporary password of the people just added, for the manager to hand out; made in the
    request that added them and never stored."""
    return csv_bytes([_("Name"), _("Email"), _("Department"), _("Temporary password")],
                     [[a.user.name, a.user.email, a.user.department, a.temporary_password] for a in added])

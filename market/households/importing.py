"""Importing a register file in the county's own layout: the file is kept on the server while the office says
which column is which, then read whole. The whole file or nothing: every cell is checked first, every error is
reported by row and column, and only then is anything written. A household already on the register (same county
and number) is updated, and only where something differs, so the same file twice changes nothing."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from market.extensions import db
from market.households import queries
from market.households.models import Household, HouseholdUpload
from market.households.operations import apply_fields, flush_register
from market.households.rules import read_fields
from market.households.xlsx import column_letter, read_table
from market.regions.models import County, Village
from market.rules import RuleError
from market.types import utcnow

#: How long an upload waits for its columns to be chosen.
UPLOAD_LIFETIME = timedelta(minutes=30)
MAX_ERRORS = 200
#: Bytes read from an upload: one past the limit, so a larger file is refused by its size (xlsx.MAX_FILE_BYTES).
MAX_UPLOAD_READ = 5 * 1024 * 1024 + 1
PREVIEW_ROWS = 5
#: What the office maps, and whether the import needs it.
FIELDS = {"household_number": (_l("Household number"), True), "head_name": (_l("Head of household"), True),
          "village": (_l("Village"), True), "members": (_l("Members"), True), "status": (_l("Status"), True),
          "year_lifted": (_l("Year lifted"), False), "phone": (_l("Phone"), False)}


@dataclass
class CellError:
    row: int | None
    column: str | None
    message: str


@dataclass
class Outcome:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def store_upload(county: County, data: bytes) -> str:
    """Check the file can be read (RuleError if not), keep it under a new random token, drop stale ones."""
    read_table(data)
    db.session.execute(delete(HouseholdUpload).where(HouseholdUpload.created_at < utcnow() - UPLOAD_LIFETIME))
    token = secrets.token_urlsafe(32)
    db.session.add(HouseholdUpload(token=token, county_id=county.id, data=data))
    db.session.flush()
    return token


def upload(county: County, token: str | None) -> HouseholdUpload:
    """The county's own upload under this token, if still fresh; anything else is gone."""
    found = None
    if isinstance(token, str) and 0 < len(token) <= 64:
        found = db.session.scalar(select(HouseholdUpload).where(
            HouseholdUpload.token == token, HouseholdUpload.county_id == county.id,
            HouseholdUpload.created_at >= utcnow() - UPLOAD_LIFETIME))
    if found is None:
        raise RuleError(_("The uploaded file has expired or was already imported. Upload it again."), "file")
    return found


def preview(stored: HouseholdUpload) -> dict:
    headers, body, ignored = read_table(stored.data)
    columns = [(index, f"{column_letter(index)}: {header}" if header else column_letter(index))
               for index, header in enumerate(headers) if header or any(cells[index] for _n, cells in body)]
    return {"columns": columns, "headers": headers, "rows": body[:PREVIEW_ROWS], "count": len(body),
            "ignored": ignored}


def _mapping(raw: dict, offered: set[int]) -> dict[str, int]:
    chosen: dict[str, int] = {}
    for key, (label, required) in FIELDS.items():
        value = raw.get(key) or ""
        if not value:
            if required:
                raise RuleError(_("Choose the column that holds: %(what)s.", what=label), key)
            continue
        if not (value.isascii() and value.isdigit() and len(value) <= 4 and int(value) in offered):
            raise RuleError(_("Choose one of the file's columns."), key)
        chosen[key] = int(value)
    if len(set(chosen.values())) != len(chosen):
        raise RuleError(_("Each column can hold only one thing: choose different columns."))
    return chosen


def _village_finder(county: County):
    villages = queries.villages_of(county.id)
    by_name: dict[str, list[Village]] = {}
    for village in villages:
        by_name.setdefault(village.name_zh, []).append(village)
        by_name.setdefault(village.township_zh + village.name_zh, []).append(village)
        by_name.setdefault(f"{village.township_zh} {village.name_zh}", []).append(village)

    def find(text: str) -> Village:
        matches = by_name.get(" ".join(text.split()), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise RuleError(_("Several villages of the county have this name: write the township and the village, "
                              "e.g. %(example)s.", example=matches[0].township_zh + matches[0].name_zh), "village")
        raise RuleError(_("No village of the county has this name: write it as the village list does (village, "
                          "or township and village)."), "village")

    return find


def _read_rows(county: County, body, chosen: dict[str, int]) -> tuple[list[tuple[dict, int]], list[CellError]]:
    find_village = _village_finder(county)
    rows, errors, seen = [], [], {}
    for number, cells in body:
        data = {key: cells[index] for key, index in chosen.items()}
        fields, row_errors = read_fields(data)
        try:
            fields["village_id"] = find_village(data["village"]).id
        except RuleError as error:
            row_errors.append(error)
        errors.extend(CellError(number, _column(error.field if error.field in chosen else None, chosen),
                                error.message) for error in row_errors)
        if not row_errors:
            first = seen.setdefault(fields["household_number"], number)
            if first != number:
                errors.append(CellError(number, _column("household_number", chosen), _(
                    "The household number is already on row %(row)d of the file.", row=first)))
            else:
                rows.append((fields, number))
        if len(errors) >= MAX_ERRORS:
            errors.append(CellError(None, None, _("More errors follow; correct these first.")))
            break
    return rows, errors


def _column(key: str | None, chosen: dict[str, int]) -> str | None:
    if key is None:
        return None
    return f"{column_letter(chosen[key])} ({FIELDS[key][0]})"


def import_upload(county: County, token: str | None, raw_mapping: dict) -> tuple[Outcome | None, list[CellError]]:
    """(what changed, no errors), or (None, every error) with nothing written."""
    stored = upload(county, token)
    headers, body, _ignored = read_table(stored.data)
    offered = {index for index, header in enumerate(headers) if header or any(cells[index] for _n, cells in body)}
    chosen = _mapping(raw_mapping, offered)
    rows, errors = _read_rows(county, body, chosen)
    if errors:
        return None, errors
    existing = queries.by_numbers(county.id, [fields["household_number"] for fields, _n in rows])
    outcome = Outcome()
    for fields, _number in rows:
        household = existing.get(fields["household_number"])
        if household is None:
            db.session.add(Household(county_id=county.id, **fields))
            outcome.added += 1
        elif apply_fields(household, fields):
            outcome.updated += 1
        else:
            outcome.unchanged += 1
    db.session.delete(stored)
    flush_register()
    return outcome, []

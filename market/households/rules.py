"""What a household is made of, read through the bounded readers (market/rules.py, market/numbers.py); the
form, the import and the API share these limits and messages."""

from __future__ import annotations

from flask_babel import gettext as _

from market import rules
from market.households.models import HouseholdStatus
from market.i18n import local_today
from market.numbers import MIN_YEAR, whole_number
from market.rules import RuleError

LIMITS = {"household_number": 30, "head_name": 60}
MAX_MEMBERS = 30

#: Words a register or a person writes for each status (the Chinese labels first), compared lower-cased.
STATUS_WORDS: dict[str, HouseholdStatus] = {
    "未脱贫": HouseholdStatus.IN_POVERTY, "贫困": HouseholdStatus.IN_POVERTY, "in poverty": HouseholdStatus.IN_POVERTY,
    "已脱贫": HouseholdStatus.LIFTED, "脱贫": HouseholdStatus.LIFTED, "lifted": HouseholdStatus.LIFTED,
    "lifted out": HouseholdStatus.LIFTED,
    "监测户": HouseholdStatus.MONITORED, "监测": HouseholdStatus.MONITORED, "monitored": HouseholdStatus.MONITORED,
    "monitored for relapse": HouseholdStatus.MONITORED, "in_poverty": HouseholdStatus.IN_POVERTY,
}


def status(value) -> HouseholdStatus:
    if isinstance(value, HouseholdStatus):
        return value
    word = str(value or "").strip().lower()
    if word not in STATUS_WORDS:
        raise RuleError(_("Status must be one of 未脱贫 (in poverty), 已脱贫 (lifted out), 监测户 (monitored)."),
                        "status")
    return STATUS_WORDS[word]


def members(value) -> int:
    number = whole_number(value.strip() if isinstance(value, str) else value, minimum=1, maximum=MAX_MEMBERS)
    if number is None:
        raise RuleError(_("Members must be a whole number from 1 to %(max)d.", max=MAX_MEMBERS), "members")
    return number


def year_lifted(value, household_status: HouseholdStatus) -> int | None:
    blank = value is None or (isinstance(value, str) and not value.strip())
    if household_status != HouseholdStatus.LIFTED:
        if not blank:
            raise RuleError(_("Only a household lifted out of poverty has a year lifted."), "year_lifted")
        return None
    if blank:
        raise RuleError(_("Enter the year the household was lifted out of poverty."), "year_lifted")
    this_year = local_today().year
    year = whole_number(value.strip() if isinstance(value, str) else value, minimum=MIN_YEAR, maximum=this_year)
    if year is None:
        raise RuleError(_("The year lifted must be a year from %(first)d to %(last)d.", first=MIN_YEAR,
                          last=this_year), "year_lifted")
    return year


def household_fields(data: dict) -> dict:
    """household_number, head_name, members, status, year_lifted, phone, clean; RuleError names the (first bad)
    field. The village is checked by the operation, which knows the county."""
    fields, errors = read_fields(data)
    if errors:
        raise errors[0]
    return fields


def read_fields(data: dict) -> tuple[dict, list[RuleError]]:
    """Every field read, and every field's error (an import reports all of a row's bad cells at once)."""
    readers = {
        "household_number": lambda: rules.text(data.get("household_number"), LIMITS["household_number"],
                                               "household_number", required=_("Enter the household number.")),
        "head_name": lambda: rules.text(data.get("head_name"), LIMITS["head_name"], "head_name",
                                        required=_("Enter the head of household's name.")),
        "members": lambda: members(data.get("members")),
        "status": lambda: status(data.get("status")),
        "year_lifted": lambda: year_lifted(data.get("year_lifted"), fields["status"]),
        "phone": lambda: rules.phone(data.get("phone"), "phone"),
    }
    fields, errors = {}, []
    for name, read in readers.items():
        if name == "year_lifted" and "status" not in fields:
            continue  # the year depends on a status that could not be read
        try:
            fields[name] = read()
        except RuleError as error:
            errors.append(error)
    return fields, errors

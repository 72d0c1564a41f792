"""Keeping the register: add, change, and the audited look at a household's personal data. Pages, the import
and the API call these; they flush, never commit."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from market.audit.operations import record
from market.extensions import db
from market.households.models import Household
from market.households.rules import household_fields
from market.numbers import whole_number
from market.regions.models import County, Village
from market.rules import RuleError


def county_village(county: County, village_id) -> Village:
    """One of the county's own villages, by id; another county's is refused like one that does not exist."""
    number = whole_number(village_id)
    village = db.session.get(Village, number) if number is not None else None
    if village is None or village.county_id != county.id:
        raise RuleError(_("Choose one of the county's villages."), "village_id")
    return village


def _number_taken(county: County, number: str, household_id: int | None) -> bool:
    stmt = select(Household.id).where(Household.county_id == county.id, Household.household_number == number)
    found = db.session.scalar(stmt)
    return found is not None and found != household_id


def add_household(county: County, data: dict) -> Household:
    fields = household_fields(data)
    village = county_village(county, data.get("village_id"))
    if _number_taken(county, fields["household_number"], None):
        raise RuleError(_("The county already has a household with this number."), "household_number")
    household = Household(county_id=county.id, village_id=village.id, **fields)
    db.session.add(household)
    flush_register()
    return household


def flush_register() -> None:
    """Flush; a household number taken meanwhile by another request (the unique constraint decides, not the
    check before) is a clear refusal, not a 500."""
    try:
        db.session.flush()
    except IntegrityError:
        raise RuleError(_("The register was changed at the same time by someone else. Try again."),
                        "household_number") from None


def edit_household(household: Household, data: dict) -> None:
    fields = household_fields(data)
    fields["village_id"] = county_village(household.county, data.get("village_id")).id
    if _number_taken(household.county, fields["household_number"], household.id):
        raise RuleError(_("The county already has a household with this number."), "household_number")
    apply_fields(household, fields)
    flush_register()


def apply_fields(household: Household, fields: dict) -> bool:
    """Set only what differs, so an unchanged household writes no update and no audit entry; True if changed."""
    changed = False
    for name, value in fields.items():
        if getattr(household, name) != value:
            setattr(household, name, value)
            changed = True
    return changed


def reveal(household: Household) -> None:
    """Someone is shown the household's full name and phone: the audit log says who and when."""
    record(db.session, "households.reveal", household, {"household_number": [None, household.household_number]})
    db.session.flush()

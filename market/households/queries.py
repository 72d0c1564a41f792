"""Reading the register: lists for the county office and the city office, counts per status."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from market.extensions import db
from market.households.models import Household, HouseholdStatus
from market.numbers import whole_number
from market.regions.models import County, Village


def household(household_id: int) -> Household | None:
    """Any household (whether the person may see it is the permission rule)."""
    return db.session.scalar(select(Household).options(joinedload(Household.village), joinedload(Household.county))
                             .where(Household.id == household_id))


def _filtered(county_id: int | None, village_id: int | None, status: HouseholdStatus | None):
    stmt = select(Household)
    if county_id is not None:
        stmt = stmt.where(Household.county_id == county_id)
    if village_id is not None:
        stmt = stmt.where(Household.village_id == village_id)
    if status is not None:
        stmt = stmt.where(Household.status == status)
    return stmt


def households(county_id: int | None, *, village_id: int | None = None, status: HouseholdStatus | None = None,
               page: int = 1, per_page: int = 50):
    """One page of households, by county, village and number; `county_id` None is every county (the city)."""
    stmt = (_filtered(county_id, village_id, status)
            .options(joinedload(Household.village), joinedload(Household.county))
            .order_by(Household.county_id, Household.village_id, Household.household_number, Household.id))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def counts_by_status(county_id: int | None, village_id: int | None = None) -> dict[HouseholdStatus, int]:
    """Households per status (every status present, zero if none), in the county (or every county)."""
    stmt = _filtered(county_id, village_id, None).with_only_columns(Household.status, func.count(Household.id))
    counts = dict(db.session.execute(stmt.group_by(Household.status)).all())
    return {status: counts.get(status, 0) for status in HouseholdStatus}


def villages_of(county_id: int) -> list[Village]:
    return list(db.session.scalars(select(Village).where(Village.county_id == county_id)
                                   .order_by(Village.township_zh, Village.name_zh)))


def village_by_id_or_code(county_id: int | None, value: str) -> Village | None:
    """A village named by its id or its code (within the county when one is given)."""
    stmt = select(Village)
    if county_id is not None:
        stmt = stmt.where(Village.county_id == county_id)
    number = whole_number(value)
    if number is not None:
        return db.session.scalar(stmt.where(Village.id == number))
    return db.session.scalars(stmt.where(Village.code == value).order_by(Village.id)).first()


def counties() -> list[County]:
    return list(db.session.scalars(select(County).order_by(County.sort_order, County.id)))


def by_numbers(county_id: int, numbers: list[str]) -> dict[str, Household]:
    """The county's households with these numbers, by number (a re-import updates them)."""
    found = {}
    for start in range(0, len(numbers), 500):
        chunk = numbers[start:start + 500]
        for item in db.session.scalars(select(Household).where(Household.county_id == county_id,
                                                                Household.household_number.in_(chunk))):
            found[item.household_number] = item
    return found

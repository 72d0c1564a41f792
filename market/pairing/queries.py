"""Which county or village a buyer is paired with on a given day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from market.accounts.models import BuyerSystem, BuyerType, Organisation, OrgKind
from market.extensions import db
from market.i18n import local_today
from market.pairing.models import SystemPairing, VillagePairing
from market.regions.models import County, Village


def today() -> date:
    return local_today()


def paired_county(system: BuyerSystem | None, on: date | None = None) -> County | None:
    """The county a system is paired with on `on` (the latest pairing that has started), or None."""
    if system is None or system == BuyerSystem.OTHER:
        return None
    return db.session.scalar(select(County).where(County.id == _paired_county_id(system, on or today())))


def _paired_county_id(system: BuyerSystem, on: date):
    return (select(SystemPairing.county_id)
            .where(SystemPairing.system == system, SystemPairing.valid_from <= on)
            .order_by(SystemPairing.valid_from.desc())
            .limit(1)
            .scalar_subquery())


def county_id_for_buyer(org: Organisation, on: date):
    """`county_for_buyer` as a scalar subquery of the county's id, to read along with something else in one
    statement (placing an order); None when the organisation can have no paired county at all."""
    if org.kind != OrgKind.BUYER or org.buyer_system is None or org.buyer_system == BuyerSystem.OTHER:
        return None
    return _paired_county_id(org.buyer_system, on)


def paired_village(buyer: Organisation, on: date | None = None) -> Village | None:
    on = on or today()
    stmt = (
        select(Village)
        .join(VillagePairing, VillagePairing.village_id == Village.id)
        .where(VillagePairing.buyer_id == buyer.id, VillagePairing.valid_from <= on)
        .order_by(VillagePairing.valid_from.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def county_for_buyer(org: Organisation, on: date | None = None) -> County | None:
    if org.kind != OrgKind.BUYER:
        return None
    return paired_county(org.buyer_system, on)


def current_system_pairings(on: date | None = None) -> list[tuple[BuyerSystem, County]]:
    """Each system with the county it is paired with on `on`, in the order of BuyerSystem."""
    on = on or today()
    rows = db.session.execute(
        select(SystemPairing.system, SystemPairing.valid_from, County)
        .join(County, SystemPairing.county_id == County.id)
        .where(SystemPairing.valid_from <= on)
        .order_by(SystemPairing.valid_from)
    ).all()
    latest: dict[BuyerSystem, County] = {}
    for system, _valid_from, county in rows:
        latest[system] = county  # later rows win
    return [(system, latest[system]) for system in BuyerSystem if system in latest]


def systems_paired_with(county: County, on: date | None = None) -> list[BuyerSystem]:
    return [system for system, c in current_system_pairings(on) if c.id == county.id]


def system_pairing_history() -> list[SystemPairing]:
    """Every system pairing, newest start first (the current one per system is the latest started)."""
    return list(db.session.scalars(select(SystemPairing).options(joinedload(SystemPairing.county))
                                   .order_by(SystemPairing.system, SystemPairing.valid_from.desc())))


def village_pairing_history() -> list[VillagePairing]:
    return list(db.session.scalars(
        select(VillagePairing).options(joinedload(VillagePairing.buyer),
                                       joinedload(VillagePairing.village).joinedload(Village.county))
        .order_by(VillagePairing.buyer_id, VillagePairing.valid_from.desc())))


def village_units() -> list[Organisation]:
    """The village-stationed units (驻村扶贫单位), by name: those a village pairing is for."""
    return list(db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.BUYER,
                                                              Organisation.buyer_type == BuyerType.VILLAGE_UNIT)
                                   .order_by(Organisation.name)))

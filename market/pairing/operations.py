"""Pairings are added, never overwritten: a new row with a later start date supersedes the old one."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from market.accounts.models import BuyerSystem, BuyerType, Organisation, OrgKind
from market.rules import RuleError
from market.extensions import db
from market.pairing.models import SystemPairing, VillagePairing
from market.regions.models import County, Village


def add_system_pairing(system: BuyerSystem, county: County, valid_from: date, note: str | None) -> SystemPairing:
    if system == BuyerSystem.OTHER:
        raise RuleError(_("Schools, hospitals and firms have no paired county."), "system")
    if db.session.scalar(select(SystemPairing).where(SystemPairing.system == system,
                                                     SystemPairing.valid_from == valid_from)):
        raise RuleError(_("This system already has a pairing from that date."), "valid_from")
    pairing = SystemPairing(system=system, county=county, valid_from=valid_from, note=(note or "").strip() or None)
    db.session.add(pairing)
    db.session.flush()
    return pairing


def add_village_pairing(buyer: Organisation, village: Village, valid_from: date, note: str | None) -> VillagePairing:
    if buyer.kind != OrgKind.BUYER or buyer.buyer_type != BuyerType.VILLAGE_UNIT:
        raise RuleError(_("Only a village-stationed unit is paired with a village."), "buyer")
    if db.session.scalar(select(VillagePairing).where(VillagePairing.buyer_id == buyer.id,
                                                      VillagePairing.valid_from == valid_from)):
        raise RuleError(_("This unit already has a pairing from that date."), "valid_from")
    pairing = VillagePairing(buyer=buyer, village=village, valid_from=valid_from, note=(note or "").strip() or None)
    db.session.add(pairing)
    db.session.flush()
    return pairing


def post_demand(user, *, product_name, category, quantity, unit, wanted_by, expected_price, delivery_place, note):
    """A buyer's demand post; quantities, prices and dates by the same rules as everywhere."""
    from market import rules
    from market.catalog.models import Category, Unit
    from market.i18n import local_today
    from market.pairing.models import Demand

    org = user.organisation
    if org.kind not in (OrgKind.BUYER, OrgKind.FIRM) or not org.is_active:
        raise RuleError(_("Only approved canteens, budget units and firms post demands."))
    name = (product_name or "").strip() or None
    if not name and not category:
        raise RuleError(_("Say what you want: a product name, a category, or both."), "product_name")
    qty = rules.quantity(quantity)
    price = rules.price(expected_price) if expected_price not in (None, "") else None
    if wanted_by is None or wanted_by < local_today():
        raise RuleError(_("The wanted-by date cannot be in the past."), "wanted_by")
    place = (delivery_place or "").strip()
    if not place:
        raise RuleError(_("Enter the delivery place."), "delivery_place")
    demand = Demand(buyer_id=org.id, product_name=name, category=Category(category) if category else None,
                    quantity=qty, unit=Unit(unit), wanted_by=wanted_by, expected_price=price,
                    delivery_place=place[:300], note=(note or "").strip()[:500] or None, created_by_id=user.id)
    db.session.add(demand)
    db.session.flush()
    return demand


def close_demand(demand) -> None:
    from market.pairing.models import DemandStatus

    demand.status = DemandStatus.CLOSED
    db.session.flush()

"""Pairings are added, never overwritten: a new row with a later start date supersedes the old one."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from market.accounts.models import BuyerSystem, BuyerType, Organisation, OrgKind
from market.catalog.rules import RuleError
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

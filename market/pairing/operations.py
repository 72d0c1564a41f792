"""Pairings are added, never overwritten: a new row with a later start date supersedes the old one.

Only the city office adds pairings; the city data file brings the first ones (`load_city`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from market.accounts.models import BuyerSystem, BuyerType, Organisation, OrgKind, OrgStatus, User
from market.extensions import db
from market.pairing.models import SystemPairing, VillagePairing
from market.regions import queries as regions
from market.regions.models import County, Village
from market.regions.operations import load_places, read_city_file
from market.rules import RuleError


def _require_city_office(user: User) -> None:
    org = user.organisation
    if org.kind != OrgKind.CITY_OFFICE or org.status != OrgStatus.ACTIVE:
        raise RuleError(_("Only the city office edits pairings."))


def _note(note: str | None) -> str | None:
    return (note or "").strip()[:300] or None


def add_system_pairing(user: User, system, county_code: str | None, valid_from: date | None,
                       note: str | None) -> SystemPairing:
    """Pair a system of city agencies with a county from `valid_from` on (measure 5.2)."""
    _require_city_office(user)
    if system not in BuyerSystem.__members__.values():
        raise RuleError(_("Choose a system."), "system")
    if system == BuyerSystem.OTHER:
        raise RuleError(_("Schools, hospitals and firms have no paired county."), "system")
    county = regions.county_by_code(county_code)
    if county is None:
        raise RuleError(_("Choose a county from the list."), "county")
    if valid_from is None:
        raise RuleError(_("Enter a date."), "valid_from")
    system = BuyerSystem(system)
    return _added(SystemPairing(system=system, county=county, valid_from=valid_from, note=_note(note)),
                  SystemPairing.system == system, _("This system already has a pairing from that date."))


def add_village_pairing(user: User, buyer_id: int | None, village_id: int | None, valid_from: date | None,
                        note: str | None) -> VillagePairing:
    """Pair a village-stationed unit with the village it assists from `valid_from` on (measure 5.3)."""
    _require_city_office(user)
    buyer = db.session.get(Organisation, buyer_id) if buyer_id else None
    if buyer is None or buyer.kind != OrgKind.BUYER or buyer.buyer_type != BuyerType.VILLAGE_UNIT:
        raise RuleError(_("Only a village-stationed unit is paired with a village."), "buyer")
    village = db.session.get(Village, village_id) if village_id else None
    if village is None:
        raise RuleError(_("Choose a village from the list."), "village")
    if valid_from is None:
        raise RuleError(_("Enter a date."), "valid_from")
    return _added(VillagePairing(buyer=buyer, village=village, valid_from=valid_from, note=_note(note)),
                  VillagePairing.buyer_id == buyer.id, _("This unit already has a pairing from that date."))


def _added(pairing, same_key, taken: str):
    """`pairing` added, unless its key already has a pairing from the same date (`taken` says so)."""
    model = type(pairing)
    if db.session.scalar(select(model).where(same_key, model.valid_from == pairing.valid_from)):
        raise RuleError(taken, "valid_from")
    db.session.add(pairing)
    try:
        db.session.flush()
    except IntegrityError:  # the same pairing added at this very moment by another request (the unique key)
        raise RuleError(taken, "valid_from") from None
    return pairing


def load_system_pairings(data: dict) -> int:
    """Create or update the system pairings of a city data file (after its counties); returns the new rows.

    A pairing row is keyed by (system, valid_from), so next year's arrangement is a new row in the file and the
    old one stays as history."""
    by_code = {c.code: c for c in db.session.scalars(select(County))}
    added = 0
    for prow in data.get("system_pairings", []):
        system = BuyerSystem(prow["system"])
        valid_from = date.fromisoformat(prow["valid_from"])
        pairing = db.session.scalar(
            select(SystemPairing).where(SystemPairing.system == system, SystemPairing.valid_from == valid_from)
        )
        if pairing is None:
            pairing = SystemPairing(system=system, valid_from=valid_from)
            db.session.add(pairing)
            added += 1
        pairing.county = by_code[prow["county"]]
        pairing.note = prow.get("note")
    db.session.flush()
    return added


def load_city(path: str | Path) -> dict[str, int]:
    """Create or update counties, villages and system pairings from a city data file; returns counts of new rows.

    Running it again changes nothing."""
    data = read_city_file(path)
    counts = load_places(data)
    counts["pairings"] = load_system_pairings(data)
    return counts

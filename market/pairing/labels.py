"""What the audit log says of pairings (imported by the app factory)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from market.accounts.models import BuyerSystem, Organisation
from market.audit.labels import register_kind
from market.i18n import localized_name
from market.labels import label
from market.pairing.models import SystemPairing, VillagePairing
from market.regions.models import County, Village

register_kind(
    SystemPairing, _l("System pairing"),
    name=lambda pairing: f"{label(pairing.system)} → {localized_name(pairing.county)}",
    options=lambda: [joinedload(SystemPairing.county)],
    actions={"create": _l("paired a system with a county"), "update": _l("changed a system pairing")},
    fields={"system": (_l("System"), BuyerSystem), "county_id": (_l("County"), County),
            "valid_from": (_l("Valid from"), "date")})

register_kind(
    VillagePairing, _l("Village pairing"),
    name=lambda pairing: f"{pairing.buyer.name} → {localized_name(pairing.village)}",
    options=lambda: [joinedload(VillagePairing.buyer), joinedload(VillagePairing.village)],
    actions={"create": _l("paired a unit with a village"), "update": _l("changed a village pairing")},
    fields={"buyer_id": (_l("Unit"), Organisation), "village_id": (_l("Village"), Village),
            "valid_from": (_l("Valid from"), "date")})

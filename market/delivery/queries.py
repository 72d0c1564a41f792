"""Reading the address book."""

from __future__ import annotations

from sqlalchemy import select

from market.accounts.models import Organisation
from market.delivery.models import DeliveryAddress
from market.extensions import db


def addresses_of(org: Organisation) -> list[DeliveryAddress]:
    """The organisation's addresses, oldest first (the first is the one forms choose by default)."""
    return list(db.session.scalars(select(DeliveryAddress).where(DeliveryAddress.organisation_id == org.id)
                                   .order_by(DeliveryAddress.id)))


def address(address_id: int) -> DeliveryAddress | None:
    """Any address (whether the person may see it is the permission rule: another organisation's is hidden)."""
    return db.session.get(DeliveryAddress, address_id)

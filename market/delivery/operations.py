"""Keeping the address book: add, edit, remove. Flushes, never commits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from market.accounts.models import Organisation, OrgKind
from market.delivery.models import DeliveryAddress
from market.delivery.rules import MAX_ADDRESSES, address_fields
from market.extensions import db
from market.rules import RuleError

#: Kinds of organisation that receive deliveries (they buy).
RECEIVING_KINDS = (OrgKind.BUYER, OrgKind.FIRM)


def add_address(org: Organisation, data: dict) -> DeliveryAddress:
    if org.kind not in RECEIVING_KINDS:
        raise RuleError(_("Only buying organisations keep delivery addresses."))
    fields = address_fields(data)
    count = db.session.scalar(select(func.count(DeliveryAddress.id))
                              .where(DeliveryAddress.organisation_id == org.id))
    if count >= MAX_ADDRESSES:
        raise RuleError(_("An organisation keeps at most %(n)s addresses; remove one first.", n=MAX_ADDRESSES))
    address = DeliveryAddress(organisation_id=org.id, **fields)
    db.session.add(address)
    db.session.flush()
    return address


def edit_address(address: DeliveryAddress, data: dict) -> None:
    """Change an address; orders placed with it keep the copy they took."""
    for name, value in address_fields(data).items():
        setattr(address, name, value)
    db.session.flush()


def remove_address(address: DeliveryAddress) -> None:
    db.session.delete(address)
    db.session.flush()

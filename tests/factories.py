"""Factories for test objects; each flushes, the test commits when it needs to."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from market.accounts import operations as accounts
from market.accounts.models import BuyerSystem, BuyerType, OrgKind, OrgStatus, Role, SupplierType
from market.extensions import db
from market.regions.models import County

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def county(code: str) -> County:
    return db.session.scalar(select(County).where(County.code == code))


def organisation(*, kind: str = "buyer", name: str | None = None, status: str = "active", county: str | None = None,
                 buyer_system: str | None = None, buyer_type: str | None = None, supplier_type: str | None = None):
    kind = OrgKind(kind)
    n = next(_seq)
    if kind == OrgKind.SUPPLIER:
        supplier_type = supplier_type or "cooperative"
        county = county or "qingyuan"
    if kind == OrgKind.COUNTY_OFFICE:
        county = county or "qingyuan"
    if kind == OrgKind.BUYER:
        buyer_system = buyer_system or "party"
        buyer_type = buyer_type or "agency_canteen"
    return accounts.create_organisation(
        name=name or f"{kind.value} {n}",
        kind=kind,
        status=OrgStatus(status),
        county=globals()["county"](county) if county else None,
        supplier_type=SupplierType(supplier_type) if supplier_type else None,
        buyer_system=BuyerSystem(buyer_system) if buyer_system else None,
        buyer_type=BuyerType(buyer_type) if buyer_type else None,
    )


def user(org, *, email: str | None = None, password: str = PASSWORD, role: str = "member", name: str | None = None):
    n = next(_seq)
    return accounts.create_user(
        organisation=org,
        email=email or f"person{n}@example.com",
        name=name or f"Person {n}",
        password=password,
        role=Role(role),
    )


def seen_prices(html: str) -> dict[str, str]:
    """The prices and units the cart page showed (the place form's hidden `seen_*` fields), to post back."""
    import re

    return dict(re.findall(r'name="(seen_(?:price|unit)_\d+)" value="([^"]*)"', html))

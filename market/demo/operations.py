from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from market.accounts import operations as accounts
from market.accounts.models import Organisation, OrgStatus, Role
from market.demo.data import ORGANISATIONS
from market.extensions import db
from market.pairing.models import VillagePairing
from market.regions.models import County, Village
from market.regions.operations import load_city


def seed_demo(password: str) -> int:
    """Create whatever part of the demo is missing; returns the number of accounts created."""
    load_city(current_app.config["CITY_DATA_FILE"])
    counties = {c.code: c for c in db.session.scalars(select(County))}
    villages = {v.code: v for v in db.session.scalars(select(Village))}
    created = 0
    for email, person, org_name, kind, extra in ORGANISATIONS:
        if accounts.find_user(email) is not None:
            continue
        fields = dict(extra)
        paired_village = fields.pop("paired_village", None)
        org = db.session.scalar(select(Organisation).where(Organisation.name == org_name, Organisation.kind == kind))
        if org is None:
            org = accounts.create_organisation(
                name=org_name,
                kind=kind,
                status=OrgStatus.ACTIVE,
                county=counties.get(fields.pop("county", None)),
                village=villages.get(fields.pop("village", None)),
                contact_name=person,
                **fields,
            )
        if paired_village:
            db.session.add(
                VillagePairing(buyer=org, village=villages[paired_village], valid_from=date(2020, 1, 1),
                               note="驻村帮扶")
            )
        accounts.create_user(organisation=org, email=email, name=person, password=password, role=Role.MANAGER)
        created += 1
    db.session.flush()
    if seed_products():
        seed_survey_and_bulletins()
    return created


def seed_products() -> int:
    """Published demo products with stock recorded in the ledger; skipped when the supplier has any product."""
    from datetime import timedelta
    from decimal import Decimal

    from market.catalog import operations as catalog
    from market.catalog.models import Category, LinkageMode, Product, StockReason, Unit
    from market.demo.data import PRODUCTS
    from market.i18n import local_today

    today = local_today()
    suppliers_with_products = set(db.session.scalars(select(Product.supplier_id).distinct()))
    made = 0
    for email, spec in PRODUCTS:
        person = accounts.find_user(email)
        if person is None or person.organisation_id in suppliers_with_products:
            continue
        stranded_days = spec.get("stranded_days")
        fields = {
            "name": spec["name"], "variety": spec.get("variety"), "category": Category(spec["category"]),
            "unit": Unit(spec["unit"]), "price": Decimal(spec["price"]), "min_order_quantity": Decimal(spec["min_order"]),
            "specification": spec.get("specification"), "households_linked": spec.get("households", 0),
            "linkage_mode": LinkageMode(spec["linkage"]) if spec.get("linkage") else None,
            "identification_number": spec.get("ident"),
            "identification_valid_until": today + timedelta(days=365) if spec.get("ident") else None,
            "stranded": stranded_days is not None,
            "stranded_since": today - timedelta(days=stranded_days) if stranded_days is not None else None,
            "stranded_cause": spec.get("cause"), "storage_note": spec.get("storage"),
            "shelf_life_days": spec.get("shelf_life_days"),
            "best_before": today + timedelta(days=spec["best_before_days"]) if spec.get("best_before_days") else None,
            "available_from": today - timedelta(days=60),
        }
        product = catalog.create_product(person.organisation, person, fields, Decimal("0"))
        catalog.move_stock(product, Decimal(spec["stock"]), StockReason.SURVEY, actor=person, note="摸排")
        catalog.submit_product(product)
        office = accounts.find_user(f"county-{person.organisation.county.code}@demo.local") or person
        catalog.review_product(product, office, approve=True)
        made += 1
    db.session.flush()
    return made


def seed_survey_and_bulletins() -> None:
    """A survey row for each stranded demo product and a first bulletin issue of each county that has one."""
    from market.bulletins.operations import latest_issue, publish_issue
    from market.catalog import operations as catalog
    from market.catalog.models import Product
    from market.i18n import local_today

    today = local_today()
    stranded = db.session.scalars(select(Product).where(Product.stranded.is_(True)).order_by(Product.id)).all()
    for product in stranded:
        office = accounts.find_user(f"county-{product.county.code}@demo.local")
        catalog.add_survey_row(product.county, office, {
            "surveyed_on": product.stranded_since, "product_name": product.name, "variety": product.variety,
            "category": product.category, "unit": product.unit, "unsold_quantity": product.unsold_quantity,
            "cooperatives": product.supplier.name, "poor_households": product.households_linked,
            "product_id": product.id,
        })
    for county in {p.county for p in stranded}:
        if latest_issue(county) is None:
            office = accounts.find_user(f"county-{county.code}@demo.local")
            publish_issue(county, office, today, "疫情期间滞销农产品信息，欢迎各预算单位和企业采购。")
    db.session.flush()

"""Builders and readers of test objects, shared by the test modules.

Two kinds live here:
- `county`, `organisation`, `user`: called inside the test's `with app.app_context():`; they flush, the test
  commits when it needs to.
- the `(app, db, ...)` helpers: each opens an app context of its own, goes through the operations the pages
  call, commits, and returns ids or detached objects (so a test can call them between requests).

Helpers that send requests (forms, tokens, webhooks) and the fixtures are in `tests/conftest.py`.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from market.accounts import operations as accounts
from market.accounts.models import BuyerSystem, BuyerType, OrgKind, OrgStatus, Role, SupplierType, User
from market.extensions import db as _db
from market.regions.models import County

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"

#: A product as the supplier's form posts it (`/catalog/mine/new`).
PRODUCT = {
    "name": "黑木耳", "category": "edible_fungi", "variety": "秋耳", "specification": "500克/袋", "unit": "kg",
    "price": "68.00", "min_order_quantity": "1", "opening_stock": "850", "households_linked": "46",
    "linkage_mode": "operating_income", "stranded": "y", "stranded_since": "2020-02-10",
    "stranded_cause": "批发市场关闭",
}

#: The Chinese headers of the county survey file, in template order, and one valid row under them.
SURVEY_HEADERS = ["摸排日期", "产品名称", "品种", "类别", "单位", "滞销数量", "涉及企业", "涉及合作社", "涉及贫困户数",
                  "乡镇", "村", "产品编号"]
SURVEY_ROW = ["2020-03-01", "黑木耳", "秋耳", "食用菌", "公斤", "1200", "某食品公司", "某合作社", "35", "湾甸子镇",
              "某村", ""]


# --- people and organisations (inside the caller's app context) ----------------------------------------------


def county(code: str) -> County:
    return _db.session.scalar(select(County).where(County.code == code))


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


def make_user(org, *, email: str | None = None, password: str = PASSWORD, role: str = "member", name: str | None = None):
    n = next(_seq)
    return accounts.create_user(
        organisation=org,
        email=email or f"person{n}@example.com",
        name=name or f"Person {n}",
        password=password,
        role=Role(role),
    )


def user_by_email(db, email: str) -> User:
    """The person signed up with `email` (e.g. `people["buyer_party"]`), read in the caller's app context."""
    return db.session.scalar(select(User).where(User.email == email))


# --- products ---------------------------------------------------------------------------------------------------


def make_product(app=None, db=None, people=None, role: str = "supplier_qingyuan", *, supplier=None,
                 publish: bool = True, stock: str = "100", **fields) -> int:
    """A product listed through the catalog operations, with `stock` as its opening stock in the ledger, and
    published (submitted and approved) unless `publish=False`; returns its id.

    `make_product(app, db, people, role, ...)`: the manager `people[role]` lists it for their organisation, in an
    app context of its own, and it is committed. `make_product(supplier=organisation, ...)`: listed for that
    supplier by no one in particular, inside the caller's app context, flushed only.
    `fields` go to `product_fields`.
    """
    if supplier is not None:
        return _listed(supplier, None, publish, stock, fields).id
    with app.app_context(), app.test_request_context("/"):
        person = user_by_email(db, people[role])
        product_id = _listed(person.organisation, person, publish, stock, fields).id
        db.session.commit()
        return product_id


def product_fields(**fields) -> dict:
    """Fields for `create_product`: `fields` over a kilogram of black fungus at ¥68.00, minimum order 1, ten
    households."""
    from market.catalog.models import Category, Unit

    values = {"name": "黑木耳", "category": Category.EDIBLE_FUNGI, "unit": Unit.KG, "price": Decimal("68.00"),
              "min_order_quantity": Decimal("1"), "households_linked": 10}
    values.update(fields)
    return values


def _listed(supplier, person, publish: bool, stock: str, fields: dict):
    from market.catalog import operations as ops

    product = ops.create_product(supplier, person, product_fields(**fields), Decimal(stock))
    if publish:
        ops.submit_product(product)
        ops.review_product(product, person, approve=True)
    return product


def stranded_product(app, db, people, name, days=10, role="supplier_qingyuan", **fields) -> int:
    """A published product stranded (unsellable) since `days` days ago; returns its id."""
    from market.i18n import local_today

    return make_product(app, db, people, role, name=name, stranded=True,
                        stranded_since=local_today() - timedelta(days=days), **fields)


def get_product(app, db, product_id):
    """The product as it is in the database now, detached."""
    from market.catalog.models import Product

    with app.app_context():
        product = db.session.get(Product, product_id)
        db.session.expunge(product)
        return product


def ledger_sum(app, db, product_id) -> Decimal:
    """The sum of the product's stock ledger (always equal to its unsold quantity)."""
    from market.catalog.models import StockEntry

    with app.app_context():
        total = db.session.scalar(select(func.sum(StockEntry.delta)).where(StockEntry.product_id == product_id))
        return total or Decimal("0")


def count_rows(app, db, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def survey_row_count(app, db) -> int:
    from market.catalog.models import SurveyRow

    return count_rows(app, db, SurveyRow)


# --- orders ------------------------------------------------------------------------------------------------------


def place_order(app, db, email, lines, token="t-1"):
    """Place lines [(product_id, quantity)] as the person with `email` through the orders operation; returns
    (bulk order id, created) and commits, or rolls back and raises the operation's error."""
    from market.orders import operations as ops

    with app.app_context(), app.test_request_context("/"):
        person = user_by_email(db, email)
        try:
            bulk, created = ops.place_order(person.organisation, person,
                                            [ops.LineRequest(pid, q) for pid, q in lines], token)
            db.session.commit()
            return bulk.id, created
        except Exception:
            db.session.rollback()
            raise


def act_on_order(app, db, email, order_id, action, data=None) -> None:
    """The person with `email` performs `action` ("confirm", "ship", "accept", …) on the order; commits, or rolls
    back and raises the operation's error."""
    from market.orders import operations as ops
    from market.orders.models import Order

    with app.app_context(), app.test_request_context("/"):
        order = db.session.get(Order, order_id)
        try:
            ops.perform(order, user_by_email(db, email), action, data or {})
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise


def get_order(app, db, order_id):
    """The order as it is in the database now, detached."""
    from market.orders.models import Order

    with app.app_context():
        order = db.session.get(Order, order_id)
        db.session.expunge(order)
        return order


def orders_of_bulk(app, db, bulk_id) -> list[int]:
    """The ids of the orders (one per supplier) a bulk order was split into."""
    from market.orders.models import Order

    with app.app_context():
        return list(db.session.scalars(select(Order.id).where(Order.bulk_order_id == bulk_id).order_by(Order.id)))


def order_line_product(app, db, order_id) -> int:
    """The product of the order's (first) line."""
    from market.orders.models import OrderLine

    with app.app_context():
        return db.session.scalar(select(OrderLine.product_id).where(OrderLine.order_id == order_id))


def released_entries(app, db, order_id) -> int:
    """How many ledger entries gave the order's stock back."""
    from market.catalog.models import StockEntry, StockReason

    with app.app_context():
        return db.session.scalar(select(func.count(StockEntry.id)).where(
            StockEntry.order_id == order_id, StockEntry.reason == StockReason.ORDER_RELEASED))


def seen_prices(html: str) -> dict[str, str]:
    """The prices and units the cart page showed (the place form's hidden `seen_*` fields), to post back."""
    return dict(re.findall(r'name="(seen_(?:price|unit)_\d+)" value="([^"]*)"', html))


# --- payments ----------------------------------------------------------------------------------------------------


def last_payment(app, db, order_id):
    """The order's latest payment, detached."""
    from market.payments.models import Payment

    with app.app_context():
        payment = db.session.scalars(select(Payment).where(Payment.order_id == order_id).order_by(Payment.id)).all()[-1]
        db.session.expunge(payment)
        return payment


# --- agreements --------------------------------------------------------------------------------------------------


def agreement_form(veg, **changes) -> dict:
    """The new-agreement form for weekly deliveries of `veg["cabbage"]` and `veg["potato"]` over 90 days."""
    from market.i18n import local_today

    today = local_today()
    data = {
        "lines-0-product_id": str(veg["cabbage"]), "lines-0-quantity": "200", "lines-0-unit_price": "1.10",
        "lines-1-product_id": str(veg["potato"]), "lines-1-quantity": "150", "lines-1-unit_price": "1.50",
        "schedule_kind": "weekly", "weekdays": ["0", "3"], "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=90)).isoformat(), "delivery_place": "医院食堂库房",
    }
    data.update(changes)
    return data


def supplier_org_id(app, db, people, role="supplier_xinbin") -> int:
    with app.app_context():
        return user_by_email(db, people[role]).organisation_id


def sign_agreement_both(app, db, people, agreement_id) -> None:
    """buyer_school (unless it has signed the latest version) and supplier_xinbin sign the latest version."""
    from market.agreements import operations as ops
    from market.agreements.models import Agreement

    with app.app_context(), app.test_request_context("/"):
        agreement = db.session.get(Agreement, agreement_id)
        for role in ("buyer_school", "supplier_xinbin"):
            if agreement.latest.buyer_signed_at is None or role == "supplier_xinbin":
                try:
                    ops.sign(agreement, user_by_email(db, people[role]))
                except ops.AgreementError:
                    pass
        db.session.commit()

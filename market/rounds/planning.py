"""The plan of a closed round's order: per product, what its sign-ups ask for, what is available now, what each
line is granted (market.rounds.cuts) and who is cut by how much. Read fresh from the database (never from objects
the session may hold since before the round closed), and, when placing, with the products' rows locked so the
plan and the placement see the same stock."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from market.accounts.models import User
from market.catalog.models import Product, Unit
from market.extensions import db
from market.i18n import SHANGHAI, quantity
from market.labels import label
from market.rounds.cuts import Asked, grant, split_amount
from market.rounds.models import Fairness, PurchaseRound, RoundProduct, RoundSignup, SignupLine
from market.types import utcnow


@dataclass
class PlanLine:
    """One person's line for one product."""

    line_id: int
    signup_id: int
    user_id: int
    name: str
    pickup_place: str
    asked: Decimal
    queued_at: datetime
    granted: Decimal = Decimal(0)

    @property
    def cut(self) -> Decimal:
        return self.asked - self.granted


@dataclass
class ProductPlan:
    round_product_id: int
    product_id: int
    name: str
    unit: Unit
    #: The price the round offered (staff signed up at it) and the product's price now.
    price: Decimal
    price_now: Decimal
    #: What can be ordered now (0 when the product cannot be ordered at all; `reason` then says why).
    available: Decimal
    reason: str | None
    lines: list[PlanLine] = field(default_factory=list)

    @property
    def asked(self) -> Decimal:
        return sum((line.asked for line in self.lines), Decimal(0))

    @property
    def granted(self) -> Decimal:
        return sum((line.granted for line in self.lines), Decimal(0))

    @property
    def price_changed(self) -> bool:
        return self.reason is None and self.granted > 0 and self.price_now != self.price


@dataclass(frozen=True)
class Cut:
    """Someone given less than they asked: the product, what they asked and got, and the amount less to pay."""

    user_id: int
    name: str
    product_id: int
    product_name: str
    unit: Unit
    asked: Decimal
    granted: Decimal
    amount: Decimal


@dataclass
class Plan:
    fairness: Fairness
    products: list[ProductPlan]

    @property
    def empty(self) -> bool:
        return not any(product.lines for product in self.products)

    @property
    def cuts(self) -> list[Cut]:
        return [Cut(line.user_id, line.name, product.product_id, product.name, product.unit, line.asked,
                    line.granted, (product.price * line.cut).quantize(Decimal("0.01")))
                for product in self.products for line in product.lines if line.cut > 0]

    @property
    def price_changes(self) -> list[ProductPlan]:
        return [product for product in self.products if product.price_changed]

    @property
    def total(self) -> Decimal:
        return sum(((p.price * p.granted).quantize(Decimal("0.01")) for p in self.products), Decimal(0))

    def digest(self) -> str:
        """What each line is granted, in a short fingerprint: the review page carries it, so the cuts a manager
        accepted are the cuts placed (stock sold meanwhile changes them, and the manager sees them again)."""
        granted = sorted((line.line_id, str(line.granted)) for product in self.products for line in product.lines)
        return hashlib.sha256(repr((self.fairness.value, granted)).encode()).hexdigest()[:16]

    def amounts(self) -> dict[int, Decimal]:
        """What each sign-up (by id) owes for what it is granted, adding up to the order's lines to the fen."""
        owed: dict[int, Decimal] = {}
        for product in self.products:
            shares = split_amount(product.price, {line.line_id: line.granted for line in product.lines})
            for line in product.lines:
                owed[line.signup_id] = owed.get(line.signup_id, Decimal(0)) + shares[line.line_id]
        return owed


def plan(purchase_round: PurchaseRound, fairness: Fairness | str | None = None, *, lock: bool = False,
         now: datetime | None = None) -> Plan:
    """The plan of the round's order with `fairness` (the round's own when None). `lock` takes the products'
    rows (FOR UPDATE on PostgreSQL, in product-id order as placing does) for the placement that follows."""
    fairness = Fairness(fairness) if fairness else purchase_round.fairness
    now = now or utcnow()
    day = now.astimezone(SHANGHAI).date()
    items = db.session.scalars(select(RoundProduct).where(RoundProduct.round_id == purchase_round.id)
                               .order_by(RoundProduct.position, RoundProduct.id)
                               .execution_options(populate_existing=True)).all()
    products = _products([item.product_id for item in items], lock)
    lines = _lines(purchase_round.id)
    result = []
    for item in items:
        product = products[item.product_id]
        reason = _unavailable(product, item, day, requested_day(purchase_round, day))
        entry = ProductPlan(item.id, item.product_id, item.product_name, item.unit, item.price, product.price,
                            Decimal(0) if reason else product.unsold_quantity, reason,
                            lines.get(item.id, []))
        _grant(entry, product, fairness)
        result.append(entry)
    return Plan(fairness, result)


def _grant(entry: ProductPlan, product: Product, fairness: Fairness) -> None:
    granted = grant(entry.available, [Asked(line.line_id, line.asked, line.queued_at) for line in entry.lines],
                    fairness)
    total = sum(granted.values(), Decimal(0))
    if 0 < total < product.min_order_quantity:
        # The supplier takes no order below its minimum: the few units left cannot be ordered at all.
        entry.reason = _("Less than the supplier's minimum order of %(min)s %(unit)s is left.",
                         min=quantity(product.min_order_quantity), unit=label(product.unit))
        entry.available = Decimal(0)
        granted = dict.fromkeys(granted, Decimal(0))
    for line in entry.lines:
        line.granted = granted[line.line_id]


def requested_day(purchase_round: PurchaseRound, today: date) -> date | None:
    """The delivery day the order asks for: the pick-up day, unless it has passed."""
    return purchase_round.pickup_day if purchase_round.pickup_day >= today else None


def _unavailable(product: Product, item: RoundProduct, day: date, requested: date | None) -> str | None:
    """Why the product cannot be ordered now (None: it can, up to its unsold quantity)."""
    if not product.listed:
        return _("No longer in the catalog.")
    if product.unit != item.unit:
        return _("Now sold by %(unit)s, not by %(old)s as the round offered it.", unit=label(product.unit),
                 old=label(item.unit))
    if not product.on_sale_on(day) and product.unsold_quantity > 0:
        return _("Not on sale (its identification has expired).")
    if requested is not None and product.available_from is not None and product.available_from > requested:
        return _("Available only from %(day)s.", day=product.available_from.isoformat())
    return None


def _products(ids: list[int], lock: bool) -> dict[int, Product]:
    stmt = (select(Product).join(Product.supplier).options(contains_eager(Product.supplier))
            .where(Product.id.in_(ids)).order_by(Product.id).execution_options(populate_existing=True))
    if lock:
        stmt = stmt.with_for_update(of=Product)
    return {product.id: product for product in db.session.scalars(stmt).unique()}


def _lines(round_id: int) -> dict[int, list[PlanLine]]:
    """Every sign-up line of the round by round product, as committed now (plain rows, not session objects)."""
    rows = db.session.execute(
        select(SignupLine.id, SignupLine.round_product_id, SignupLine.quantity, SignupLine.queued_at,
               RoundSignup.id, RoundSignup.pickup_place, User.id, User.name)
        .join(RoundSignup, RoundSignup.id == SignupLine.signup_id).join(User, User.id == RoundSignup.user_id)
        .where(RoundSignup.round_id == round_id).order_by(SignupLine.queued_at, SignupLine.id)).all()
    lines: dict[int, list[PlanLine]] = {}
    for line_id, item_id, asked, queued_at, signup_id, place, user_id, name in rows:
        lines.setdefault(item_id, []).append(PlanLine(line_id, signup_id, user_id, name, place, asked, queued_at))
    return lines

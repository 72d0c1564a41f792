"""Writes for carts and orders. They flush, never commit; the request (or command) commits once.

Placing a cart takes the stock of every line with the ledger's conditional UPDATE, in product-id order so two
orders touching the same products never deadlock; if one line cannot be filled the caller rolls back and no
order and no stock change remain.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from market import after_commit
from market.accounts.models import Organisation, OrgKind, OrgStatus, User
from market import rules
from market.catalog.models import Product, StockReason, Unit
from market.catalog.operations import StockShortage, move_stock
from market.rules import RuleError
from market.extensions import db
from market.i18n import SHANGHAI
from market.orders.models import (
    BulkOrder,
    CartItem,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentStatus,
    ReservedShare,
)
from market.pairing.queries import county_for_buyer
from market.permissions import Action, Decision, decide
from market.state import StateConflict, change_state
from market.types import utcnow

log = logging.getLogger(__name__)

#: Kinds of organisation that buy.
BUYING_KINDS = (OrgKind.BUYER, OrgKind.FIRM)
MAX_LINES = 200


class OrderError(RuleError):
    """A rule about orders was broken; nothing was changed."""


class NotABuyer(OrderError):
    """The organisation may not order (its kind, or it is not approved yet)."""


class WrongParty(OrderError):
    """The action belongs to the other party of the order."""


class WrongState(OrderError, StateConflict):
    """The order is not (or, after a simultaneous request, no longer) in a state the action can start from."""


class Missing(OrderError):
    """No such object, or not one the person may see (answered as a missing id: 404 on pages)."""


class DuplicateSubmission(Exception):
    """The same client token was placed at the same moment by another request."""


@dataclass
class LineRequest:
    product_id: int
    quantity: Decimal
    unit: Unit | None = None
    #: A price agreed beforehand (a supply agreement); otherwise the product's price of the moment.
    unit_price: Decimal | None = None
    #: The price (and unit) the buyer was shown; when given, placing refuses a price that has changed since.
    seen_price: Decimal | None = None
    seen_unit: Unit | None = None


def ensure_can_buy(org: Organisation) -> None:
    if org.kind not in BUYING_KINDS:
        raise NotABuyer(_("Only canteens, budget units and firms place orders."))
    if org.status != OrgStatus.ACTIVE:
        raise NotABuyer(_("Your organisation must be approved before it can order."))


def check_line(product: Product | None, quantity, buyer: Organisation, unit: Unit | None = None,
               day=None) -> Decimal:
    """The rules every order line obeys, for the cart, the order form and the API alike."""
    from market.i18n import local_today

    if product is None or not (product.listed or product.supplier_id == buyer.id):
        # Unpublished, or its supplier is not active: the buyer cannot see it, so it is answered exactly as a
        # missing id, without its name.
        raise OrderError(_("This product does not exist."), "product_id")
    qty = rules.quantity(quantity)
    day = day or local_today()
    if product.unsold_quantity < qty and product.on_sale_on(day) or product.unsold_quantity == 0:
        # Sold out, or not enough: say so plainly (the conditional UPDATE is what really guards the stock).
        raise StockShortage(product, qty)
    if not product.on_sale_on(day):
        raise OrderError(_("%(name)s is not on sale.", name=product.name), "product_id")
    if product.supplier_id == buyer.id:
        raise OrderError(_("You cannot order your own product."), "product_id")
    if unit is not None and unit != product.unit:
        from market.labels import label

        raise OrderError(_("%(name)s is sold by %(unit)s.", name=product.name, unit=label(product.unit)), "unit")
    if qty < product.min_order_quantity:
        raise OrderError(_("The minimum order of %(name)s is %(min)s.", name=product.name,
                           min=f"{product.min_order_quantity.normalize():f}"), "quantity")
    return qty


class PriceChanged(OrderError):
    """A price (or unit) is no longer the one the buyer was shown; nothing was ordered. `changes` lists each
    line as (product, price seen, price now, unit seen, unit now)."""

    def __init__(self, changes: list[tuple[Product, Decimal, Decimal, Unit | None, Unit]]):
        from market.i18n import money
        from market.labels import label

        self.changes = changes
        lines = "; ".join(
            _("%(name)s: %(old)s → %(new)s per %(unit)s", name=product.name, old=money(seen), new=money(now),
              unit=label(unit_now))
            for product, seen, now, _unit_seen, unit_now in changes)
        super().__init__(_("Prices changed since you saw them; nothing was ordered. %(lines)s. Check the cart and "
                           "place the order again.", lines=lines), "lines")


def check_prices_seen(lines: list[LineRequest], products: dict[int, Product]) -> None:
    """A buyer is never ordered at a price other than the one shown: each line that carries the price (and
    unit) the buyer saw must still match today's, or the whole placement is refused (PriceChanged)."""
    changes = []
    for line in sorted(lines, key=lambda line: line.product_id):
        product = products[line.product_id]
        if line.seen_price is None or line.unit_price is not None:
            continue  # no price shown (an older API client), or a price agreed beforehand
        unit_seen = line.seen_unit or line.unit
        if line.seen_price != product.price or (unit_seen is not None and unit_seen != product.unit):
            changes.append((product, line.seen_price, product.price, unit_seen, product.unit))
    if changes:
        raise PriceChanged(changes)


# --- cart ------------------------------------------------------------------------------------------------------


def add_to_cart(user: User, product: Product, quantity) -> CartItem:
    ensure_can_buy(user.organisation)
    qty = check_line(product, quantity, user.organisation)
    item = db.session.scalar(select(CartItem).where(CartItem.user_id == user.id, CartItem.product_id == product.id))
    if item is None:
        item = CartItem(user_id=user.id, product_id=product.id, quantity=qty)
        db.session.add(item)
    else:
        item.quantity = check_line(product, item.quantity + qty, user.organisation)
    db.session.flush()
    return item


def set_cart_quantity(item: CartItem, quantity) -> None:
    item.quantity = check_line(item.product, quantity, _owner(item))
    db.session.flush()


def _owner(item: CartItem) -> Organisation:
    return db.session.get(User, item.user_id).organisation


def remove_from_cart(item: CartItem) -> None:
    db.session.delete(item)
    db.session.flush()


def clear_cart(user: User) -> None:
    db.session.execute(delete(CartItem).where(CartItem.user_id == user.id))


# --- placing -------------------------------------------------------------------------------------------------


def _reference(bulk: BulkOrder, index: int, day) -> str:
    """FS20200301-000042-1: the day, the bulk order and the supplier's place in it."""
    return f"FS{day:%Y%m%d}-{bulk.id:06d}-{index}"


def find_bulk_order(buyer: Organisation, client_token: str) -> BulkOrder | None:
    return db.session.scalar(
        select(BulkOrder).where(BulkOrder.buyer_id == buyer.id, BulkOrder.client_token == client_token)
    )


def place_order(buyer: Organisation, user: User | None, lines: list[LineRequest], client_token: str,
                *, now: datetime | None = None, demand_id: int | None = None) -> tuple[BulkOrder, bool]:
    """Place a cart as one order per supplier; returns (bulk order, created?).

    The same `client_token` again returns the first placement instead of ordering twice.
    Raises OrderError (StockShortage for stock) and then the caller must roll back.
    """
    token = (client_token or "").strip()
    if not token or len(token) > 64:
        raise OrderError(_("The order form has no valid token; reload the page."), "client_token")
    existing = find_bulk_order(buyer, token)
    if existing is not None:
        return existing, False
    ensure_can_buy(buyer)
    if not lines:
        raise OrderError(_("The order has no lines."), "lines")
    if len(lines) > MAX_LINES:
        raise OrderError(_("An order can have at most %(n)s lines.", n=MAX_LINES), "lines")
    if len({line.product_id for line in lines}) != len(lines):
        raise OrderError(_("Each product may appear only once in an order."), "lines")

    now = now or utcnow()
    day = now.astimezone(SHANGHAI).date()
    # An id beyond the column's range names no product (and must not reach the database driver).
    products = {p.id: p for p in db.session.scalars(
        select(Product).options(selectinload(Product.supplier)).where(Product.id.in_([line.product_id for line in lines if 0 < line.product_id < 2**31])))}
    checked = [(products.get(line.product_id), check_line(products.get(line.product_id), line.quantity, buyer,
                                                          line.unit, day))
               for line in sorted(lines, key=lambda line: line.product_id)]
    check_prices_seen(lines, products)
    agreed = {line.product_id: line.unit_price for line in lines if line.unit_price is not None}

    # The token row first: a concurrent second submission waits here for the first to commit, then fails on
    # the unique key (DuplicateSubmission), and `place_order_once` hands it the first placement.
    bulk = BulkOrder(buyer_id=buyer.id, placed_by_id=user.id if user else None, client_token=token, created_at=now)
    db.session.add(bulk)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise DuplicateSubmission(token) from exc

    paired = county_for_buyer(buyer, day)
    by_supplier: dict[int, list[tuple[Product, Decimal]]] = defaultdict(list)
    for product, qty in checked:
        by_supplier[product.supplier_id].append((product, qty))
    orders: dict[int, Order] = {}
    for index, (supplier_id, items) in enumerate(sorted(by_supplier.items()), start=1):
        product0 = items[0][0]
        order = Order(
            bulk_order=bulk, buyer_id=buyer.id, supplier_id=supplier_id, county_id=product0.county_id,
            paired_county_id=paired.id if paired else None, buyer_system=buyer.buyer_system,
            placed_by_id=user.id if user else None, status=OrderStatus.PLACED, payment_status=PaymentStatus.UNPAID,
            total_amount=Decimal("0"), placed_at=now, placed_on=day, reference=_reference(bulk, index, day),
            demand_id=demand_id,
        )
        for product, qty in items:
            price = agreed.get(product.id, product.price)
            line_total = (price * qty).quantize(Decimal("0.01"))
            order.lines.append(OrderLine(product_id=product.id, product_name=product.name, unit=product.unit,
                                         unit_price=price, quantity=qty, line_total=line_total))
            order.total_amount += line_total
        order.events.append(OrderEvent(actor_id=user.id if user else None, action="place", at=now,
                                       from_status=None, to_status=OrderStatus.PLACED))
        db.session.add(order)
        orders[supplier_id] = order
    db.session.flush()
    # Stock in one fixed order (product id) across all suppliers: no two placements wait on each other in a cycle.
    for product, qty in checked:
        move_stock(product, -qty, StockReason.ORDER_RESERVED, actor=user, order_id=orders[product.supplier_id].id,
                   note=orders[product.supplier_id].reference)
    db.session.flush()
    for order in orders.values():
        after_commit.queue(NEW_ORDERS, order.id)  # its supplier is told once the placement is committed
    return bulk, True


#: The after-commit queue of placed orders whose suppliers are still to be told (market/after_commit.py).
NEW_ORDERS = "orders.new"


def tell_suppliers_of_new_orders() -> None:
    """Tell each supplier of the orders committed placements made (after the request): never for a placement
    that was rolled back, whichever path placed it (the cart, a demand, the API, the command line)."""
    from market.notify import tell_suppliers

    ids = after_commit.take(NEW_ORDERS)
    if not ids:
        return
    try:
        tell_suppliers(db.session.scalars(select(Order).where(Order.id.in_(ids)).order_by(Order.id)).all())
    except Exception:  # noqa: BLE001 (the orders are placed and answered: a notice that fails must not undo that)
        log.exception("suppliers of orders %s could not be told", ids)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 (the connection is gone; the request's end releases it)
            pass


def place_order_once(buyer: Organisation, user: User | None, lines: list[LineRequest],
                     client_token: str, *, demand_id: int | None = None) -> tuple[BulkOrder, bool]:
    """`place_order` for pages and the API: a simultaneous duplicate submission gets the first placement.

    The failed transaction of the duplicate must be rolled back before the first placement can be read, which
    is why this one function, unlike the others, rolls back.
    """
    try:
        return place_order(buyer, user, lines, client_token, demand_id=demand_id)
    except DuplicateSubmission:
        db.session.rollback()
        existing = find_bulk_order(buyer, client_token.strip())
        if existing is None:
            raise
        return existing, False


# --- the life of an order -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    party: str  # "buyer" or "supplier"
    from_states: tuple[OrderStatus, ...]
    to_state: OrderStatus


#: Every allowed move, in one place: who may do it and from which state.
TRANSITIONS = {
    "confirm": Transition("supplier", (OrderStatus.PLACED,), OrderStatus.CONFIRMED),
    "reject": Transition("supplier", (OrderStatus.PLACED, OrderStatus.CONFIRMED), OrderStatus.REJECTED),
    "ship": Transition("supplier", (OrderStatus.CONFIRMED,), OrderStatus.SHIPPED),
    "deliver": Transition("supplier", (OrderStatus.SHIPPED,), OrderStatus.DELIVERED),
    "accept": Transition("buyer", (OrderStatus.SHIPPED, OrderStatus.DELIVERED), OrderStatus.ACCEPTED),
    "rate": Transition("buyer", (OrderStatus.ACCEPTED,), OrderStatus.COMPLETED),
    "cancel": Transition("buyer", (OrderStatus.PLACED, OrderStatus.CONFIRMED), OrderStatus.CANCELLED),
}


def party_of(user: User, order: Order) -> str | None:
    if user.organisation_id == order.buyer_id:
        return "buyer"
    if user.organisation_id == order.supplier_id:
        return "supplier"
    return None


def allowed_actions(user: User, order: Order) -> list[str]:
    party = party_of(user, order)
    if party is None or user.organisation.status != OrgStatus.ACTIVE:
        return []
    return [name for name, t in TRANSITIONS.items() if t.party == party and order.status in t.from_states]


def _text(value, limit: int) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise OrderError(_("The text is too long (at most %(n)s characters).", n=limit))
    return text or None


def release_order_stock(order: Order, user: User | None) -> None:
    """Give an order's stock back through the ledger (rejection, cancellation, an expired payment hold)."""
    for line in sorted(order.lines, key=lambda line: line.product_id):
        move_stock(line.product, line.quantity, StockReason.ORDER_RELEASED, actor=user, order_id=order.id,
                   note=order.reference)


#: What else ending an order (the buyer cancels, the supplier rejects) does, in the same transaction: packages above
#: orders register here (payments: the refund of what was paid), so the rule runs wherever an order ends.
_ON_ORDER_ENDED: list = []


def on_order_ended(fn):
    """Register `fn(order, user, reason)`, called once an order was cancelled or rejected (after its stock)."""
    _ON_ORDER_ENDED.append(fn)
    return fn


def perform(order: Order, user: User, action: str, data: dict | None = None, *, now: datetime | None = None) -> None:
    """Move an order on; refuses (OrderError, nothing changed) a party or state the table does not allow.

    The move is one conditional UPDATE (`market.state.change_state`) from the transition's states: of several
    simultaneous requests only one changes the row; the others get `StateConflict` (409 "conflict" in the API;
    `WrongState`, also a conflict, when the state read was already wrong) and nothing else happens for them.
    Stock, lines and the event follow only once the UPDATE changed the row.
    """
    data = data or {}
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise OrderError(_("Unknown action."))
    if party_of(user, order) != transition.party or user.organisation.status != OrgStatus.ACTIVE:
        raise WrongParty(_("Only the %(party)s can do this.", party=_("supplier") if transition.party == "supplier"
                                                                         else _("buyer")))
    if order.status not in transition.from_states:
        from market.labels import label

        raise WrongState(_("This cannot be done to an order that is %(status)s.", status=label(order.status)))
    now = now or utcnow()
    note = None
    received: dict[int, Decimal] = {}
    values: dict = {}  # written in the same statement as the new status
    if action == "confirm":
        values["confirmed_at"] = now
    elif action == "reject":
        note = _text(data.get("reason"), 1000)
        if not note:
            raise OrderError(_("Say why the order is rejected."), "reason")
        values.update(rejected_at=now, reject_reason=note)
    elif action == "ship":
        carrier = _text(data.get("carrier"), 80)
        if not carrier:
            raise OrderError(_("Name the carrier (or your own delivery)."), "carrier")
        values.update(carrier=carrier, tracking_number=_text(data.get("tracking_number"), 80), shipped_at=now)
    elif action == "deliver":
        values["delivered_at"] = now
    elif action == "accept":
        received, note = _accept(order, data)
        values.update(accepted_at=now, acceptance_note=note)
    elif action == "rate":
        try:
            rating = int(str(data.get("rating", "")).strip())
        except ValueError:
            rating = 0
        if not 1 <= rating <= 5:
            raise OrderError(_("Give a rating from 1 to 5."), "rating")
        note = _text(data.get("comment"), 1000)
        values.update(rating=rating, rating_comment=note, rated_at=now)
    elif action == "cancel":
        note = _text(data.get("reason"), 1000)
        if order.payment_status == PaymentStatus.PAID and not note:
            raise OrderError(_("Say why the order is cancelled: the payment will be refunded."), "reason")
        values.update(cancelled_at=now, cancel_reason=note)
    from_status = order.status
    # Someone else may have moved the order since it was read (a double submit, the other party, a hold
    # release): then this raises StateConflict and nothing changed.
    change_state(order, transition.from_states, transition.to_state, updated_at=now, **values)
    # Only the request whose UPDATE changed the row gets here: the side effects happen once.
    if action in ("reject", "cancel"):
        release_order_stock(order, user)
        for fn in _ON_ORDER_ENDED:
            fn(order, user, note)
    for line in order.lines:
        if line.id in received:
            line.received_quantity = received[line.id]
    order.events.append(OrderEvent(actor_id=user.id, action=action, at=now, from_status=from_status,
                                   to_status=transition.to_state, note=note))
    db.session.flush()


def _accept(order: Order, data: dict) -> tuple[dict[int, Decimal], str | None]:
    """What arrived per line (line id → quantity; default: everything) and the quality note; less is a
    shortfall. Checked before the order moves; written after."""
    received = data.get("received") or {}
    arrived: dict[int, Decimal] = {}
    for line in order.lines:
        value = received.get(line.product_id, received.get(str(line.product_id)))
        if value in (None, ""):
            arrived[line.id] = line.quantity
            continue
        qty = rules.quantity(value, _("the quantity received"), allow_zero=True)
        if qty > line.quantity:
            raise OrderError(_("More of %(name)s cannot arrive than was ordered.", name=line.product_name),
                             f"received_{line.product_id}")
        arrived[line.id] = qty
    note = _text(data.get("note"), 2000)
    if any(arrived[line.id] < line.quantity for line in order.lines) and not note:
        raise OrderError(_("Describe the shortfall in the note."), "note")
    return arrived, note


# --- reserved share --------------------------------------------------------------------------------------------


def reserved_share_floor() -> Decimal:
    """The smallest share a unit may reserve, in percent (RESERVED_SHARE_FLOOR, the city's rule for the year)."""
    return Decimal(str(current_app.config["RESERVED_SHARE_FLOOR"]))


def declare_reserved_share(buyer: Organisation, user: User, *, year: int, mode, spending, percent,
                           contractor_name: str | None = None,
                           covered_unit_ids: list[int] | None = None) -> ReservedShare:
    """Declare (or re-declare) a unit's canteen spending and reserved share for a year.

    Only an active budget unit declares. A shared canteen asks each covered unit (a ShareCoverage request); the
    unit's purchases count toward this declaration only once its manager accepts. A unit is covered by at most
    one declaration a year (held by a unique index), and a unit that declares for itself is not covered.
    """
    from market.orders.models import CanteenMode, CoverageStatus, ShareCoverage

    if buyer.kind != OrgKind.BUYER:
        raise OrderError(_("Only budget units declare a reserved share."))
    if buyer.status != OrgStatus.ACTIVE:
        raise NotABuyer(_("Your organisation must be approved before it can declare a reserved share."))
    existing = db.session.scalar(select(ReservedShare).where(ReservedShare.buyer_id == buyer.id,
                                                             ReservedShare.year == year))
    # The ReservedShare permission rule says who edits a declaration (the unit's managers); a first declaration
    # is judged as the one it would become.
    if decide(user, Action.EDIT, existing or ReservedShare(buyer_id=buyer.id, year=year)) is not Decision.ALLOWED:
        raise WrongParty(_("Only a manager of the unit declares its reserved share."))
    if _live_coverage(buyer.id, year, besides=None) is not None:
        raise OrderError(_("Another unit's shared canteen covers your unit this year. Decline it on this page "
                           "first to declare for your unit."))
    mode = CanteenMode(mode)
    covered: list[Organisation] = []
    if mode == CanteenMode.NONE:
        spending_value, percent_value = Decimal("0.00"), Decimal("0")
    else:
        spending_value = rules.amount(spending, _("the canteen spending"))
        percent_value = rules.quantity(percent, _("the share"))
        if percent_value > 100:
            raise OrderError(_("A share cannot be more than 100%."), "share_percent")
        floor = reserved_share_floor()
        if percent_value < floor:
            raise OrderError(_("The reserved share must be at least %(floor)s%%.", floor=f"{floor.normalize():f}"),
                             "share_percent")
    if mode == CanteenMode.OUTSOURCED and not (contractor_name or "").strip():
        raise OrderError(_("Name the contractor that runs the canteen."), "contractor_name")
    decl = existing
    if mode == CanteenMode.SHARED:
        ids = sorted(set(covered_unit_ids or []) - {buyer.id})
        if not ids:
            raise OrderError(_("Choose the units that share the canteen."), "covered_units")
        covered = list(db.session.scalars(select(Organisation).where(
            Organisation.id.in_(ids), Organisation.kind == OrgKind.BUYER, Organisation.status == OrgStatus.ACTIVE)
            .order_by(Organisation.id)))
        if len(covered) != len(ids):
            raise OrderError(_("Only approved budget units can share a canteen."), "covered_units")
        for unit in covered:
            # The unit was chosen by name from the list of budget units: naming it tells nothing hidden.
            if db.session.scalar(select(ReservedShare.id).where(ReservedShare.buyer_id == unit.id,
                                                                ReservedShare.year == year)) is not None:
                raise OrderError(_("%(unit)s declares its own reserved share this year; it cannot also be covered.",
                                   unit=unit.name), "covered_units")
            if _live_coverage(unit.id, year, besides=decl.id if decl else None) is not None:
                raise OrderError(_("%(unit)s is already covered by another shared canteen this year.",
                                   unit=unit.name), "covered_units")
    if decl is None:
        decl = ReservedShare(buyer_id=buyer.id, year=year)
        db.session.add(decl)
    decl.canteen_mode = mode
    decl.canteen_spending = spending_value
    decl.share_percent = percent_value
    decl.contractor_name = (contractor_name or "").strip() or None if mode == CanteenMode.OUTSOURCED else None
    wanted = {unit.id for unit in covered}
    now = utcnow()
    for coverage in list(decl.coverages):
        if coverage.unit_id not in wanted:
            decl.coverages.remove(coverage)  # no longer asked: the row goes
        elif coverage.status == CoverageStatus.DECLINED:
            coverage.status, coverage.requested_at = CoverageStatus.PENDING, now  # asked again
            coverage.answered_by_id = coverage.answered_at = None
    asked = {coverage.unit_id for coverage in decl.coverages}
    for unit in covered:
        if unit.id not in asked:
            decl.coverages.append(ShareCoverage(unit_id=unit.id, year=year, status=CoverageStatus.PENDING,
                                                requested_at=now))
    decl.declared_by_id = user.id
    decl.declared_at = now
    try:
        db.session.flush()
    except IntegrityError as exc:  # another declaration asked for the same unit at the same moment
        raise OrderError(_("One of the units is already covered by another shared canteen this year."),
                         "covered_units") from exc
    db.session.expire(decl, ["covered_units"])
    return decl


def _live_coverage(unit_id: int, year: int, *, besides: int | None):
    """The pending or accepted coverage of a unit for a year by a declaration other than `besides`, if any."""
    from market.orders.models import LIVE_COVERAGE, ShareCoverage

    stmt = select(ShareCoverage).where(ShareCoverage.unit_id == unit_id, ShareCoverage.year == year,
                                       ShareCoverage.status.in_(LIVE_COVERAGE))
    if besides is not None:
        stmt = stmt.where(ShareCoverage.declaration_id != besides)
    return db.session.scalar(stmt)


def answer_coverage(unit: Organisation, user: User, coverage_id: int, *, accept: bool):
    """A covered unit's manager accepts (its purchases then count toward the declaring unit's share) or declines
    a shared-canteen request; accepting can later be undone by declining. One conditional update."""
    from market.orders.models import CoverageStatus, ShareCoverage
    from market.state import change_state

    coverage = db.session.get(ShareCoverage, coverage_id)
    if coverage is None or coverage.unit_id != unit.id:
        raise Missing(_("This request does not exist."))
    if unit.kind != OrgKind.BUYER or unit.status != OrgStatus.ACTIVE:
        raise NotABuyer(_("Your organisation must be approved before it can answer."))
    if user.organisation_id != unit.id or not user.is_manager:
        raise WrongParty(_("Only a manager of the unit can answer."))
    now = utcnow()
    if accept:
        if db.session.scalar(select(ReservedShare.id).where(ReservedShare.buyer_id == unit.id,
                                                            ReservedShare.year == coverage.year)) is not None:
            raise OrderError(_("Your unit declares its own reserved share this year; it cannot also be covered."))
        change_state(coverage, [CoverageStatus.PENDING], CoverageStatus.ACCEPTED, answered_by_id=user.id,
                     answered_at=now)
    else:
        change_state(coverage, [CoverageStatus.PENDING, CoverageStatus.ACCEPTED], CoverageStatus.DECLINED,
                     answered_by_id=user.id, answered_at=now)
    db.session.expire(coverage.declaration, ["covered_units"])
    db.session.flush()
    return coverage

"""Closing a round and placing its order: the writes (they flush, never commit, with one documented exception in
`close_and_place`).

Closing is one conditional UPDATE `open → closed` on the round's row. The sign-up operation updates the same row
first (`… WHERE status = 'open' AND closes_at > now`), so a close and a sign-up take turns on that row: a sign-up
that got there first is committed before the close goes on and is in the order; one that comes after finds the
round closed and is refused. Nothing is lost and nothing slips in.

Placing claims the closed round's row first (so two managers, or a double click, take turns and the second finds
it ordered), plans the order with the products' rows locked (market.rounds.planning), then places ONE bulk order in
the unit's name through `place_order` (split per supplier, stock through the ledger, the token `round-<id>`), moves
the round `closed → ordered`, writes each line's granted quantity and tells each person by name.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value

from market.audit.operations import record
from market.catalog.operations import StockShortage
from market.extensions import db
from market.i18n import SHANGHAI, money
from market.orders.models import BulkOrder, OrderSource
from market.orders.operations import DeliveryRequest, LineRequest, place_order
from market.permissions import Action, Decision, decide
from market.rounds import notices_closing
from market.rounds.models import Fairness, PurchaseRound, RoundProduct, RoundStatus, SignupLine
from market.rounds.planning import Plan, plan, requested_day
from market.rules import RuleError
from market.state import StateConflict, change_state
from market.types import utcnow

__all__ = ["AlreadyOrdered", "ClosingError", "CutsNeeded", "EmptyRound", "NotClosed", "PricesChanged",
           "ReviewNeeded", "StockChanged", "close_and_place", "close_if_due", "close_round", "place_round_order",
           "plan", "read_fairness", "reprice_round"]


class ClosingError(RuleError):
    """Closing or ordering a round was refused; nothing changed."""


class ReviewNeeded(ClosingError):
    """The order cannot be placed as it stands; found before anything was written (the round's close stands)."""


class CutsNeeded(ReviewNeeded):
    """Stock ran short: someone gets less than they asked. `plan` says who and by how much."""

    def __init__(self, the_plan: Plan, changed: bool = False):
        self.plan = the_plan
        super().__init__(_("The cuts changed since you saw them (stock was sold meanwhile): check them again.")
                         if changed else _("Stock ran short: %(n)s sign-up lines get less than asked. Check the cuts "
                                           "and accept them to place the order.", n=len(the_plan.cuts)))


class PricesChanged(ReviewNeeded):
    """A product's price is not the one the round offered: the manager takes the new prices first."""

    def __init__(self, the_plan: Plan):
        self.plan = the_plan
        lines = "; ".join(_("%(name)s: %(old)s → %(new)s", name=p.name, old=money(p.price), new=money(p.price_now))
                          for p in the_plan.price_changes)
        super().__init__(_("Prices changed since the round opened; nothing was ordered. %(lines)s. Take the new "
                           "prices (staff then owe them) and place the order again.", lines=lines))


class EmptyRound(ReviewNeeded):
    def __init__(self, message: str | None = None):
        super().__init__(message or _("Nobody signed up to this round: there is nothing to order."))


class NotClosed(ClosingError):
    def __init__(self):
        super().__init__(_("Sign-ups are still open: close the round first."))


class AlreadyOrdered(StateConflict):
    def __init__(self):
        super().__init__(_("This round is already ordered."))


class StockChanged(ClosingError):
    """Stock was sold while placing; nothing was ordered, the plan must be looked at again."""

    def __init__(self, error: StockShortage):
        super().__init__(_("Stock changed while the order was being placed: %(detail)s Nothing was ordered; check "
                           "the cuts again.", detail=error.message))


def read_fairness(value) -> Fairness | None:
    """A fairness as sent ("first_come" or "pro_rata"), None when not sent."""
    if value in (None, ""):
        return None
    try:
        return Fairness(value)
    except ValueError:
        raise ClosingError(_("Choose first come, first served or in proportion."), "fairness") from None


def _ensure_manager(user, purchase_round: PurchaseRound) -> None:
    if decide(user, Action.EDIT, purchase_round) is not Decision.ALLOWED:
        raise ClosingError(_("Only a manager of the unit may close and order its rounds."))


# --- closing -------------------------------------------------------------------------------------------------


def close_round(user, purchase_round: PurchaseRound, *, now: datetime | None = None) -> bool:
    """End sign-ups: one conditional UPDATE `open → closed`. Returns whether this call closed it (False: it was
    closed already). A manager closes it at any time; a round past its closing time is closed by whoever looks."""
    now = now or utcnow()
    if now < purchase_round.closes_at:
        _ensure_manager(user, purchase_round)
    return close_if_due(purchase_round, now=now, force=True)


def close_if_due(purchase_round: PurchaseRound, *, now: datetime | None = None, force: bool = False) -> bool:
    """Close the round if it is open and past its closing time (or `force`): True when this call closed it."""
    now = now or utcnow()
    if not force and now < purchase_round.closes_at:
        return False
    try:
        change_state(purchase_round, [RoundStatus.OPEN], RoundStatus.CLOSED,
                     closed_at=min(now, purchase_round.closes_at), updated_at=now)
    except StateConflict:
        db.session.refresh(purchase_round, ["status", "closed_at"])
        return False
    return True


# --- placing -------------------------------------------------------------------------------------------------


def _claim(purchase_round: PurchaseRound, now: datetime) -> None:
    """Take the closed round's row for this placement (the first write: on SQLite the database's write lock, on
    PostgreSQL the row's), or say why it cannot be ordered."""
    claimed = db.session.execute(
        update(PurchaseRound).where(PurchaseRound.id == purchase_round.id,
                                    PurchaseRound.status == RoundStatus.CLOSED)
        .values(updated_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed == 1:
        return
    db.session.refresh(purchase_round, ["status", "bulk_order_id"])
    if purchase_round.status == RoundStatus.OPEN:
        raise NotClosed()
    raise AlreadyOrdered()


def place_round_order(user, purchase_round: PurchaseRound, *, fairness: Fairness | str | None = None,
                      accept_cuts: bool = False, seen: str | None = None, now: datetime | None = None) -> BulkOrder:
    """Place the closed round as one bulk order in the unit's name. Raises CutsNeeded (unless `accept_cuts`, and
    when `seen`, the digest of the plan the manager was shown, is no longer the plan's), PricesChanged or
    EmptyRound before writing anything but the claim; AlreadyOrdered for the second caller."""
    _ensure_manager(user, purchase_round)
    now = now or utcnow()
    fairness = read_fairness(fairness) or purchase_round.fairness
    _claim(purchase_round, now)
    the_plan = plan(purchase_round, fairness, lock=True, now=now)
    if the_plan.empty:
        raise EmptyRound()
    if the_plan.price_changes:
        raise PricesChanged(the_plan)
    if the_plan.cuts and not accept_cuts:
        raise CutsNeeded(the_plan)
    if the_plan.cuts and seen and seen != the_plan.digest():
        raise CutsNeeded(the_plan, changed=True)
    lines = [LineRequest(p.product_id, p.granted, seen_price=p.price, seen_unit=p.unit)
             for p in the_plan.products if p.granted > 0]
    if not lines:
        raise EmptyRound(_("None of the round's products can be ordered now: there is nothing to order."))
    bulk = _place(user, purchase_round, lines, now)
    change_state(purchase_round, [RoundStatus.CLOSED], RoundStatus.ORDERED, bulk_order_id=bulk.id, ordered_at=now,
                 fairness=fairness, updated_at=now)
    set_committed_value(purchase_round, "bulk_order", bulk)
    _write_granted(the_plan)
    record(db.session, "purchase_rounds.order", purchase_round,
           {"cuts": [None, len(the_plan.cuts)], "total": [None, str(the_plan.total)]})
    notices_closing.tell_of_round_order(purchase_round, the_plan)
    return bulk


def _place(user, purchase_round: PurchaseRound, lines: list[LineRequest], now: datetime) -> BulkOrder:
    places = purchase_round.places
    delivery = DeliveryRequest(place=places[0] if places else None,
                               requested_date=requested_day(purchase_round, now.astimezone(SHANGHAI).date()))
    try:
        bulk, _created = place_order(purchase_round.organisation, user, lines, client_token=f"round-{purchase_round.id}",
                                     now=now, delivery=delivery, source=OrderSource.STAFF_ROUND)
    except StockShortage as error:  # sold meanwhile (the products' rows are locked, so only on a lost race)
        raise StockChanged(error) from error
    return bulk


def _write_granted(the_plan: Plan) -> None:
    rows = [{"line_id": line.line_id, "granted": line.granted} for product in the_plan.products
            for line in product.lines]
    if rows:
        db.session.execute(update(SignupLine.__table__).where(SignupLine.__table__.c.id == bindparam("line_id"))
                           .values(granted_quantity=bindparam("granted")), rows)


def close_and_place(user, purchase_round: PurchaseRound, *, fairness: Fairness | str | None = None,
                    accept_cuts: bool = False, accept_prices: bool = False,
                    now: datetime | None = None) -> BulkOrder:
    """The API's one call: close sign-ups if still open, then place the order.

    The one place closing commits itself: a close made here is committed before placing, so the round stays
    closed whatever placing answers (cuts to accept, prices to take, nobody signed up, stock sold meanwhile), as
    the pages' two steps leave it, and no sign-up slips in while the manager decides."""
    now = now or utcnow()
    _ensure_manager(user, purchase_round)
    if close_round(user, purchase_round, now=now):
        db.session.commit()  # the close stands: see the docstring
    if accept_prices:
        reprice_round(user, purchase_round, now=now)
    return place_round_order(user, purchase_round, fairness=fairness, accept_cuts=accept_cuts, now=now)


# --- new prices ----------------------------------------------------------------------------------------------


def reprice_round(user, purchase_round: PurchaseRound, *, now: datetime | None = None) -> int:
    """Take the products' prices of now into the closed round (staff then owe the new prices); returns how many
    products changed price."""
    _ensure_manager(user, purchase_round)
    now = now or utcnow()
    _claim(purchase_round, now)
    changes = plan(purchase_round, now=now).price_changes
    for product in changes:
        db.session.execute(update(RoundProduct).where(RoundProduct.id == product.round_product_id)
                           .values(price=product.price_now).execution_options(synchronize_session=False))
    if changes:
        record(db.session, "purchase_rounds.reprice", purchase_round, {"prices": [
            "; ".join(f"{p.name} {p.price}" for p in changes), "; ".join(f"{p.name} {p.price_now}" for p in changes)]})
        db.session.expire(purchase_round, ["products"])
    return len(changes)


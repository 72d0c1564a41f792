"""The hand-out of an ordered round: the list per pick-up place (who gets what, owes what, paid, handed out), its
check against the order's totals, the treasurer's list of what is still owed, and the ticks (paid, handed out),
each one conditional UPDATE so a double click or two phones record it once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from market.accounts.models import User
from market.audit.operations import record
from market.catalog.models import Unit
from market.extensions import db
from market.orders.models import Order, OrderStatus
from market.permissions import Action, Decision, decide
from market.rounds.cuts import split_amount
from market.payments.models import PaymentState
from market.rounds.models import PurchaseRound, RoundProduct, RoundSignup, RoundStatus, SharePayment, SignupLine
from market.rules import RuleError
from market.types import utcnow

ZERO = Decimal("0.00")


@dataclass
class Item:
    name: str
    unit: Unit
    price: Decimal
    asked: Decimal
    quantity: Decimal


@dataclass
class Person:
    signup_id: int
    round_id: int
    name: str
    department: str | None
    phone: str | None
    place: str
    paid_at: datetime | None
    handed_out_at: datetime | None
    items: list[Item] = field(default_factory=list)
    amount: Decimal = ZERO
    #: The provider's reference of the person's own online payment of the share, when they paid it so.
    paid_online: str | None = None

    @property
    def owed(self) -> Decimal:
        return ZERO if self.paid_at else self.amount


@dataclass
class Place:
    name: str
    people: list[Person]

    @property
    def total(self) -> Decimal:
        return sum((person.amount for person in self.people), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((person.amount for person in self.people if person.paid_at), ZERO)

    @property
    def owed(self) -> Decimal:
        return self.total - self.paid

    @property
    def handed_out(self) -> int:
        return sum(1 for person in self.people if person.handed_out_at)


@dataclass
class Handout:
    round: PurchaseRound
    places: list[Place]
    #: What the round's orders (not cancelled or rejected) are worth: the list must add up to it.
    orders_total: Decimal

    @property
    def total(self) -> Decimal:
        return sum((place.total for place in self.places), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((place.paid for place in self.places), ZERO)

    @property
    def owed(self) -> Decimal:
        return self.total - self.paid

    @property
    def matches(self) -> bool:
        return self.total == self.orders_total


def _people(round_ids: list[int]) -> list[Person]:
    """Each sign-up of these rounds with its granted items and what it owes, the amounts of each product split so
    they add up to the order's line (market.rounds.cuts.split_amount)."""
    rows = db.session.execute(
        select(RoundSignup.id, RoundSignup.round_id, User.name, User.department, User.phone, RoundSignup.pickup_place,
               RoundSignup.paid_at, RoundSignup.handed_out_at, SignupLine.id, RoundProduct.id,
               RoundProduct.product_name, RoundProduct.unit, RoundProduct.price, SignupLine.quantity,
               SignupLine.granted_quantity)
        .join(User, User.id == RoundSignup.user_id).join(SignupLine, SignupLine.signup_id == RoundSignup.id)
        .join(RoundProduct, RoundProduct.id == SignupLine.round_product_id)
        .where(RoundSignup.round_id.in_(round_ids))
        .order_by(RoundSignup.pickup_place, User.name, RoundSignup.id, RoundProduct.position, RoundProduct.id)).all()
    people: dict[int, Person] = {}
    by_product: dict[int, tuple[Decimal, dict]] = {}
    line_of: dict[int, int] = {}
    for (signup_id, round_id, name, department, phone, place, paid_at, handed_at, line_id, item_id, product_name,
         unit, price, asked, granted) in rows:
        person = people.setdefault(signup_id, Person(signup_id, round_id, name, department, phone, place, paid_at,
                                                     handed_at))
        granted = granted if granted is not None else Decimal(0)
        person.items.append(Item(product_name, unit, price, asked, granted))
        by_product.setdefault(item_id, (price, {}))[1][line_id] = granted
        line_of[line_id] = signup_id
    for price, quantities in by_product.values():
        for line_id, amount in split_amount(price, quantities).items():
            people[line_of[line_id]].amount += amount
    if people:
        for signup_id, intent_id in db.session.execute(
                select(SharePayment.signup_id, SharePayment.intent_id)
                .where(SharePayment.signup_id.in_(list(people)), SharePayment.state == PaymentState.SUCCEEDED)):
            people[signup_id].paid_online = intent_id or "-"
    return list(people.values())


def share_amount(signup: RoundSignup) -> Decimal:
    """What the person owes for the round, exactly as the hand-out list shows it (the order's line totals split
    to the fen among the people they serve): what an online payment of the share charges."""
    person = next((p for p in _people([signup.round_id]) if p.signup_id == signup.id), None)
    return person.amount if person is not None else ZERO


def _orders_total(bulk_order_id: int | None) -> Decimal:
    if bulk_order_id is None:
        return ZERO
    return db.session.scalar(
        select(func.coalesce(func.sum(Order.total_amount), 0))
        .where(Order.bulk_order_id == bulk_order_id,
               Order.status.not_in([OrderStatus.CANCELLED, OrderStatus.REJECTED]))) or ZERO


def handout(purchase_round: PurchaseRound) -> Handout:
    """The hand-out list of the round, per pick-up place (the round's places first, in its order)."""
    by_place: dict[str, list[Person]] = defaultdict(list)
    for person in _people([purchase_round.id]):
        by_place[person.place].append(person)
    order = {place: n for n, place in enumerate(purchase_round.places)}
    places = [Place(name, people) for name, people in sorted(by_place.items(),
                                                              key=lambda kv: (order.get(kv[0], len(order)), kv[0]))]
    return Handout(purchase_round, places, Decimal(_orders_total(purchase_round.bulk_order_id)))


@dataclass
class Owed:
    round: PurchaseRound
    people: list[Person]

    @property
    def total(self) -> Decimal:
        return sum((person.owed for person in self.people), ZERO)


def owed_by_round(organisation_id: int) -> list[Owed]:
    """Per ordered round of the unit (newest first), the people who still owe money for what they were granted."""
    rounds = db.session.scalars(select(PurchaseRound).where(PurchaseRound.organisation_id == organisation_id,
                                                            PurchaseRound.status == RoundStatus.ORDERED)
                                .order_by(PurchaseRound.ordered_at.desc(), PurchaseRound.id.desc())).all()
    people = _people([r.id for r in rounds]) if rounds else []
    result = []
    for purchase_round in rounds:
        owing = [p for p in people if p.round_id == purchase_round.id and p.owed > 0]
        if owing:
            result.append(Owed(purchase_round, owing))
    return result


# --- ticks ---------------------------------------------------------------------------------------------------

#: mark → (time column, by column, set or clear, audit action)
MARKS = {
    "paid": ("paid_at", "paid_recorded_by_id", True, "purchase_rounds.paid"),
    "unpaid": ("paid_at", "paid_recorded_by_id", False, "purchase_rounds.unpaid"),
    "handed": ("handed_out_at", "handed_out_by_id", True, "purchase_rounds.handed_out"),
    "not-handed": ("handed_out_at", "handed_out_by_id", False, "purchase_rounds.not_handed_out"),
}


def signup_of(purchase_round: PurchaseRound, signup_id: int) -> RoundSignup | None:
    return db.session.scalar(select(RoundSignup).where(RoundSignup.id == signup_id,
                                                       RoundSignup.round_id == purchase_round.id))


def mark(user, signup: RoundSignup, what: str, *, now: datetime | None = None) -> bool:
    """Record money received or goods handed out (or take it back): one conditional UPDATE, so the second of two
    clicks changes nothing. Returns whether this call changed it."""
    if what not in MARKS:
        raise RuleError(_("Unknown mark."))
    if decide(user, Action.HAND_OUT, signup.round) is not Decision.ALLOWED:
        raise RuleError(_("Only the unit's organisers record the hand-out."))
    if signup.round.status != RoundStatus.ORDERED:
        raise RuleError(_("The hand-out is recorded once the round is ordered."))
    at_column, by_column, setting, action = MARKS[what]
    table = RoundSignup.__table__
    done = table.c[at_column].is_(None) if setting else table.c[at_column].is_not(None)
    if what == "unpaid":  # a payment the person made online is the provider's record: never un-ticked here
        done = done & ~_online_payment(signup.id, (PaymentState.SUCCEEDED,)).exists()
    values = {at_column: now or utcnow(), by_column: user.id} if setting else {at_column: None, by_column: None}
    changed = db.session.execute(update(table).where(table.c.id == signup.id, done).values(**values)).rowcount == 1
    db.session.expire(signup, [at_column, by_column])
    if what == "unpaid" and not changed and db.session.scalar(
            _online_payment(signup.id, (PaymentState.SUCCEEDED,)).exists().select()):
        raise RuleError(_("This share was paid online: the payment cannot be un-ticked."))
    if what == "paid" and changed and db.session.scalar(
            _online_payment(signup.id, (PaymentState.PENDING,)).exists().select()):
        # Read after the UPDATE took the sign-up's row (which starting an online payment takes too), so this sees
        # a payment that started just before; raising rolls the tick back.
        raise RuleError(_("An online payment of this share is under way; wait for its result."))
    if changed:
        record(db.session, action, signup.round, {"person": [None, signup.user.name]})
    return changed


def _online_payment(signup_id: int, states: tuple[PaymentState, ...]):
    return select(SharePayment.id).where(SharePayment.signup_id == signup_id, SharePayment.state.in_(states))

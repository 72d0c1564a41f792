"""The life of an order after it is placed: who may move it from which state to which, and what each move
records. One conditional UPDATE per move (`market.state.change_state`); flushes, never commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _

from market import rules
from market.accounts.models import User
from market.catalog.models import StockReason
from market.catalog.operations import move_stock
from market.extensions import db
from market.i18n import SHANGHAI
from market.labels import label
from market.orders import notices
from market.orders.models import Order, OrderEvent, OrderStatus, PaymentStatus
from market.orders.rules import OrderError, WrongParty, WrongState, acting_party, action_text
from market.state import change_state
from market.types import utcnow


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


def allowed_actions(user: User, order: Order) -> list[str]:
    """The moves the person may make on the order now (the buttons its page offers)."""
    party = acting_party(user, order)
    return [name for name, t in TRANSITIONS.items() if t.party == party and order.status in t.from_states]


def _check_may(user: User, order: Order, transition: Transition) -> None:
    if acting_party(user, order) != transition.party:
        raise WrongParty(_("Only the %(party)s can do this.", party=_("supplier") if transition.party == "supplier"
                                                                         else _("buyer")))
    if order.status not in transition.from_states:
        raise WrongState(_("This cannot be done to an order that is %(status)s.", status=label(order.status)))


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
    _check_may(user, order, transition)
    now = now or utcnow()
    received, note, values = _MOVES[action](order, data, now)
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
    notices.tell_of_move(order, action, transition.party, note)  # the other party's message, in this transaction
    db.session.flush()


# Each move checks what it carries and returns (quantities received by line id, the event's note, the values
# written in the same statement as the new status).


def _confirm(order: Order, data: dict, now: datetime):
    """Optionally another delivery day than the buyer asked for (recorded on the order and in its history)."""
    proposed = rules.day(data.get("proposed_delivery_date"), "proposed_delivery_date")
    if proposed is None or proposed == order.requested_delivery_date:
        return {}, None, {"confirmed_at": now}
    if proposed < now.astimezone(SHANGHAI).date():
        raise OrderError(_("The delivery date cannot be in the past."), "proposed_delivery_date")
    return {}, proposed.isoformat(), {"confirmed_at": now, "proposed_delivery_date": proposed}


def _reject(order: Order, data: dict, now: datetime):
    note = action_text(data, "reason")
    if not note:
        raise OrderError(_("Say why the order is rejected."), "reason")
    return {}, note, {"rejected_at": now, "reject_reason": note}


def _ship(order: Order, data: dict, now: datetime):
    carrier = action_text(data, "carrier")
    if not carrier:
        raise OrderError(_("Name the carrier (or your own delivery)."), "carrier")
    return {}, None, {"carrier": carrier, "tracking_number": action_text(data, "tracking_number"), "shipped_at": now}


def _deliver(order: Order, data: dict, now: datetime):
    return {}, None, {"delivered_at": now}


def _accept(order: Order, data: dict, now: datetime):
    """What arrived per line (line id → quantity; default: everything) and the quality note; less is a
    shortfall. Checked before the order moves; written after."""
    received = data.get("received") or {}
    if not isinstance(received, Mapping):
        raise OrderError(_("An object of product id to quantity received."), "received")
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
    note = action_text(data, "note")
    if any(arrived[line.id] < line.quantity for line in order.lines) and not note:
        raise OrderError(_("Describe the shortfall in the note."), "note")
    return arrived, note, {"accepted_at": now, "acceptance_note": note}


def _rate(order: Order, data: dict, now: datetime):
    try:
        rating = int(str(data.get("rating", "")).strip())
    except ValueError:
        rating = 0
    if not 1 <= rating <= 5:
        raise OrderError(_("Give a rating from 1 to 5."), "rating")
    note = action_text(data, "comment")
    return {}, note, {"rating": rating, "rating_comment": note, "rated_at": now}


def _cancel(order: Order, data: dict, now: datetime):
    note = action_text(data, "reason")
    if order.payment_status == PaymentStatus.PAID and not note:
        raise OrderError(_("Say why the order is cancelled: the payment will be refunded."), "reason")
    return {}, note, {"cancelled_at": now, "cancel_reason": note}


_MOVES = {"confirm": _confirm, "reject": _reject, "ship": _ship, "deliver": _deliver, "accept": _accept,
          "rate": _rate, "cancel": _cancel}

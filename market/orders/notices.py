"""The messages of an order's life: their texts (registered with the message centre) and who is told of each
move. Called by the operations (placing, `life.perform`), in their transaction."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.notifications.operations import Notice, PeopleOf, notify, notify_all
from market.notifications.registry import register_kind
from market.orders.models import Order

register_kind("order.placed", _l("New order %(reference)s from %(buyer)s, total ¥%(total)s: confirm it."),
              needs_action=True)
register_kind("order.placed.delivery",
              _l("New order %(reference)s from %(buyer)s, total ¥%(total)s, to deliver to %(address)s (%(recipient)s, "
                 "%(phone)s), requested for %(day)s: confirm it."), needs_action=True)
register_kind("order.confirmed", _l("Order %(reference)s was confirmed by %(supplier)s."))
register_kind("order.date_proposed", _l("Order %(reference)s was confirmed by %(supplier)s, who proposes to deliver "
                                        "on %(day)s instead."))
register_kind("order.rejected", _l("Order %(reference)s was rejected by %(supplier)s: %(reason)s"))
register_kind("order.shipped", _l("Order %(reference)s was shipped by %(supplier)s: accept it when it arrives."),
              needs_action=True)
register_kind("order.delivered", _l("Order %(reference)s was delivered: check it and accept it."),
              needs_action=True)
register_kind("order.cancelled", _l("Order %(reference)s was cancelled by %(party)s: %(reason)s"))
register_kind("order.accepted", _l("Order %(reference)s was accepted by %(buyer)s."))
register_kind("order.rated", _l("Order %(reference)s was rated %(rating)s of 5 by %(buyer)s."))

#: Which move tells which party: action → (message kind, "buyer" or "supplier").
_TOLD = {"confirm": ("order.confirmed", "buyer"), "reject": ("order.rejected", "buyer"),
         "ship": ("order.shipped", "buyer"), "deliver": ("order.delivered", "buyer"),
         "accept": ("order.accepted", "supplier"), "rate": ("order.rated", "supplier")}


def _link(order: Order):
    return ("orders.detail", {"order_id": order.id})


def placed_notice(order: Order) -> Notice:
    """The supplier's message of a new order, from what placing holds in memory (its buyer and its copy of the
    delivery: where, to whom, which day)."""
    params = {"reference": order.reference, "buyer": order.buyer.name, "total": str(order.total_amount)}
    if not order.delivery_address:
        return Notice(PeopleOf(order.supplier_id), "order.placed", _link(order), ("order", order.id), params)
    return Notice(PeopleOf(order.supplier_id), "order.placed.delivery", _link(order), ("order", order.id),
                  {**params, "address": order.delivery_address, "recipient": order.delivery_recipient or "—",
                   "phone": order.delivery_phone or "—",
                   "day": order.requested_delivery_date.isoformat() if order.requested_delivery_date else "—"})


def tell_of_new_orders(orders: list[Order]) -> None:
    """Every new order's supplier, in one statement."""
    notify_all([placed_notice(order) for order in orders])


def tell_of_move(order: Order, action: str, acting_party: str, note: str | None) -> None:
    """The other party hears of a move (a cancellation goes to whoever did not cancel)."""
    if action == "cancel":
        other = order.supplier_id if acting_party == "buyer" else order.buyer_id
        party = order.buyer.name if acting_party == "buyer" else order.supplier.name
        notify(PeopleOf(other), "order.cancelled", _link(order), about=("order", order.id),
               reference=order.reference, party=party, reason=note or "—")
        return
    if action not in _TOLD:
        return
    kind, party = _TOLD[action]
    if action == "confirm" and order.proposed_delivery_date is not None:
        notify(PeopleOf(order.buyer_id), "order.date_proposed", _link(order), about=("order", order.id),
               reference=order.reference, supplier=order.supplier.name, day=order.proposed_delivery_date.isoformat())
        return
    notify(PeopleOf(order.buyer_id if party == "buyer" else order.supplier_id), kind, _link(order),
           about=("order", order.id), reference=order.reference, supplier=order.supplier.name,
           buyer=order.buyer.name, reason=note or "—", rating=order.rating or "")

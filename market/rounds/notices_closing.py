"""The messages of a round's order, and the audit log's words for what closing and handing out record: each staff
member hears by name what they are granted, what they owe, and where and when to collect; one who was cut hears by
how much."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from market.accounts.models import User
from market.audit.labels import ACTIONS, KINDS, Field
from market.extensions import db
from market.i18n import money, quantity
from market.labels import label
from market.notifications.operations import Notice, notify_all
from market.notifications.registry import register_kind
from market.rounds import labels as _round_labels  # noqa: F401  (registers the round's audit kind first)
from market.rounds.models import PurchaseRound
from market.rounds.planning import Plan

register_kind("round.ordered", _l("The staff purchase round \"%(title)s\" is ordered. You get %(items)s, ¥%(amount)s "
                                  "to pay; collect at %(place)s on %(day)s."))
register_kind("round.ordered.cut", _l("The staff purchase round \"%(title)s\" is ordered, but stock ran short: "
                                      "%(cuts)s. You get %(items)s, ¥%(amount)s to pay; collect at %(place)s on "
                                      "%(day)s."))

ACTIONS.update({
    "purchase_rounds.order": _l("ordered a staff purchase round"),
    "purchase_rounds.reprice": _l("took the new prices into a staff purchase round"),
    "purchase_rounds.paid": _l("recorded a staff member's payment"),
    "purchase_rounds.unpaid": _l("took back a staff member's payment"),
    "purchase_rounds.handed_out": _l("recorded goods handed out to a staff member"),
    "purchase_rounds.not_handed_out": _l("took back a hand-out to a staff member"),
})
KINDS["purchase_rounds"].fields.update({"person": Field(_l("Staff member")), "cuts": Field(_l("Lines cut")),
                                        "total": Field(_l("Total"), "money"), "prices": Field(_l("Prices"))})


def _items(entries: list[tuple[str, Decimal, object]]) -> str:
    return "; ".join(f"{name} {quantity(qty)} {label(unit)}" for name, qty, unit in entries if qty > 0) or "—"


def tell_of_round_order(purchase_round: PurchaseRound, the_plan: Plan) -> None:
    """Every person signed up, in one statement."""
    amounts = the_plan.amounts()
    granted: dict[int, list] = {}
    cuts: dict[int, list[str]] = {}
    who: dict[int, tuple[int, str]] = {}
    for product in the_plan.products:
        for line in product.lines:
            who[line.signup_id] = (line.user_id, line.pickup_place)
            granted.setdefault(line.signup_id, []).append((product.name, line.granted, product.unit))
            if line.cut > 0:
                cuts.setdefault(line.signup_id, []).append(
                    _("%(name)s: %(asked)s asked, %(granted)s granted (%(amount)s less)", name=product.name,
                           asked=quantity(line.asked), granted=quantity(line.granted),
                           amount=money((product.price * line.cut).quantize(Decimal("0.01")))))
    people = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_([user_id for user_id, _place in who.values()])))}
    notices = []
    for signup_id, (user_id, place) in who.items():
        params = {"title": purchase_round.title, "items": _items(granted[signup_id]),
                  "amount": str(amounts.get(signup_id, Decimal("0.00"))), "place": place,
                  "day": purchase_round.pickup_day.isoformat()}
        kind = "round.ordered"
        if signup_id in cuts:
            kind, params["cuts"] = "round.ordered.cut", "; ".join(cuts[signup_id])
        notices.append(Notice(people[user_id], kind, ("rounds.detail", {"round_id": purchase_round.id}),
                              ("purchase_round", purchase_round.id), params))
    notify_all(notices)


from __future__ import annotations

import re
from decimal import Decimal

from flask import abort, request
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from market.catalog.models import Unit
from market.catalog.forms import CartAddForm  # noqa: F401  (the product page's form; orders.cart_add reads it)
from market.forms import BaseForm
from market.orders.placing import DeliveryRequest
from market.orders.rules import ORDER_TEXT_LIMITS
from market.rules import RuleError, price


class CartQuantityForm(BaseForm):
    quantity = StringField(_l("Quantity"), validators=[DataRequired(message=_l("Enter the quantity."))])
    #: The cart line the form is for (the page has one form per line): a refused quantity returns beside it.
    item_id = HiddenField()


_SEEN_PRICE = re.compile(r"seen_price_(\d{1,18})")


class PlaceOrderForm(BaseForm):
    #: One-time token: a second submission of the same cart finds the first placement.
    client_token = HiddenField(validators=[DataRequired()])
    #: The address (its id, as text: the operation reads it and refuses another organisation's), the day and
    #: the note; what they may be is the operation's to say (market/orders/placing.py).
    delivery_address_id = SelectField(_l("Delivery address"), choices=[], validate_choice=False)
    requested_delivery_date = StringField(_l("Requested delivery date"), render_kw={"type": "date"})
    note = TextAreaField(_l("Note to the supplier"))

    def offer(self, addresses) -> None:
        """The organisation's addresses to choose from (the first chosen by default); none to choose when it
        keeps none (the order then carries no address)."""
        self.delivery_address_id.choices = [("", "—")] if not addresses else []
        self.delivery_address_id.choices += [(str(a.id), a.one_line()) for a in addresses]
        if addresses and not self.delivery_address_id.data:
            self.delivery_address_id.data = str(addresses[0].id)

    def delivery(self) -> DeliveryRequest:
        return DeliveryRequest(address_id=self.delivery_address_id.data or None,
                               requested_date=self.requested_delivery_date.data, note=self.note.data)

    @staticmethod
    def seen_prices() -> dict[int, tuple[Decimal, Unit | None]]:
        """The price and unit of each cart line as the cart page showed them (its hidden `seen_price_<id>` and
        `seen_unit_<id>` fields), by product id. A malformed one is not something a person typed: 400."""
        units = {unit.value: unit for unit in Unit}
        seen = {}
        for key, raw in request.form.items():
            if (match := _SEEN_PRICE.fullmatch(key)) is None:
                continue
            try:
                value = price(raw)
            except RuleError:
                abort(400)
            seen[int(match.group(1))] = (value, units.get(request.form.get(f"seen_unit_{match.group(1)}") or ""))
        return seen

    @staticmethod
    def invoice_wish() -> dict | None:
        """The invoice the cart's invoice choice asks for (`invoice_details_id`: saved details), or None."""
        chosen = (request.form.get("invoice_details_id") or "").strip()
        return {"details_id": chosen} if chosen else None


def _limit(field: str) -> Length:
    return Length(max=ORDER_TEXT_LIMITS[field])


class ActionForm(BaseForm):
    """The fields any order action may use; `life.perform` checks the ones its action needs."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), _limit("reason")])
    carrier = StringField(_l("Carrier"), validators=[Optional(), _limit("carrier")])
    tracking_number = StringField(_l("Tracking number"), validators=[Optional(), _limit("tracking_number")])
    note = TextAreaField(_l("Quality note"), validators=[Optional(), _limit("note")])
    rating = SelectField(_l("Rating"), choices=[SelectChoice("", "—")] + [SelectChoice(str(n), "★" * n)
                                                                         for n in range(5, 0, -1)],
                         default="", validate_choice=False)
    comment = TextAreaField(_l("Comment"), validators=[Optional(), _limit("comment")])
    #: Confirming: another delivery day than the buyer asked for (optional), read by the operation.
    proposed_delivery_date = StringField(_l("Propose another delivery date"), render_kw={"type": "date"})

    def action_data(self) -> dict:
        """What the action carries, as `life.perform` reads it (the API sends the same keys in JSON)."""
        received = {key[len("received_"):]: value for key, value in request.form.items()
                    if key.startswith("received_")}
        return {"reason": self.reason.data, "carrier": self.carrier.data, "tracking_number": self.tracking_number.data,
                "note": self.note.data, "rating": self.rating.data, "comment": self.comment.data,
                "received": received, "proposed_delivery_date": self.proposed_delivery_date.data}

"""Forms of purchase rounds: opening one, and signing up. They only collect what was typed: the operations read
every number, date and text through the bounded rules (market.rules), so the pages and the API refuse alike."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from market.forms import BaseForm
from market.labels import choices
from market.numbers import whole_number
from market.rounds import labels as _labels  # noqa: F401  (the enums' names, for the choices)
from market.rounds.models import Fairness, NameDisplay, PaymentMode
from market.rounds.operations import MAX_PRODUCTS, RoundItem, SignupRequest


class RoundForm(BaseForm):
    """Opening a round; the products come as checkboxes `product` (ids) with a `limit-<id>` input each."""

    #: The new round's share token, made when the form is shown: posting the same form twice opens one round.
    once = HiddenField()
    title = StringField(_l("Title"), render_kw={"maxlength": 120})
    note = TextAreaField(_l("Note for the staff chat"), render_kw={"rows": 3})
    closes_at = StringField(_l("Sign-ups close at"), render_kw={"type": "datetime-local"})
    pickup_places = TextAreaField(_l("Pick-up places (one per line)"), render_kw={"rows": 2})
    pickup_day = StringField(_l("Pick-up day"), render_kw={"type": "date"})
    payment_mode = RadioField(_l("How staff pay"), choices=choices(PaymentMode), default=PaymentMode.IN_PERSON.value,
                              validate_choice=False)
    name_display = RadioField(_l("Names on the running list"), choices=choices(NameDisplay),
                              default=NameDisplay.SURNAME.value, validate_choice=False)
    fairness = RadioField(_l("If stock runs short"), choices=choices(Fairness), default=Fairness.FIRST_COME.value,
                          validate_choice=False)

    def items(self, formdata) -> list[RoundItem]:
        """The products ticked, each with its per-person limit as typed (ids past MAX_PRODUCTS are cut: the
        operation refuses more than that anyway)."""
        ids = [whole_number(value) for value in formdata.getlist("product")[:MAX_PRODUCTS + 1]]
        return [RoundItem(product_id=product_id, per_person_limit=formdata.get(f"limit-{product_id}", ""))
                for product_id in dict.fromkeys(i for i in ids if i is not None)]

    def fields(self) -> dict:
        return {name: getattr(self, name).data for name in ("title", "note", "closes_at", "pickup_places",
                                                            "pickup_day", "payment_mode", "name_display",
                                                            "fairness")} | {"share_token": self.once.data or None}


class SignupForm(BaseForm):
    """A sign-up: a `qty-<product id>` input per product of the round and the pick-up place."""

    pickup_place = SelectField(_l("Pick-up place"), choices=[], validate_choice=False)

    def lines(self, formdata, product_ids: list[int]) -> list[SignupRequest]:
        return [SignupRequest(product_id=product_id, quantity=formdata.get(f"qty-{product_id}") or "0")
                for product_id in product_ids]

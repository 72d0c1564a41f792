from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from market.catalog.forms import CartAddForm  # noqa: F401  (the product page's form; orders.cart_add reads it)
from market.forms import BaseForm
from market.labels import choices
from market.orders.models import CanteenMode


class CartQuantityForm(BaseForm):
    quantity = StringField(_l("Quantity"), validators=[DataRequired(message=_l("Enter the quantity."))])


class PlaceOrderForm(BaseForm):
    #: One-time token: a second submission of the same cart finds the first placement.
    client_token = HiddenField(validators=[DataRequired()])


class ActionForm(BaseForm):
    """The fields any order action may use; `operations.perform` checks the ones its action needs."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])
    carrier = StringField(_l("Carrier"), validators=[Optional(), Length(max=80)])
    tracking_number = StringField(_l("Tracking number"), validators=[Optional(), Length(max=80)])
    note = TextAreaField(_l("Quality note"), validators=[Optional(), Length(max=2000)])
    rating = SelectField(_l("Rating"), choices=[SelectChoice("", "—")] + [SelectChoice(str(n), "★" * n)
                                                                         for n in range(5, 0, -1)],
                         default="", validate_choice=False)
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)])


class ReservedShareForm(BaseForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2015, max=2100)])
    canteen_mode = SelectField(_l("Canteen"), choices=choices(CanteenMode))
    canteen_spending = StringField(_l("Canteen food spending this year (CNY)"), default="0")
    share_percent = StringField(_l("Share reserved for poverty-area produce (%)"))
    contractor_name = StringField(_l("Contractor running the canteen"), validators=[Optional(), Length(max=200)])
    covered_units = SelectMultipleField(_l("Other units sharing the canteen"), coerce=int, validate_choice=False)

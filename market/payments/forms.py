from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from market.forms import BaseForm
from market.labels import choices
from market.payments.models import PaymentMethod
from market.payments.rules import PAYMENT_TEXT_LIMITS


class CardPaymentForm(BaseForm):
    #: Test mode (fake server): one of the test cards.
    test_card = RadioField(_l("Test card"), validate_choice=False)
    #: Production: the PaymentMethod id Stripe.js made in the browser.
    payment_method = HiddenField()


class OfflinePaymentForm(BaseForm):
    method = SelectField(_l("Paid by"), choices=choices(PaymentMethod, exclude=(PaymentMethod.CARD,)))
    reference = StringField(_l("Transfer or card-slip reference"),
                            validators=[Optional(), Length(max=PAYMENT_TEXT_LIMITS["reference"])])
    received_on = DateField(_l("Money arrived on"), format="%Y-%m-%d", validators=[Optional()])


class RefundForm(BaseForm):
    amount = StringField(_l("Amount to refund (CNY)"))
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=PAYMENT_TEXT_LIMITS["reason"])])

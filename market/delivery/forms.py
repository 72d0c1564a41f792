from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TelField, TextAreaField

from market.forms import BaseForm


class AddressForm(BaseForm):
    """What is typed is read by the operation (market/delivery/rules.py), whose errors come back beside their
    fields."""

    place = TextAreaField(_l("Address"))
    recipient = StringField(_l("Recipient"))
    phone = TelField(_l("Phone"))
    notes = TextAreaField(_l("Delivery notes"))

    def fields(self) -> dict:
        return {"place": self.place.data, "recipient": self.recipient.data, "phone": self.phone.data,
                "notes": self.notes.data}

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from market.agreements.models import ScheduleKind
from market.forms import BaseForm
from market.labels import choices

WEEKDAYS = [(0, _l("Monday")), (1, _l("Tuesday")), (2, _l("Wednesday")), (3, _l("Thursday")), (4, _l("Friday")),
            (5, _l("Saturday")), (6, _l("Sunday"))]


def _product_id(form, field):
    """The product is chosen from a list, but a posted value is whatever was sent: an id or a field message."""
    from market.numbers import whole_number

    if field.data and whole_number(field.data) is None:
        raise ValidationError(_l("Choose a product from the list."))


class LineForm(Form):
    """One product line; blank lines are ignored."""

    product_id = SelectField(_l("Product"), coerce=str, default="", validate_choice=False, validators=[_product_id])
    quantity = StringField(_l("Quantity per delivery"))
    unit_price = StringField(_l("Agreed price per unit (CNY)"))


class AgreementForm(BaseForm):
    lines = FieldList(FormField(LineForm), min_entries=4, max_entries=10)
    schedule_kind = SelectField(_l("Deliveries"), choices=choices(ScheduleKind))
    weekdays = SelectMultipleField(_l("On"), coerce=int, option_widget=CheckboxInput(),
                                   widget=ListWidget(prefix_label=False), validate_choice=False)
    month_day = IntegerField(_l("Day of the month (1–28)"), validators=[Optional()])
    start_date = DateField(_l("Start"), format="%Y-%m-%d", validators=[Optional()])
    end_date = DateField(_l("End"), format="%Y-%m-%d", validators=[Optional()])
    delivery_place = StringField(_l("Delivery place"))
    note = TextAreaField(_l("Other terms"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from wtforms import SelectChoice

        self.weekdays.choices = [SelectChoice(value, label) for value, label in WEEKDAYS]

    def terms(self):
        from market.agreements.operations import LineTerms, Terms

        lines = [LineTerms(int(entry.product_id.data), entry.quantity.data, entry.unit_price.data)
                 for entry in self.lines if entry.product_id.data]
        return Terms(lines=lines, schedule_kind=self.schedule_kind.data, weekdays=list(self.weekdays.data or []),
                     month_day=self.month_day.data, start_date=self.start_date.data, end_date=self.end_date.data,
                     delivery_place=self.delivery_place.data or "", note=self.note.data)


class TerminateForm(BaseForm):
    reason = TextAreaField(_l("Why it ends early"))


#: Said when a sign request does not carry the version the page showed (an old page, a hand-made request).
NO_VERSION_SHOWN = _l("The page did not say which version of the terms you sign. Open the agreement again and "
                      "sign the version shown.")


class SignForm(BaseForm):
    """The sign button: it says which version of the terms the page showed, and only that version is signed."""

    version = IntegerField("", widget=HiddenInput(),
                           validators=[InputRequired(NO_VERSION_SHOWN), NumberRange(1, 1_000_000, NO_VERSION_SHOWN)])

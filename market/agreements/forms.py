from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from market.agreements.models import AgreementVersion, ScheduleKind
from market.agreements.terms import WEEKDAYS, LineTerms, Terms
from market.forms import BaseForm
from market.labels import choices, label
from market.numbers import whole_number


def _product_id(form, field):
    """The product is chosen from a list, but a posted value is whatever was sent: an id or a field message."""
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
        self.weekdays.choices = [SelectChoice(value, label) for value, label in WEEKDAYS]

    def offer(self, products) -> None:
        """The products every line may name: the supplier's listed ones."""
        options = [SelectChoice("", "—")] + [SelectChoice(str(p.id), f"{p.name} · ¥{p.price}/{label(p.unit)}")
                                             for p in products]
        for entry in self.lines:
            entry.product_id.choices = options

    def terms(self) -> Terms:
        lines = [LineTerms(int(entry.product_id.data), entry.quantity.data, entry.unit_price.data)
                 for entry in self.lines if entry.product_id.data]
        return Terms(lines=lines, schedule_kind=self.schedule_kind.data, weekdays=list(self.weekdays.data or []),
                     month_day=self.month_day.data, start_date=self.start_date.data, end_date=self.end_date.data,
                     delivery_place=self.delivery_place.data or "", note=self.note.data)


def new_terms(today: date, product_id: str | None = None) -> dict:
    """What a new agreement's form shows first: a year from today, and the product it was opened for."""
    return {"start_date": today, "end_date": today.replace(year=today.year + 1),
            "lines": [{"product_id": product_id}] if product_id else []}


def version_terms(version: AgreementVersion) -> dict:
    """What the form shows to change an agreement: the terms of its latest version."""
    return {"lines": [{"product_id": str(line.product_id), "quantity": f"{line.quantity.normalize():f}",
                       "unit_price": f"{line.unit_price}"} for line in version.lines],
            "schedule_kind": version.schedule_kind.value, "weekdays": version.weekday_list,
            "month_day": version.month_day, "start_date": version.start_date, "end_date": version.end_date,
            "delivery_place": version.delivery_place, "note": version.note}


class TerminateForm(BaseForm):
    reason = TextAreaField(_l("Why it ends early"))


#: Said when a sign request does not carry the version the page showed (an old page, a hand-made request).
NO_VERSION_SHOWN = _l("The page did not say which version of the terms you sign. Open the agreement again and "
                      "sign the version shown.")


class SignForm(BaseForm):
    """The sign button: it says which version of the terms the page showed, and only that version is signed."""

    version = IntegerField("", widget=HiddenInput(),
                           validators=[InputRequired(NO_VERSION_SHOWN), NumberRange(1, 1_000_000, NO_VERSION_SHOWN)])

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from market.accounts.models import BuyerSystem
from market.forms import BaseForm
from market.labels import choices


class SystemPairingForm(BaseForm):
    system = SelectField(_l("System"), choices=choices(BuyerSystem, exclude=(BuyerSystem.OTHER,)))
    county = SelectField(_l("Paired county"))
    valid_from = DateField(_l("Holds from"), format="%Y-%m-%d", validators=[DataRequired(message=_l("Enter a date."))])
    note = StringField(_l("Decision or document"), validators=[Optional(), Length(max=300)])


class VillagePairingForm(BaseForm):
    buyer = SelectField(_l("Village-stationed unit"), coerce=int)
    village = SelectField(_l("Assisted village"), coerce=int)
    valid_from = DateField(_l("Holds from"), format="%Y-%m-%d", validators=[DataRequired(message=_l("Enter a date."))])
    note = StringField(_l("Decision or document"), validators=[Optional(), Length(max=300)])


class DemandForm(BaseForm):
    product_name = StringField(_l("Product wanted (name)"), validators=[Optional(), Length(max=120)])
    category = SelectField(_l("Category"), default="")
    quantity = StringField(_l("Quantity"))
    unit = SelectField(_l("Unit"))
    wanted_by = DateField(_l("Wanted by"), format="%Y-%m-%d", validators=[DataRequired(message=_l("Enter a date."))])
    expected_price = StringField(_l("Expected price per unit (CNY, optional)"), validators=[Optional()])
    delivery_place = StringField(_l("Delivery place"), validators=[DataRequired(message=_l("Enter the delivery place.")),
                                                                   Length(max=300)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from market.catalog.models import Category, Unit

        self.category.choices = choices(Category, blank="—")
        self.unit.choices = choices(Unit)

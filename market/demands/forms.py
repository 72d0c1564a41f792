from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from market.catalog.models import Category, Unit
from market.forms import BaseForm
from market.labels import choices


class DemandForm(BaseForm):
    """The choices are offered here and checked once, by `operations.post_demand` (`validate_choice=False`)."""

    product_name = StringField(_l("Product wanted (name)"), validators=[Optional(), Length(max=120)])
    category = SelectField(_l("Category"), choices=choices(Category, blank="—"), default="", validate_choice=False)
    quantity = StringField(_l("Quantity"))
    unit = SelectField(_l("Unit"), choices=choices(Unit), validate_choice=False)
    wanted_by = DateField(_l("Wanted by"), format="%Y-%m-%d", validators=[DataRequired(message=_l("Enter a date."))])
    expected_price = StringField(_l("Expected price per unit (CNY, optional)"), validators=[Optional()])
    delivery_place = StringField(_l("Delivery place"), validators=[DataRequired(message=_l("Enter the delivery place.")),
                                                                   Length(max=300)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])

    def arguments(self) -> dict:
        """What `operations.post_demand` takes, as typed (it checks every value)."""
        return dict(product_name=self.product_name.data, category=self.category.data or None,
                    quantity=self.quantity.data, unit=self.unit.data, wanted_by=self.wanted_by.data,
                    expected_price=self.expected_price.data, delivery_place=self.delivery_place.data,
                    note=self.note.data)

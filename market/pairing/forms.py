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

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from market.accounts.models import BuyerSystem
from market.forms import BaseForm
from market.labels import choices


class SystemPairingForm(BaseForm):
    system = SelectField(_l("System"), choices=choices(BuyerSystem, exclude=(BuyerSystem.OTHER,)))
    #: The operation says when a county is not one of the city's (`validate_choice=False`): the rule is said once.
    county = SelectField(_l("Paired county"), validate_choice=False)
    valid_from = DateField(_l("Holds from"), format="%Y-%m-%d", validators=[DataRequired(message=_l("Enter a date."))])
    note = StringField(_l("Decision or document"), validators=[Optional(), Length(max=300)])


class VillagePairingForm(BaseForm):
    #: Which unit and village may be paired is the operation's rule (`add_village_pairing`), said once.
    buyer = SelectField(_l("Village-stationed unit"), coerce=int, validate_choice=False)
    village = SelectField(_l("Assisted village"), coerce=int, validate_choice=False)
    valid_from = DateField(_l("Holds from"), format="%Y-%m-%d", validators=[DataRequired(message=_l("Enter a date."))])
    note = StringField(_l("Decision or document"), validators=[Optional(), Length(max=300)])

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from market.catalog.models import Category
from market.forms import BaseForm
from market.labels import choices
from market.pledges.models import PledgeMode


class PledgeForm(BaseForm):
    amount = StringField(_l("Sum pledged (CNY)"))
    mode = SelectField(_l("Mode"), choices=choices(PledgeMode))
    start_date = DateField(_l("From"), format="%Y-%m-%d", validators=[Optional()])
    end_date = DateField(_l("To"), format="%Y-%m-%d", validators=[Optional()])
    county = SelectField(_l("Only from this county (optional)"), default="")
    category = SelectField(_l("Only this category (optional)"), choices=choices(Category, blank="—"), default="")
    note = TextAreaField(_l("Note (e.g. staff welfare purchase, holiday gifts)"), validators=[Optional(),
                                                                                              Length(max=1000)])
    show_publicly = BooleanField(_l("Show our firm on the public roll of honour"))


class ReviewForm(BaseForm):
    reason = TextAreaField(_l("Reason for returning it"), validators=[Optional(), Length(max=1000)])

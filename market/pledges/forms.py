from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from market.catalog.models import Category
from market.forms import BaseForm
from market.labels import choices
from market.pledges.models import PledgeMode


class PledgeForm(BaseForm):
    """The choices are offered here and checked once, by `operations.make_pledge` (`validate_choice=False`)."""

    amount = StringField(_l("Sum pledged (CNY)"))
    mode = SelectField(_l("Mode"), choices=choices(PledgeMode), validate_choice=False)
    start_date = DateField(_l("From"), format="%Y-%m-%d", validators=[Optional()])
    end_date = DateField(_l("To"), format="%Y-%m-%d", validators=[Optional()])
    county = SelectField(_l("Only from this county (optional)"), default="", validate_choice=False)
    category = SelectField(_l("Only this category (optional)"), choices=choices(Category, blank="—"), default="",
                           validate_choice=False)
    note = TextAreaField(_l("Note (e.g. staff welfare purchase, holiday gifts)"), validators=[Optional(),
                                                                                              Length(max=1000)])
    show_publicly = BooleanField(_l("Show our firm on the public roll of honour"))

    def arguments(self) -> dict:
        """What `operations.make_pledge` takes, as typed (it checks every value)."""
        return dict(amount=self.amount.data, mode=self.mode.data, start_date=self.start_date.data,
                    end_date=self.end_date.data, county=self.county.data or None,
                    category=self.category.data or None, note=self.note.data, show_publicly=self.show_publicly.data)


class ReviewForm(BaseForm):
    reason = TextAreaField(_l("Reason for returning it"), validators=[Optional(), Length(max=1000)])

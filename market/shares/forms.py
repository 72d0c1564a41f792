from __future__ import annotations

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from market.forms import BaseForm
from market.labels import choices
from market.shares.models import LIVE_COVERAGE, CanteenMode, ReservedShare


class ReservedShareForm(BaseForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2015, max=2100)])
    canteen_mode = SelectField(_l("Canteen"), choices=choices(CanteenMode))
    canteen_spending = StringField(_l("Canteen food spending this year (CNY)"), default="0")
    share_percent = StringField(_l("Share reserved for poverty-area produce (%)"))
    contractor_name = StringField(_l("Contractor running the canteen"), validators=[Optional(), Length(max=200)])
    covered_units = SelectMultipleField(_l("Other units sharing the canteen"), coerce=int, validate_choice=False)


def declaration_form(decl: ReservedShare | None, year: int, units) -> ReservedShareForm:
    """The declaration form for the year: what was declared (or the suggested share for a first declaration),
    unless the form was posted, or refused and sent back with what was typed."""
    if request.method == "POST":
        shown = None  # what was posted, and nothing else
    elif decl is not None:
        shown = {"year": year, "canteen_mode": decl.canteen_mode.value, "canteen_spending": decl.canteen_spending,
                 "share_percent": decl.share_percent, "contractor_name": decl.contractor_name,
                 "covered_units": [c.unit_id for c in decl.coverages if c.status in LIVE_COVERAGE]}
    else:
        shown = {"year": year, "share_percent": current_app.config["RESERVED_SHARE_SUGGESTED"]}
    form = ReservedShareForm(data=shown)
    form.covered_units.choices = [SelectChoice(unit.id, unit.name) for unit in units]
    return form

"""The form that places a closed round's order: how the last units are shared, and the cuts accepted."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField

from market.forms import BaseForm


class PlaceRoundForm(BaseForm):
    #: As the review page showed the plan (the operation reads it through `closing.read_fairness`).
    fairness = HiddenField()
    #: The digest of the plan shown (`Plan.digest`): the cuts accepted are the cuts placed.
    seen = HiddenField()
    accept_cuts = BooleanField(_l("I have checked the cuts: the people named get less than they asked for"))

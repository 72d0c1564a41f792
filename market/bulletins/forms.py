from flask_babel import lazy_gettext as _l
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from market.forms import BaseForm


class PublishForm(BaseForm):
    issue_date = DateField(_l("Issue date"), format="%Y-%m-%d",
                           validators=[DataRequired(message=_l("Enter the date of the issue."))])
    note = TextAreaField(_l("Note to readers"), validators=[Optional(), Length(max=2000)])

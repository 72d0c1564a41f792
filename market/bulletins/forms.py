from flask_babel import lazy_gettext as _l
from wtforms import DateField, TextAreaField
from wtforms.validators import Length, Optional

from market.bulletins.operations import NOTE_LIMIT
from market.forms import BaseForm


class PublishForm(BaseForm):
    """What `operations.publish_issue` reads; its rules (a date, moving forward, not in the future) are its own."""

    issue_date = DateField(_l("Issue date"), format="%Y-%m-%d", validators=[Optional()])
    note = TextAreaField(_l("Note to readers"), validators=[Length(max=NOTE_LIMIT)])

"""Forms of the staff pages. What is typed is read by the operations (`market.staff.rules`), whose errors come
back beside their fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, PasswordField, StringField, TelField, TextAreaField
from wtforms.validators import EqualTo

from market.accounts.forms import PASSWORD_RULES
from market.forms import BaseForm


class StaffForm(BaseForm):
    name = StringField(_l("Name"))
    email = EmailField(_l("Email"))
    phone = TelField(_l("Phone"))
    department = StringField(_l("Department"))

    def fields(self) -> dict:
        return {"name": self.name.data, "email": self.email.data, "phone": self.phone.data,
                "department": self.department.data}


class ImportForm(BaseForm):
    file = FileField(_l("Staff list (XLSX)"), validators=[FileRequired(message=_l("Choose a file."))])


class JoinForm(StaffForm):
    """A colleague's request to join, through the unit's invitation link."""

    password = PasswordField(_l("Password"), validators=PASSWORD_RULES)
    password_again = PasswordField(
        _l("Password again"), validators=[EqualTo("password", message=_l("The two passwords differ."))])

    def fields(self) -> dict:
        return {**super().fields(), "password": self.password.data}


class RenewForm(BaseForm):
    #: The link the manager saw (blank when there was none): a second click finds it renewed already.
    current = HiddenField()


class RefuseForm(BaseForm):
    reason = TextAreaField(_l("Reason"))

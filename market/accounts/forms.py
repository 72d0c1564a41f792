from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, EmailField, PasswordField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp, ValidationError

from market.accounts.models import MailPreference, BuyerSystem, BuyerType, OrgKind, Role, SupplierType
from market.accounts.operations import PASSWORD_LENGTH, SELF_REGISTERING_KINDS
from market.forms import BaseForm
from market.i18n import localized_name
from market.labels import choices
from market.regions.queries import counties

PASSWORD_RULES = [
    DataRequired(message=_l("Enter a password.")),
    Length(min=PASSWORD_LENGTH[0], max=PASSWORD_LENGTH[1],
           message=_l("The password must be 10 to 128 characters long.")),
]


def county_choices() -> list[tuple[str, str]]:
    return [SelectChoice("", _l("— choose —"))] + [SelectChoice(c.code, localized_name(c)) for c in counties()]


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=_l("Enter your email."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this computer"))


class RegistrationForm(BaseForm):
    kind = SelectField(
        _l("Your organisation is a"),
        choices=choices(OrgKind, exclude=tuple(k for k in OrgKind if k not in SELF_REGISTERING_KINDS)),
        validators=[DataRequired()],
    )
    organisation_name = StringField(
        _l("Name of the organisation"),
        validators=[DataRequired(message=_l("Enter the organisation's name.")), Length(max=200)],
    )
    credit_code = StringField(
        _l("Unified social credit code"),
        validators=[
            Optional(),
            Regexp(r"^[0-9A-HJ-NPQRTUWXY]{18}$", message=_l("A unified social credit code has 18 letters and digits.")),
        ],
    )
    # No Optional() on the next three: it would stop the chain before the validate_<field> checks below.
    county = SelectField(_l("County or district"), default="")
    supplier_type = SelectField(_l("Type of supplier"), choices=choices(SupplierType, blank="—"), default="")
    buyer_system = SelectField(_l("System"), choices=choices(BuyerSystem, blank="—"), default="")
    buyer_type = SelectField(_l("Type of buyer"), choices=choices(BuyerType, blank="—"), default="")
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Enter your name.")), Length(max=80)])
    phone = TelField(
        _l("Phone"),
        validators=[Optional(), Regexp(r"^[0-9+\- ]{7,20}$", message=_l("Enter a phone number of digits."))],
    )
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(message=_l("Enter your email.")),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
            Length(max=254),
        ],
    )
    password = PasswordField(_l("Password"), validators=PASSWORD_RULES)
    password_again = PasswordField(
        _l("Password again"), validators=[EqualTo("password", message=_l("The two passwords differ."))]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.county.choices = county_choices()

    def validate_county(self, field):
        if self.kind.data == OrgKind.SUPPLIER and not field.data:
            raise ValidationError(_l("Suppliers choose their county or district."))

    def validate_supplier_type(self, field):
        if self.kind.data == OrgKind.SUPPLIER and not field.data:
            raise ValidationError(_l("Choose the type of supplier."))

    def validate_buyer_system(self, field):
        if self.kind.data == OrgKind.BUYER and not field.data:
            raise ValidationError(_l("Choose the system your unit belongs to."))


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(message=_l("Enter your current password."))]
    )
    password = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    password_again = PasswordField(
        _l("New password again"), validators=[EqualTo("password", message=_l("The two passwords differ."))]
    )


class ProfileForm(BaseForm):
    name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Enter your name.")), Length(max=80)])
    phone = TelField(
        _l("Phone"),
        validators=[Optional(), Regexp(r"^[0-9+\- ]{7,20}$", message=_l("Enter a phone number of digits."))],
    )
    mail_preference = SelectField(_l("Messages by e-mail"), choices=lambda: choices(MailPreference),
                                  validators=[DataRequired()])


class MemberForm(BaseForm):
    """A manager adds a colleague to the organisation."""

    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter the name.")), Length(max=80)])
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(message=_l("Enter the email.")),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
        ],
    )
    role = SelectField(_l("Role"), choices=choices(Role))
    password = PasswordField(_l("First password"), validators=PASSWORD_RULES)


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])


class TokenForm(BaseForm):
    name = StringField(_l("Name of the token (what uses it)"),
                       validators=[DataRequired(message=_l("Give the token a name.")), Length(max=80)])

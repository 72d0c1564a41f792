from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from market.forms import BaseForm
from market.invoices.bank import BANK_LIMITS
from market.invoices.details import DETAIL_LIMITS
from market.invoices.models import InvoiceKind
from market.invoices.recording import NUMBER_LIMIT, REASON_LIMIT
from market.labels import choices


class DetailsForm(BaseForm):
    title = StringField(_l("Invoice title (抬头)"), validators=[Length(max=DETAIL_LIMITS["title"])])
    taxpayer_number = StringField(_l("Taxpayer number (unified social credit code, 18 characters)"),
                                  validators=[Length(max=24)])
    address_phone = StringField(_l("Address and phone"), validators=[Length(max=DETAIL_LIMITS["address_phone"])])
    bank_account = StringField(_l("Bank and account"), validators=[Length(max=DETAIL_LIMITS["bank_account"])])
    kind = SelectField(_l("Kind of invoice"), choices=choices(InvoiceKind))

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in ("title", "taxpayer_number", "address_phone",
                                                            "bank_account", "kind")}


class InvoiceForm(BaseForm):
    number = StringField(_l("Invoice number"), validators=[Length(max=NUMBER_LIMIT)])
    issued_on = DateField(_l("Invoice date"), format="%Y-%m-%d", validators=[Optional()])
    amount = StringField(_l("Amount (CNY)"))
    kind = SelectField(_l("Kind of invoice"), choices=choices(InvoiceKind))
    pdf = FileField(_l("The invoice as PDF (optional)"))


class RedLetterForm(BaseForm):
    number = StringField(_l("Red-letter invoice number"), validators=[Length(max=NUMBER_LIMIT)])
    issued_on = DateField(_l("Invoice date"), format="%Y-%m-%d", validators=[Optional()])
    amount = StringField(_l("Amount taken off (CNY)"))
    reason = TextAreaField(_l("Reason (refund, shortfall)"), validators=[Length(max=REASON_LIMIT)])
    pdf = FileField(_l("The invoice as PDF (optional)"))


class BankAccountForm(BaseForm):
    account_name = StringField(_l("Account name"), validators=[Length(max=BANK_LIMITS["account_name"])])
    bank_name = StringField(_l("Bank and branch"), validators=[Length(max=BANK_LIMITS["bank_name"])])
    account_number = StringField(_l("Account number"), validators=[Length(max=48)])


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[Length(max=1000)])

"""A supplier's bank account for transfers (对公转账): kept on its organisation, reviewed by its county office
like a listing (pending → approved, or returned with a reason), shown to budget units once approved. Flushes,
never commits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from market.accounts.models import Organisation, OrgKind, OrgStatus, User
from market.extensions import db
from market.invoices.details import InvoiceError
from market.invoices.models import BankAccount, ReviewStatus
from market.state import change_state
from market.types import utcnow

BANK_LIMITS = {"account_name": 200, "bank_name": 200, "account_number": 40, "reason": 1000}


def account_of(org: Organisation) -> BankAccount | None:
    return db.session.scalar(select(BankAccount).where(BankAccount.organisation_id == org.id))


def approved_account_of(org_id: int) -> BankAccount | None:
    return db.session.scalar(select(BankAccount).where(BankAccount.organisation_id == org_id,
                                                       BankAccount.status == ReviewStatus.APPROVED))


def _text(data: Mapping, field: str, message: str) -> str:
    value = data.get(field)
    text = (value if isinstance(value, str) else "").strip()
    if not text:
        raise InvoiceError(message, field)
    if len(text) > BANK_LIMITS[field]:
        raise InvoiceError(_("The text is too long (at most %(n)s characters).", n=BANK_LIMITS[field]), field)
    return text


def account_number(value) -> str:
    number = (value if isinstance(value, str) else "").replace(" ", "").replace("-", "")
    if not number:
        raise InvoiceError(_("Enter the account number."), "account_number")
    if not number.isascii() or not number.isdigit() or not 8 <= len(number) <= 32:
        raise InvoiceError(_("An account number is 8 to 32 digits."), "account_number")
    return number


def save_account(user: User, data: Mapping, *, now: datetime | None = None) -> BankAccount:
    """The supplier's manager enters or changes the account; either way it waits for the county office's review
    (budget units see no account meanwhile)."""
    org = user.organisation
    if org.kind != OrgKind.SUPPLIER or org.status != OrgStatus.ACTIVE:
        raise InvoiceError(_("Only approved suppliers keep a bank account here."))
    if not user.is_manager:
        raise InvoiceError(_("Only a manager of the organisation changes its bank account."))
    values = {"account_name": _text(data, "account_name", _("Enter the account name.")),
              "bank_name": _text(data, "bank_name", _("Enter the bank and branch.")),
              "account_number": account_number(data.get("account_number"))}
    now = now or utcnow()
    account = account_of(org)
    if account is None:
        account = BankAccount(organisation_id=org.id, **values)
        db.session.add(account)
    else:
        for key, value in values.items():
            setattr(account, key, value)
    account.status, account.return_reason, account.submitted_at = ReviewStatus.PENDING, None, now
    account.reviewed_at = account.reviewed_by_id = None
    db.session.flush()
    return account


def _reviewer(user: User, account: BankAccount) -> None:
    org = user.organisation
    if not (org.kind == OrgKind.COUNTY_OFFICE and org.status == OrgStatus.ACTIVE
            and org.county_id == account.organisation.county_id):
        raise InvoiceError(_("Only the supplier's county office reviews its bank account."))


def approve_account(account: BankAccount, user: User, *, now: datetime | None = None) -> None:
    _reviewer(user, account)
    now = now or utcnow()
    change_state(account, (ReviewStatus.PENDING,), ReviewStatus.APPROVED, reviewed_at=now,
                 reviewed_by_id=user.id, return_reason=None)


def return_account(account: BankAccount, user: User, reason, *, now: datetime | None = None) -> None:
    _reviewer(user, account)
    text = (reason if isinstance(reason, str) else "").strip()
    if not text:
        raise InvoiceError(_("Say why the account is returned."), "reason")
    if len(text) > BANK_LIMITS["reason"]:
        raise InvoiceError(_("The text is too long (at most %(n)s characters).", n=BANK_LIMITS["reason"]), "reason")
    now = now or utcnow()
    change_state(account, (ReviewStatus.PENDING,), ReviewStatus.RETURNED, reviewed_at=now,
                 reviewed_by_id=user.id, return_reason=text)

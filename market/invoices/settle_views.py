"""Pages of settling: the supplier's bank account and its review by the county office, the budget unit's
extension of its deadline, and the lists of overdue orders."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market.accounts.models import OrgKind
from market.forms import ConfirmForm, refuse
from market.i18n import local_date
from market.invoices import bp, queries
from market.invoices import operations as ops
from market.invoices.bank import account_of
from market.invoices.forms import BankAccountForm, ReasonForm
from market.invoices.settlement import overdue
from market.orders import queries as order_queries
from market.orders.models import Order
from market.permissions import Action, authorize, kind_required
from market.transaction import return_to


@bp.route("/bank-account", methods=["GET", "POST"])
@kind_required(OrgKind.SUPPLIER)
def bank_account():
    """The supplier's account for transfers; a change waits for the county office's review."""
    account = account_of(current_user.organisation)
    form = BankAccountForm(obj=account)
    if form.validate_on_submit():
        ops.save_account(current_user, {name: getattr(form, name).data
                                        for name in ("account_name", "bank_name", "account_number")})
        flash(_("The bank account is saved; the county office reviews it before buyers see it."), "success")
        return redirect(url_for("invoices.bank_account"))
    return render_template("invoices/bank_account.html", account=account, form=form)


@bp.route("/bank-accounts")
@kind_required(OrgKind.COUNTY_OFFICE)
def review_accounts():
    return render_template("invoices/review_accounts.html", accounts=queries.pending_accounts(
        current_user.organisation.county_id), approve_form=ConfirmForm(), return_form=ReasonForm())


@bp.route("/bank-accounts/<int:account_id>/<any(approve, return):decision>", methods=["POST"])
@kind_required(OrgKind.COUNTY_OFFICE)
def review_account(account_id: int, decision: str):
    account = authorize(Action.VIEW, queries.bank_account(account_id))
    form = ReasonForm()
    return_to(url_for("invoices.review_accounts"))
    if not form.validate_on_submit():
        refuse(form)
    if decision == "approve":
        ops.approve_account(account, current_user)
        flash(_("The bank account of %(name)s is approved.", name=account.organisation.name), "success")
    else:
        ops.return_account(account, current_user, form.reason.data)
        flash(_("The bank account of %(name)s is returned.", name=account.organisation.name), "success")
    return redirect(url_for("invoices.review_accounts"))


@bp.route("/orders/<int:order_id>/extend", methods=["POST"])
@login_required
def extend(order_id: int):
    order = authorize(Action.VIEW, order_queries.order_detail(order_id))
    form = ReasonForm()
    return_to(url_for("orders.detail", order_id=order.id))
    if not form.validate_on_submit():
        refuse(form)
    new_due = ops.extend(order, current_user, form.reason.data)
    flash(_("The payment deadline of order %(ref)s is now %(day)s.", ref=order.reference,
            day=local_date(new_due)), "success")
    return redirect(url_for("orders.detail", order_id=order.id))


@bp.route("/overdue")
@kind_required(OrgKind.BUYER, OrgKind.SUPPLIER, OrgKind.CITY_OFFICE)
def overdue_orders():
    """Budget units' orders past their payment deadline: the unit's own, the supplier's, the city's all."""
    org = current_user.organisation
    scope = {OrgKind.BUYER: Order.buyer_id == org.id, OrgKind.SUPPLIER: Order.supplier_id == org.id}
    if org.kind not in scope and org.kind != OrgKind.CITY_OFFICE:
        abort(403)
    rows = overdue(*([scope[org.kind]] if org.kind in scope else []))
    return render_template("invoices/overdue.html", rows=rows)
